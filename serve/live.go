package serve

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/page"
	"github.com/confcal/confcal/programme"
)

// Live is the feed set a server publishes. Publish replaces it whole: a
// request takes the current edition once and answers from it alone, so
// no response ever mixes two versions of the programme, and a reload never
// waits for requests or requests for a reload.
type Live struct {
	cur  atomic.Pointer[edition]
	mu   sync.Mutex // serialises Publish
	opts LiveOptions
}

// LiveOptions tune a Live.
type LiveOptions struct {
	// Page tunes the discovery page; its Live is always set.
	Page page.Options
	// Now is the clock used when content changed but its data did not
	// say when; nil means time.Now.
	Now func() time.Time
	// CacheBytes bounds the memory of the session and agenda feeds
	// rendered on demand and kept for later requests; zero means
	// DefaultCacheBytes.
	CacheBytes int
	// KeepBytes bounds the memory of feed bodies kept whole. A feed is
	// kept whole the first time it is asked for, while the bound allows;
	// any other is assembled from the events' shared bytes as it is sent.
	// Zero means DefaultKeepBytes.
	KeepBytes int
}

// DefaultCacheBytes is the default bound on the on-demand feed cache.
const DefaultCacheBytes = 32 << 20

// DefaultKeepBytes is the default bound on feed bodies kept whole: room for
// the busiest feeds of a large programme, a fraction of all of them.
const DefaultKeepBytes = 32 << 20

// keepMax is the largest feed kept whole. Sending a larger one in chunks
// costs little next to sending it at all.
const keepMax = 1 << 20

// gzipMin is the smallest body worth compressing.
const gzipMin = 1024

// NewLive returns an empty Live; it serves once something is published.
func NewLive(opts LiveOptions) *Live {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	if opts.KeepBytes <= 0 {
		opts.KeepBytes = DefaultKeepBytes
	}
	opts.Page.Live = true
	return &Live{opts: opts}
}

// Set returns the feed set being served, or nil before the first Publish.
func (l *Live) Set() *feed.Set {
	if ed := l.cur.Load(); ed != nil {
		return ed.set
	}
	return nil
}

// Version returns a short hash that names the content being served, or ""
// before the first Publish.
func (l *Live) Version() string {
	if ed := l.cur.Load(); ed != nil {
		return ed.version
	}
	return ""
}

// Publish makes set the one served. The feeds and feeds.json are prepared
// before the switch, so the first request for them after it is as fast as
// any other. The page, which people read rather than poll, is rendered
// right after the switch, apart: a request for it waits for that render
// and never gets the previous edition's. The set must not change
// afterwards.
func (l *Live) Publish(set *feed.Set) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ed, err := l.prepare(set, l.cur.Load())
	if err != nil {
		return err
	}
	l.cur.Store(ed)
	go ed.page.get()
	return nil
}

// edition is one immutable version of everything served, with the caches
// that belong to that version alone.
type edition struct {
	set       *feed.Set
	agendaSet *feed.Set
	version   string
	loaded    time.Time
	// modified is the newest Last-Modified of the edition: what ad-hoc
	// feeds (sessions, agendas) report, since their content changes with
	// the programme's.
	modified time.Time
	static   map[string]*resource     // by path: "", "feeds.json", "all.ics", "track/x.ics"
	sessions map[string]*feed.Event   // by UID key, then by session id
	known    map[string]bool          // session ids and UID keys of the programme
	ghosts   map[string][]*feed.Event // removed sessions by id and UID key
	cache    *feedCache
	cacheCtl []string
	page     *lazyPage
	// keep is what is left of LiveOptions.KeepBytes.
	keep atomic.Int64
}

// resource is one response body with its precomputed headers. The body is
// either whole, or a head followed by the bytes of events and the end of
// the calendar: a feed of the set, assembled as it is sent until it is
// kept whole.
type resource struct {
	body     []byte
	head     []byte
	events   []*feed.Event
	size     int
	keepOnce sync.Once
	kept     []byte
	// packed: only the gzipped body is kept, and unpacked for the rare
	// client that does not take gzip.
	packed   bool
	modified time.Time
	hash     string
	etag     []string
	lastMod  []string
	ctype    []string
	disp     []string // nil: no Content-Disposition
	length   []string
	feed     bool // a calendar or the manifest: CORS open to all

	gzOnce sync.Once
	gz     []byte
	gzEtag []string
	gzLen  []string
}

func (l *Live) prepare(set *feed.Set, prev *edition) (*edition, error) {
	now := l.opts.Now().UTC().Truncate(time.Second)
	ed := &edition{set: set, loaded: now, static: map[string]*resource{}, sessions: map[string]*feed.Event{},
		known: map[string]bool{}, ghosts: map[string][]*feed.Event{}, cache: newFeedCache(l.opts.CacheBytes)}
	// Agendas have no fixed address to put in URL and SOURCE: their
	// address is the query that chose them. They are rendered without a
	// base URL, so that no calendar names an address it cannot be fetched
	// from.
	ed.agendaSet = set.WithoutBaseURL()
	ed.cacheCtl = []string{"public, max-age=" + strconv.Itoa(int(set.Refresh()/time.Second))}

	var newest time.Time
	add := func(path, ctype, filename string, body []byte, data time.Time, feed bool) {
		res := newResource(body, ctype, filename, feed)
		res.setModified(lastModified(data, res.hash, prev, path, now))
		if res.modified.After(newest) {
			newest = res.modified
		}
		ed.static[path] = res
	}
	for _, f := range set.Feeds {
		res := feedResource(f, fileName(set, f.Slug))
		res.setModified(lastModified(f.Modified, res.hash, prev, f.Path(), now))
		newest = maxTime(newest, res.modified)
		ed.static[f.Path()] = res
	}
	ed.keep.Store(int64(l.opts.KeepBytes))
	add("feeds.json", "application/json", "", set.ManifestJSON(), newest, true)
	ed.modified = newest
	ed.page = l.lazyPage(set, ed.modified, prev, now)

	sum := sha256.New()
	for _, path := range slices.Sorted(maps.Keys(ed.static)) {
		sum.Write([]byte(path))
		sum.Write([]byte(ed.static[path].hash))
	}
	ed.version = hex.EncodeToString(sum.Sum(nil))[:16]

	for _, ev := range set.Events {
		s := ev.Session
		if ev.Ghost {
			ed.ghosts[s.ID] = append(ed.ghosts[s.ID], ev)
			if s.UIDKey != s.ID {
				ed.ghosts[s.UIDKey] = append(ed.ghosts[s.UIDKey], ev)
			}
		}
		if _, ok := ed.sessions[s.UIDKey]; !ok || !ev.Ghost {
			ed.sessions[s.UIDKey] = ev
		}
	}
	for _, ev := range set.Events {
		if _, ok := ed.sessions[ev.Session.ID]; !ok {
			ed.sessions[ev.Session.ID] = ev
		}
	}
	for _, s := range set.Programme.Sessions {
		ed.known[s.ID], ed.known[s.UIDKey] = true, true
	}
	return ed, nil
}

// lazyPage is an edition's discovery page, rendered once, when first
// needed.
type lazyPage struct {
	once   sync.Once
	render func() (*resource, error)
	res    atomic.Pointer[resource]
	err    error
}

// get returns the page, rendering it on the first call; other callers
// wait for that render.
func (lp *lazyPage) get() (*resource, error) {
	lp.once.Do(func() {
		res, err := lp.render()
		lp.err = err
		if res != nil {
			lp.res.Store(res)
		}
		lp.render = nil // and with it the previous edition's page
	})
	return lp.res.Load(), lp.err
}

// rendered returns the page if it has been rendered, or nil; it never
// waits.
func (lp *lazyPage) rendered() *resource { return lp.res.Load() }

// lazyPage returns the page of set. Its Last-Modified is the newest of
// the edition's, kept from the previous page when the bytes are the same,
// and moved forward when they changed, as lastModified does for feeds.
// The page is a function of the set and the options alone, so the
// edition's version does not need its bytes.
func (l *Live) lazyPage(set *feed.Set, modified time.Time, prev *edition, now time.Time) *lazyPage {
	var prevPage *lazyPage
	var prevModified time.Time
	if prev != nil {
		prevPage, prevModified = prev.page, prev.modified
	}
	return &lazyPage{render: func() (*resource, error) {
		body, err := page.Render(set, l.opts.Page)
		if err != nil {
			return nil, fmt.Errorf("render page: %w", err)
		}
		res := newResource(body, "text/html; charset=utf-8", "", false)
		lm := modified
		if prevPage != nil {
			// A previous page still rendering counts as changed.
			old := prevPage.rendered()
			last := prevModified
			if old != nil {
				last = maxTime(last, old.modified)
			}
			switch {
			case old != nil && old.hash == res.hash:
				lm = old.modified
			case !lm.After(last):
				lm = maxTime(now, last.Add(time.Second))
			}
		}
		res.setModified(lm)
		if len(body) > packMin {
			res.pack()
		}
		return res, nil
	}}
}

// lastModified is the Last-Modified of the resource at path: the time its
// data says it last changed, kept from the previous edition when the
// bytes are the same, and moved forward when the bytes changed but the
// data's time did not (a session left a feed, or a stateless build), so
// that If-Modified-Since never answers 304 for changed content.
func lastModified(data time.Time, hash string, prev *edition, path string, now time.Time) time.Time {
	lm := data.UTC().Truncate(time.Second)
	if prev == nil {
		return lm
	}
	old, ok := prev.static[path]
	if !ok {
		if !lm.After(prev.modified) {
			lm = maxTime(now, prev.modified.Add(time.Second))
		}
		return lm
	}
	if old.hash == hash {
		return old.modified
	}
	if !lm.After(old.modified) {
		lm = maxTime(now, old.modified.Add(time.Second))
	}
	return lm
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

const calendarType = "text/calendar; charset=utf-8"

func newResource(body []byte, ctype, filename string, feed bool) *resource {
	sum := sha256.Sum256(body)
	res := withHeaders(&resource{body: body, size: len(body)}, hex.EncodeToString(sum[:]), ctype, filename, feed)
	return res
}

func withHeaders(res *resource, hash, ctype, filename string, feed bool) *resource {
	res.hash, res.feed = hash, feed
	res.ctype, res.length = []string{ctype}, []string{strconv.Itoa(res.size)}
	// Each representation has its own strong validator.
	res.etag, res.gzEtag = []string{`"` + hash[:32] + `"`}, []string{`"` + hash[:32] + `-gz"`}
	if filename != "" {
		res.disp = []string{`inline; filename="` + filename + `"`}
	}
	return res
}

// calendarEnd ends every calendar; Feed.WriteTo writes the same.
const calendarEnd = "END:VCALENDAR\r\n"

// feedResource serves f from its head and its events' shared bytes, or
// from its body when it has one.
func feedResource(f *feed.Feed, filename string) *resource {
	res := &resource{size: f.Size, body: f.Body}
	if f.Body == nil {
		res.head, res.events = f.Head, f.Events
	}
	return withHeaders(res, f.Hash, calendarType, filename, true)
}

// whole returns the whole body when it is at hand or may be kept within
// the edition's bound, and nil when it must be assembled as it is sent.
func (res *resource) whole(ed *edition) []byte {
	if res.body != nil || res.packed {
		return res.body
	}
	res.keepOnce.Do(func() {
		if res.size > keepMax {
			return
		}
		if ed.keep.Add(-int64(res.size)) < 0 {
			ed.keep.Add(int64(res.size))
			return
		}
		res.kept = res.appendTo(make([]byte, 0, res.size))
	})
	return res.kept
}

func (res *resource) appendTo(b []byte) []byte {
	if res.body != nil {
		return append(b, res.body...)
	}
	b = append(b, res.head...)
	for _, ev := range res.events {
		b = append(b, ev.Bytes...)
	}
	return append(b, calendarEnd...)
}

// packMin is the size from which the page is kept gzipped only: every
// browser takes gzip, and a large programme's page is large.
const packMin = 256 << 10

// pack keeps only the gzipped body.
func (res *resource) pack() {
	res.gzipped()
	res.body, res.packed = nil, true
}

// content returns the body as it is sent: whole when it is at hand or may
// be kept (a HEAD request keeps nothing), else the head, the events' shared bytes and the END line, read
// in place.
func (res *resource) content(ed *edition, head bool) (*body, error) {
	if res.packed {
		zr, err := gzip.NewReader(bytes.NewReader(res.gz))
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			return nil, err
		}
		return newBody(b), nil
	}
	if res.body != nil {
		return newBody(res.body), nil
	}
	if !head {
		if b := res.whole(ed); b != nil {
			return newBody(b), nil
		}
	}
	parts := make([][]byte, 0, len(res.events)+2)
	parts = append(parts, res.head)
	for _, ev := range res.events {
		parts = append(parts, ev.Bytes)
	}
	return newBody(append(parts, []byte(calendarEnd))...), nil
}

func (res *resource) setModified(t time.Time) {
	res.modified = t
	if !t.IsZero() {
		res.lastMod = []string{t.UTC().Format(http.TimeFormat)}
	}
}

// gzipped returns the gzip-compressed body and its length, compressing it
// on first use: once per resource, that is once per version of each feed.
func (res *resource) gzipped() ([]byte, []string) {
	res.gzOnce.Do(func() {
		var b bytes.Buffer
		b.Grow(res.size / 3)
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		if res.body != nil {
			_, _ = zw.Write(res.body)
		} else {
			_, _ = zw.Write(res.head)
			for _, ev := range res.events {
				_, _ = zw.Write(ev.Bytes)
			}
			_, _ = zw.Write([]byte(calendarEnd))
		}
		_ = zw.Close()
		res.gz = bytes.Clone(b.Bytes())
		res.gzLen = []string{strconv.Itoa(len(res.gz))}
	})
	return res.gz, res.gzLen
}

// fileName is the name a feed is saved under: the programme's id and the
// feed's slug, in characters every system accepts.
func fileName(set *feed.Set, slug string) string {
	name := set.Programme.ID + "-" + strings.ReplaceAll(slug, "/", "-")
	if set.Programme.ID == "" {
		name = strings.ReplaceAll(slug, "/", "-")
	}
	return safeFileName(name) + ".ics"
}

func safeFileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 120 {
		b = b[:120]
	}
	return string(b)
}

// sessionFeed returns the one-event calendar of the session with the
// given UID key or id, rendered once per edition.
func (ed *edition) sessionFeed(key string) (*resource, error) {
	ev := ed.sessions[key]
	if ev == nil {
		return nil, errNotFound
	}
	return ed.cache.get("s\x00"+ev.Session.UIDKey, "", func() (*resource, error) {
		f := ed.set.SessionFeed(ev)
		return ed.adhoc(f, fileName(ed.set, f.Slug)), nil
	})
}

func (ed *edition) adhoc(f *feed.Feed, filename string) *resource {
	res := feedResource(f, filename)
	res.setModified(maxTime(ed.modified, f.Modified.UTC().Truncate(time.Second)))
	return res
}

// agenda returns the calendar of the sessions rawQuery chooses, in the
// selection language of programme.ParseQuery. Agendas are cached under
// the raw query, so that a repeated link costs one lookup, and under the
// canonical form of the selection, so that equal selections share one
// calendar.
func (ed *edition) agenda(rawQuery string) (*resource, error) {
	if res := ed.cache.peek("q\x00" + rawQuery); res != nil {
		return res, nil
	}
	values, err := parseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	sel, err := programme.ParseQuery(values)
	if err != nil {
		return nil, err
	}
	canonical := sel.Query().Encode()
	return ed.cache.get("a\x00"+canonical, "q\x00"+rawQuery, func() (*resource, error) {
		events, err := ed.choose(sel)
		if err != nil {
			return nil, err
		}
		f := ed.agendaSet.Render(feed.KindAgenda, canonical, "agenda", ed.set.AgendaTitle(), "", events)
		return ed.adhoc(f, fileName(ed.set, "agenda")), nil
	})
}

// choose returns the events sel chooses. A session removed from the
// programme is still published as cancelled for a while; an agenda that
// names it keeps it, cancelled, instead of failing, so that a subscribed
// agenda link survives the programme's changes.
func (ed *edition) choose(sel programme.Selection) ([]*feed.Event, error) {
	var ghosts []*feed.Event
	var gone map[string]bool
	keep := sel.Sessions[:0:0]
	for _, id := range sel.Sessions {
		if g := ed.ghosts[id]; !ed.known[id] && len(g) > 0 {
			ghosts = append(ghosts, g...)
			continue
		}
		keep = append(keep, id)
	}
	sel.Sessions = keep
	keepEx := sel.Exclude[:0:0]
	for _, id := range sel.Exclude {
		if !ed.known[id] && len(ed.ghosts[id]) > 0 {
			if gone == nil {
				gone = map[string]bool{}
			}
			gone[id] = true
			continue
		}
		keepEx = append(keepEx, id)
	}
	sel.Exclude = keepEx
	var events []*feed.Event
	if !sel.IsZero() || len(ghosts) == 0 {
		sessions, err := ed.set.Programme.Select(sel)
		if err != nil {
			return nil, err
		}
		events = ed.set.EventsOf(sessions)
	}
	if len(ghosts) == 0 {
		return events, nil
	}
	want := map[*feed.Event]bool{}
	for _, ev := range events {
		want[ev] = true
	}
	kept := 0
	for _, g := range ghosts {
		if !gone[g.Session.ID] && !gone[g.Session.UIDKey] {
			want[g] = true
			kept++
		}
	}
	if kept == 0 && sel.IsZero() {
		return nil, programme.ErrEmptySelection
	}
	out := make([]*feed.Event, 0, len(want))
	for _, ev := range ed.set.Events { // programme order
		if want[ev] {
			out = append(out, ev)
		}
	}
	return out, nil
}

// feedCache keeps feeds rendered on demand, least recently used first
// out, within a bound on their bytes. It belongs to one edition.
type feedCache struct {
	mu    sync.Mutex
	limit int
	size  int
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	keys []string
	res  *resource
}

func newFeedCache(limit int) *feedCache {
	return &feedCache{limit: limit, order: list.New(), byKey: map[string]*list.Element{}}
}

// peek returns the resource cached under key, or nil.
func (c *feedCache) peek(key string) *resource {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*cacheEntry).res
	}
	return nil
}

// get returns the resource cached under key, building and keeping it when
// missing; alias, when not empty, is one more key for the same resource.
// Errors are not kept.
func (c *feedCache) get(key, alias string, build func() (*resource, error)) (*resource, error) {
	if res := c.peek(key); res != nil {
		c.addAlias(key, alias)
		return res, nil
	}
	res, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		el = c.order.PushFront(&cacheEntry{keys: []string{key}, res: res})
		c.byKey[key] = el
		c.size += len(res.body)
	}
	c.aliasLocked(el, alias)
	c.evict()
	return el.Value.(*cacheEntry).res, nil
}

func (c *feedCache) addAlias(key, alias string) {
	if alias == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.aliasLocked(el, alias)
	}
}

// aliasLocked files the entry of el under alias too; a few spellings of
// one selection are worth remembering, more are not.
func (c *feedCache) aliasLocked(el *list.Element, alias string) {
	e := el.Value.(*cacheEntry)
	if _, ok := c.byKey[alias]; ok || alias == "" || len(e.keys) >= 16 {
		return
	}
	e.keys = append(e.keys, alias)
	c.byKey[alias] = el
}

func (c *feedCache) evict() {
	for c.size > c.limit && c.order.Len() > 1 {
		el := c.order.Back()
		e := el.Value.(*cacheEntry)
		for _, k := range e.keys {
			delete(c.byKey, k)
		}
		c.size -= len(e.res.body)
		c.order.Remove(el)
	}
}

// Package feed turns a programme into iCalendar (RFC 5545, RFC 7986): one
// VEVENT per session, serialized once and shared by every feed of the set
// (the whole programme, each day, track, venue, room and speaker, and
// personal agendas), VTIMEZONE components generated from Go's time zone
// database, and the state that makes changes and cancellations reach
// subscribers.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confcal/confcal/ics"
	"github.com/confcal/confcal/programme"
)

// Kind is the kind of a feed.
type Kind string

// The kinds of feed in a set.
const (
	KindAll     Kind = "all"
	KindDay     Kind = "day"
	KindTrack   Kind = "track"
	KindVenue   Kind = "venue"
	KindRoom    Kind = "room"
	KindSpeaker Kind = "speaker"
	KindSession Kind = "session"
	KindAgenda  Kind = "agenda"
)

// Options tune a build.
type Options struct {
	// Lang is the language feeds are written in; empty means the
	// programme's first language.
	Lang string
	// Alarm adds a reminder this long before each event; zero adds none.
	Alarm time.Duration
	// NoCancelledPrefix leaves the SUMMARY of cancelled sessions alone.
	NoCancelledPrefix bool
	// BaseURL is the public URL the feeds are served under, for URL and
	// SOURCE properties; empty leaves them out.
	BaseURL string
	// Refresh is the refresh interval advertised to clients; zero means
	// the programme's, or one hour.
	Refresh time.Duration
	// History carries SEQUENCE and timestamps from earlier builds, and
	// cancelled sessions; nil means a stateless build.
	History *History
	// OnlyAll builds the whole-programme feed and skips the others.
	OnlyAll bool

	withMethod bool
}

func (o Options) organiser() bool { return o.withMethod }

// Feed is one calendar of the set.
type Feed struct {
	Kind  Kind
	Key   string // the day, track, venue, room, speaker or session id
	Slug  string // path without extension: all, day/2025-02-10, track/science
	Title string
	// Description says what the calendar holds: the programme's own
	// description for the whole programme, and for any other feed a line
	// in the set's language ("Day feed: Friday 7 February 2025 of ...").
	Description string
	Colour      string
	Events      []*Event
	// Head is everything before the first event: the calendar's
	// properties and its VTIMEZONEs. The events' bytes follow it, then
	// the END line; Bytes and WriteTo assemble them.
	Head []byte
	// Body is the assembled calendar of feeds made by Render; feeds of a
	// built set leave it nil and share their events' bytes instead.
	Body []byte
	Size int // length of the calendar in bytes
	// Hash changes whenever the calendar's bytes do: a hex SHA-256 made
	// from the SHA-256 of its head and of each event (see contentHash).
	Hash string
	// Modified is the latest LAST-MODIFIED among the events.
	Modified time.Time
}

// Path returns the feed's path relative to the root of the set.
func (f *Feed) Path() string { return f.Slug + ".ics" }

// Set is every feed of a programme, built once.
type Set struct {
	Programme *programme.Programme
	Lang      string
	Events    []*Event // every event, in programme order, ghosts included
	Feeds     []*Feed
	byUID     map[string]*Event
	bySlug    map[string]*Feed
	head      *header
	words     ics.Words
	opts      Options
}

// Build renders p into its complete feed set.
func Build(p *programme.Programme, opts Options) (*Set, error) {
	if opts.History == nil {
		opts.History = Stateless(p)
	}
	lang := opts.Lang
	if lang == "" {
		lang = p.Lang()
	}
	opts.withMethod = p.Organiser.Email != ""
	r := &renderer{p: p, opts: opts, lang: lang, words: ics.WordsFor(lang)}
	set := &Set{Programme: p, Lang: lang, opts: opts, words: r.words, byUID: map[string]*Event{}, bySlug: map[string]*Feed{}}

	sessions := append([]*programme.Session(nil), p.Sessions...)
	ghost := map[*programme.Session]bool{}
	for _, g := range opts.History.Ghosts {
		sessions = append(sessions, g)
		ghost[g] = true
	}
	sort.SliceStable(sessions, func(i, j int) bool { return programme.Less(p, sessions[i], sessions[j]) })
	// Events are rendered on every core: each depends on its session
	// alone.
	set.Events = make([]*Event, len(sessions))
	errs := make([]error, len(sessions))
	parallel(len(sessions), func(i int) {
		s := sessions[i]
		set.Events[i], errs[i] = r.event(s, opts.History.Meta[s.UIDKey], ghost[s])
	})
	for _, err := range errs {
		if err != nil {
			return nil, err // the first in programme order
		}
	}
	for _, ev := range set.Events {
		set.byUID[ev.UID] = ev
	}
	set.head = newHeader(p, set.Events, r)
	specs := &feedSpecs{slugs: map[string]bool{}}
	specs.add(KindAll, "", "all", r.text(p.Name), "", "", set.Events)
	if !opts.OnlyAll {
		set.groups(r, specs)
	}
	set.Feeds = make([]*Feed, len(specs.list))
	parallel(len(specs.list), func(i int) {
		s := specs.list[i]
		set.Feeds[i] = set.feedOf(s.kind, s.key, s.slug, s.title, s.what, s.colour, s.events)
	})
	for _, f := range set.Feeds {
		set.bySlug[f.Slug] = f
	}
	return set, nil
}

// feedSpec is a feed of the set before its head and hash are made; what
// is what it holds, for its description.
type feedSpec struct {
	kind                           Kind
	key, slug, title, what, colour string
	events                         []*Event
}

// feedSpecs lists the feeds of a set in order, with unique slugs.
type feedSpecs struct {
	list  []feedSpec
	slugs map[string]bool
}

// add lists one feed. Feeds with no event are left out, except the whole
// programme, so that every advertised feed has something in it.
func (fs *feedSpecs) add(kind Kind, key, slug, title, what, colour string, events []*Event) {
	if len(events) == 0 && kind != KindAll {
		return
	}
	fs.list = append(fs.list, feedSpec{kind, key, slug, title, what, colour, events})
	fs.slugs[slug] = true
}

func (fs *feedSpecs) uniqueSlug(s string) string {
	out := s
	for i := 2; fs.slugs[out]; i++ {
		out = fmt.Sprintf("%s-%d", s, i)
	}
	return out
}

// parallel calls f(0) ... f(n-1) on as many goroutines as there are CPUs
// to run them, and returns when all have returned.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

func (set *Set) groups(r *renderer, specs *feedSpecs) {
	p := set.Programme
	byDay := map[programme.Date][]*Event{}
	byTrack := map[string][]*Event{}
	byVenue := map[string][]*Event{}
	byRoom := map[*programme.Room][]*Event{}
	bySpeaker := map[string][]*Event{}
	for _, ev := range set.Events {
		s := ev.Session
		// A session that runs over several days belongs to each of them.
		for _, d := range s.Days(p) {
			byDay[d] = append(byDay[d], ev)
		}
		for _, t := range s.Tracks {
			byTrack[t.ID] = append(byTrack[t.ID], ev)
		}
		if s.Venue != nil {
			byVenue[s.Venue.ID] = append(byVenue[s.Venue.ID], ev)
			if s.Room != nil {
				if room := p.Venue(s.Venue.ID).Room(s.Room.ID); room != nil {
					byRoom[room] = append(byRoom[room], ev)
				}
			}
		}
		for _, sp := range s.Speakers {
			bySpeaker[sp.ID] = append(bySpeaker[sp.ID], ev)
		}
	}
	name := r.text(p.Name)
	sub := func(kind Kind, key, slug, what, colour string, events []*Event) {
		specs.add(kind, key, slug, name+" · "+what, what, colour, events)
	}
	for _, d := range p.Days() {
		sub(KindDay, d.String(), "day/"+d.String(), DayTitle(d, r.lang), "", byDay[d])
	}
	for _, t := range p.Tracks {
		sub(KindTrack, t.ID, "track/"+t.ID, r.text(t.Name), t.Colour, byTrack[t.ID])
	}
	for _, v := range p.Venues {
		sub(KindVenue, v.ID, "venue/"+v.ID, r.text(v.Name), "", byVenue[v.ID])
	}
	for _, v := range p.Venues {
		for _, room := range v.Rooms {
			sub(KindRoom, v.ID+"/"+room.ID, specs.uniqueSlug("room/"+v.ID+"-"+room.ID),
				r.text(room.Name)+", "+r.text(v.Name), "", byRoom[room])
		}
	}
	for _, sp := range p.Speakers {
		sub(KindSpeaker, sp.ID, "speaker/"+sp.ID, sp.Name, "", bySpeaker[sp.ID])
	}
}

// Render assembles a calendar of the given events, Body included; the
// events' bytes are reused, not rendered again. It is how agendas and
// single-session feeds are made from a set. An agenda's description is
// the set's ("Personal agenda of ..."), whatever its title.
func (set *Set) Render(kind Kind, key, slug, title, colour string, events []*Event) *Feed {
	f := set.feed(kind, key, slug, title, colour, events)
	f.Body = f.Bytes()
	return f
}

// feed prepares a feed made outside the set's groups (a session's, an
// agenda), whose title says what it holds.
func (set *Set) feed(kind Kind, key, slug, title, colour string, events []*Event) *Feed {
	what := ""
	if kind == KindSession {
		what = title
	}
	return set.feedOf(kind, key, slug, title, what, colour, events)
}

// feedOf prepares a feed without assembling its calendar: its head, size
// and hash are computed from the pieces. what is what the feed holds, for
// its description.
func (set *Set) feedOf(kind Kind, key, slug, title, what, colour string, events []*Event) *Feed {
	f := &Feed{Kind: kind, Key: key, Slug: slug, Title: title, Description: set.describe(kind, what),
		Colour: colour, Events: events}
	for _, ev := range events {
		if ev.Meta.Modified.After(f.Modified) {
			f.Modified = ev.Meta.Modified
		}
	}
	f.Head = set.head.calendar(set, f)
	f.Size = len(f.Head) + len(endLine)
	for _, ev := range events {
		f.Size += len(ev.Bytes)
	}
	f.Hash = contentHash(f.Head, events)
	return f
}

// contentHash is the hash of a calendar made of head, the events' bytes and
// the END line: the hex SHA-256 of the SHA-256 of each of these pieces in
// turn. It changes whenever a byte of the calendar does, and costs one pass
// over each event's bytes however many feeds hold it.
func contentHash(head []byte, events []*Event) string {
	h := sha256.New()
	sum := sha256.Sum256(head)
	h.Write(sum[:])
	for _, ev := range events {
		h.Write(ev.sum[:])
	}
	h.Write(endSum[:])
	return hex.EncodeToString(h.Sum(nil))
}

// endSum is the SHA-256 of the END line every calendar ends with.
var endSum = sha256.Sum256([]byte(endLine))

// ContentHash returns the hash feeds.json gives a calendar confcal wrote,
// from the calendar's bytes: the hex SHA-256 of the SHA-256 of its head
// (everything before the first VEVENT), of each VEVENT, and of its
// END:VCALENDAR line. Any change to the bytes changes it.
func ContentHash(calendar []byte) string {
	const begin, end = "BEGIN:VEVENT\r\n", "END:VEVENT\r\n"
	var head []byte
	var events []*Event
	rest := calendar
	i := bytes.Index(rest, []byte("\r\n"+begin))
	if i < 0 {
		head, rest = rest[:len(rest)-min(len(rest), len(endLine))], rest[len(rest)-min(len(rest), len(endLine)):]
	} else {
		head, rest = rest[:i+2], rest[i+2:]
	}
	for bytes.HasPrefix(rest, []byte(begin)) {
		j := bytes.Index(rest, []byte("\r\n"+end))
		if j < 0 {
			break
		}
		n := j + 2 + len(end)
		events = append(events, &Event{sum: sha256.Sum256(rest[:n])})
		rest = rest[n:]
	}
	if string(rest) != endLine {
		// Not laid out as confcal writes calendars: a hash of all of it.
		sum := sha256.Sum256(calendar)
		return hex.EncodeToString(sum[:])
	}
	return contentHash(head, events)
}

const endLine = "END:VCALENDAR\r\n"

// WriteTo writes the calendar to w: the head, each event's bytes, the end.
func (f *Feed) WriteTo(w io.Writer) (int64, error) {
	if f.Body != nil {
		n, err := w.Write(f.Body)
		return int64(n), err
	}
	var total int64
	write := func(b []byte) error {
		n, err := w.Write(b)
		total += int64(n)
		return err
	}
	if err := write(f.Head); err != nil {
		return total, err
	}
	for _, ev := range f.Events {
		if err := write(ev.Bytes); err != nil {
			return total, err
		}
	}
	n, err := io.WriteString(w, endLine)
	return total + int64(n), err
}

// Bytes returns the whole calendar.
func (f *Feed) Bytes() []byte {
	if f.Body != nil {
		return f.Body
	}
	b := bytes.NewBuffer(make([]byte, 0, f.Size))
	f.WriteTo(b)
	return b.Bytes()
}

// describe returns the description of a feed of kind that holds what.
func (set *Set) describe(kind Kind, what string) string {
	name := set.Text(set.Programme.Name)
	w := set.words
	tmpl := map[Kind]string{KindDay: w.DayFeed, KindTrack: w.TrackFeed, KindVenue: w.VenueFeed, KindRoom: w.RoomFeed,
		KindSpeaker: w.SpeakerFeed, KindSession: w.SessionFeed, KindAgenda: w.AgendaFeed}[kind]
	switch {
	case kind == KindAll:
		return set.head.desc
	case tmpl == "":
		return ""
	}
	return ics.OneLine(ics.Fill(tmpl, what, name))
}

// AgendaTitle is the name of a personal agenda of the set, in its
// language: "AI Action Summit week · My agenda". The feed server names
// the agendas it serves so, and the discovery page names them so in the
// links it builds.
func (set *Set) AgendaTitle() string {
	return AgendaTitle(set.Programme, set.Lang)
}

// AgendaTitle is the name of a personal agenda of p in lang, the name
// Set.AgendaTitle gives it: the command line names the agendas it writes
// so too.
func AgendaTitle(p *programme.Programme, lang string) string {
	return p.Name.In(lang, p.Languages...) + " · " + ics.WordsFor(lang).MyAgenda
}

// Text returns t in the set's language.
func (set *Set) Text(t programme.Text) string {
	return t.In(set.Lang, set.Programme.Languages...)
}

// BaseURL returns the public URL the set was built for, or "".
func (set *Set) BaseURL() string { return set.opts.BaseURL }

// Refresh returns the refresh interval the set's calendars advertise:
// the build's, the programme's, or one hour.
func (set *Set) Refresh() time.Duration { return refreshOf(set.opts, set.Programme) }

func refreshOf(opts Options, p *programme.Programme) time.Duration {
	switch {
	case opts.Refresh > 0:
		return opts.Refresh
	case p.Refresh > 0:
		return p.Refresh
	}
	return time.Hour
}

// WithoutBaseURL returns a copy of the set that renders feeds with no
// base URL, for calendars (agendas) whose address is not the set's: no
// URL or SOURCE names an address they cannot be fetched from. The events
// and feeds are shared.
func (set *Set) WithoutBaseURL() *Set {
	c := *set
	c.opts.BaseURL = ""
	return &c
}

// Feed returns the feed at slug (for example "track/science"), or nil.
func (set *Set) Feed(slug string) *Feed { return set.bySlug[slug] }

// Event returns the event with the given UID, or nil.
func (set *Set) Event(uid string) *Event { return set.byUID[uid] }

// SessionEvent returns the event of the session with the given id, or nil.
func (set *Set) SessionEvent(id string) *Event {
	for _, ev := range set.Events {
		if ev.Session.ID == id && !ev.Ghost {
			return ev
		}
	}
	return nil
}

// EventsOf returns the events of the given sessions, in programme order.
func (set *Set) EventsOf(sessions []*programme.Session) []*Event {
	want := make(map[string]bool, len(sessions))
	for _, s := range sessions {
		want[s.UIDKey] = true
	}
	var out []*Event
	for _, ev := range set.Events {
		if want[ev.Session.UIDKey] && !ev.Ghost {
			out = append(out, ev)
		}
	}
	return out
}

// DayTitle names day d in lang: "Monday 10 February 2025".
func DayTitle(d programme.Date, lang string) string {
	t := d.In(time.UTC)
	if strings.HasPrefix(lang, "fr") {
		days := []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
		months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
		return fmt.Sprintf("%s %d %s %d", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

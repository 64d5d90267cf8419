package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/confcal/confcal/programme"
)

// HandlerOptions tune the feed server's handlers.
type HandlerOptions struct {
	// MaxQuery bounds the length of a request's query string; zero means
	// DefaultMaxQuery. Longer queries get 414.
	MaxQuery int
	// Served, when set, is called once for each request answered: the
	// hook of an access log. It is called from the goroutine serving the
	// connection once the answer is handed over: a body once it has been
	// written to the connection (or its buffer, for a small one), or
	// failed to be; an answer without a body once it is decided.
	Served func(Served)
}

// Served describes one answered request.
type Served struct {
	Method string
	// Path is the request's path as it was sent, percent-encoded.
	Path   string
	Status int
	// Bytes is the number of body bytes written: zero for HEAD and 304.
	Bytes int64
	// Duration runs from the handler taking the request to the answer
	// handed over.
	Duration time.Duration
	// Err is the error that cut the response short, if any.
	Err error
}

// DefaultMaxQuery is the default bound on the length of a query string:
// room for an agenda of a few hundred sessions.
const DefaultMaxQuery = 8 << 10

// The feed server answers, from the edition a Live holds when a request
// arrives:
//
//	GET /                      the discovery page
//	GET /all.ics               the whole programme
//	GET /day/DATE.ics          one day (also track, venue, room, speaker)
//	GET /session/ID.ics        one session
//	GET /agenda.ics?QUERY      the sessions QUERY chooses (programme.ParseQuery)
//	GET /feeds.json            the manifest
//	GET /healthz               what is being served, as JSON
//
// HEAD is answered wherever GET is, other methods get 405, and unknown
// paths 404. Requests never reach the file system: every path is a key
// into the edition's maps.
//
// What to answer is decided once, by handler.answer, from a request and
// into an answer that hold nothing of any HTTP server; NewHandler (for
// net/http) and NewFastHandler (for fasthttp) only carry them.
type handler struct {
	live *Live
	opts HandlerOptions
	// sendfile: bodies kept whole may be sent from a file (fasthttp on
	// Linux, from NewFastServer).
	sendfile bool
}

func newHandler(live *Live, opts HandlerOptions) *handler {
	if opts.MaxQuery <= 0 {
		opts.MaxQuery = DefaultMaxQuery
	}
	return &handler{live: live, opts: opts}
}

// request is what answering needs of an HTTP request.
type request struct {
	method string
	// path is the request's path as sent, percent-encoded; query is its
	// raw query string.
	path, query string
	// The conditional request header fields, "" when absent.
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
	// gzip: the client takes a gzipped body (Accept-Encoding).
	gzip bool
}

// field is one response header field, its name in canonical form. Values
// are shared between responses and never modified.
type field struct {
	name  string
	value []string
}

// answer is a response: status, header fields, and a body that is either
// at hand or assembled from a resource as it is sent. res is the
// resource a body at hand comes from, if any.
type answer struct {
	status int
	fields [maxFields]field
	n      int
	body   []byte
	res    *resource
	ed     *edition
	// length is the body's length, and lengthField the same in a header
	// value when one is at hand.
	length      int
	lengthField []string
}

// answers are reused: an answer is large enough that making one per
// request shows.
var answers = sync.Pool{New: func() any { return new(answer) }}

func getAnswer() *answer { return answers.Get().(*answer) }

// putAnswer returns a to the pool; nothing may use it afterwards.
func putAnswer(a *answer) {
	*a = answer{}
	answers.Put(a)
}

// maxFields is the most header fields an answer sets (Content-Length
// aside).
const maxFields = 10

// set sets a header field, replacing the value it had.
func (a *answer) set(name string, value []string) {
	for i := range a.fields[:a.n] {
		if a.fields[i].name == name {
			a.fields[i].value = value
			return
		}
	}
	a.fields[a.n] = field{name, value}
	a.n++
}

// del removes a header field.
func (a *answer) del(name string) {
	for i := range a.fields[:a.n] {
		if a.fields[i].name == name {
			copy(a.fields[i:a.n], a.fields[i+1:a.n])
			a.n--
			return
		}
	}
}

// hasBody reports whether the answer carries a body, HEAD aside.
func (a *answer) hasBody() bool {
	return a.body != nil || a.res != nil
}

// A route answers a GET or HEAD request for a path it matched.
type route func(h *handler, a *answer, rq *request, ed *edition, key string) error

// match returns the route of an escaped path and the key it names: the
// static path of a feed ("" for the page), or a session's id. Each
// segment of the path is unescaped on its own, so that an escaped slash
// is part of a name and never a separator.
func match(path string) (route, string) {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return nil, ""
	}
	dir, file, two := strings.Cut(rest, "/")
	if two && strings.IndexByte(file, '/') >= 0 {
		return nil, ""
	}
	dir, ok = unescapeSegment(dir)
	if !ok {
		return nil, ""
	}
	if !two {
		switch dir {
		case "", "all.ics", "feeds.json":
			return (*handler).static, dir
		case "agenda.ics":
			return (*handler).agenda, ""
		case "healthz":
			return (*handler).health, ""
		}
		return nil, ""
	}
	if file, ok = unescapeSegment(file); !ok || file == "" {
		return nil, ""
	}
	switch Kind(dir) {
	case KindDay, KindTrack, KindVenue, KindRoom, KindSpeaker:
		return (*handler).static, dir + "/" + file
	case "session":
		return (*handler).session, file
	}
	return nil, ""
}

// cleanPath returns p without empty, "." and ".." segments, keeping a
// final slash; p itself when it has none of them, or does not start with
// "/".
func cleanPath(p string) string {
	if !strings.HasPrefix(p, "/") || !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func unescapeSegment(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	u, err := url.PathUnescape(s)
	return u, err == nil
}

// answer decides the response to rq.
func (h *handler) answer(rq *request, a *answer) {
	if clean := cleanPath(rq.path); clean != rq.path {
		// As net/http's mux does: one address per resource.
		loc := clean
		if rq.query != "" {
			loc += "?" + rq.query
		}
		a.set("Location", []string{loc})
		a.fail(http.StatusMovedPermanently, "moved to "+loc)
		return
	}
	fn, key := match(rq.path)
	if fn == nil {
		h.fail(a, errNotFound)
		return
	}
	if !headMethods[rq.method] {
		a.set("Allow", allowGet)
		h.fail(a, errMethod)
		return
	}
	if len(rq.query) > h.opts.MaxQuery {
		h.fail(a, errQueryTooLong)
		return
	}
	ed := h.live.cur.Load()
	if ed == nil {
		h.fail(a, errNoProgramme)
		return
	}
	if err := fn(h, a, rq, ed, key); err != nil {
		h.fail(a, err)
	}
}

var (
	errMethod       = errors.New("method not allowed: use GET or HEAD")
	errQueryTooLong = errors.New("query too long")
	errNoProgramme  = errors.New("no programme loaded yet")
)

// queryError is a query string that is not valid URL encoding.
type queryError struct{ err error }

func (e *queryError) Error() string { return "bad query: " + e.err.Error() }
func (e *queryError) Unwrap() error { return e.err }

func parseQuery(raw string) (url.Values, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &queryError{err}
	}
	return v, nil
}

// statusOf maps an error to its HTTP status and the message to show: the
// one place where errors become statuses.
func statusOf(err error) (int, string) {
	var sel *programme.SelectionError
	var qe *queryError
	switch {
	case errors.Is(err, errNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, err.Error()
	case errors.Is(err, errQueryTooLong):
		return http.StatusRequestURITooLong, err.Error()
	case errors.Is(err, errPrecondition):
		return http.StatusPreconditionFailed, err.Error()
	case errors.Is(err, errNoProgramme):
		return http.StatusServiceUnavailable, err.Error()
	case errors.As(err, &sel), errors.As(err, &qe), errors.Is(err, programme.ErrEmptySelection):
		return http.StatusBadRequest, err.Error()
	}
	return http.StatusInternalServerError, "internal error"
}

// fail answers with err's status and a one-line plain-text message. The
// message may quote the request; control characters are replaced, and
// the text/plain type with nosniff keeps browsers from reading it as
// anything else.
func (h *handler) fail(a *answer, err error) {
	code, msg := statusOf(err)
	a.fail(code, msg)
}

func (a *answer) fail(code int, msg string) {
	a.status = code
	a.set("Content-Type", textPlain)
	a.set("X-Content-Type-Options", nosniff)
	a.set("Cache-Control", noStore)
	a.body = fmt.Appendf(nil, "%d %s: %s\n", code, http.StatusText(code), oneLineMessage(msg))
	a.length = len(a.body)
}

func oneLineMessage(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// Header values shared by every response; never modified.
var (
	allowGet    = []string{"GET, HEAD"}
	textPlain   = []string{"text/plain; charset=utf-8"}
	nosniff     = []string{"nosniff"}
	noStore     = []string{"no-store"}
	anyOrigin   = []string{"*"}
	varyEncode  = []string{"Accept-Encoding"}
	gzipEnc     = []string{"gzip"}
	jsonType    = []string{"application/json"}
	headMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true}
)

func (h *handler) static(a *answer, rq *request, ed *edition, key string) error {
	res := ed.static[key]
	if res == nil {
		return errNotFound
	}
	h.serve(a, rq, ed, res)
	return nil
}

func (h *handler) session(a *answer, rq *request, ed *edition, file string) error {
	key, ok := strings.CutSuffix(file, ".ics")
	if !ok {
		return errNotFound
	}
	res, err := ed.sessionFeed(key)
	if err != nil {
		return err
	}
	h.serve(a, rq, ed, res)
	return nil
}

func (h *handler) agenda(a *answer, rq *request, ed *edition, _ string) error {
	res, err := ed.agenda(rq.query)
	if err != nil {
		return err
	}
	h.serve(a, rq, ed, res)
	return nil
}

type health struct {
	Status    string    `json:"status"`
	Programme string    `json:"programme"`
	Sessions  int       `json:"sessions"`
	Feeds     int       `json:"feeds"`
	Version   string    `json:"version"`
	Loaded    time.Time `json:"loaded"`
	Modified  time.Time `json:"modified"`
}

func (h *handler) health(a *answer, _ *request, ed *edition, _ string) error {
	body, _ := json.Marshal(health{Status: "ok", Programme: ed.set.Programme.ID, Sessions: len(ed.set.Programme.Sessions),
		Feeds: len(ed.set.Feeds), Version: ed.version, Loaded: ed.loaded, Modified: ed.modified})
	a.status = http.StatusOK
	a.set("Content-Type", jsonType)
	a.set("Cache-Control", noStore)
	a.set("X-Content-Type-Options", nosniff)
	a.body = append(body, '\n')
	a.length = len(a.body)
	return nil
}

// serve answers with res: validators and caching headers, 304 or 412 as
// the request's preconditions say, gzip when the client takes it.
func (h *handler) serve(a *answer, rq *request, ed *edition, res *resource) {
	gz := res.size >= gzipMin && rq.gzip
	etag := res.etag
	if gz {
		etag = res.gzEtag
	}
	// First the fields a 304 carries too (RFC 9110 §15.4.5, and
	// Last-Modified for clients that only revalidate by date).
	a.set("Etag", etag)
	if res.lastMod != nil {
		a.set("Last-Modified", res.lastMod)
	}
	a.set("Cache-Control", ed.cacheCtl)
	if res.size >= gzipMin {
		a.set("Vary", varyEncode)
	}
	if res.feed {
		a.set("Access-Control-Allow-Origin", anyOrigin)
	}
	switch code := preconditions(rq, res); code {
	case http.StatusNotModified:
		a.status = code
		return
	case http.StatusPreconditionFailed:
		a.del("Etag")
		h.fail(a, errPrecondition)
		return
	}
	// Then those of a body.
	a.status = http.StatusOK
	a.set("Content-Type", res.ctype)
	a.set("X-Content-Type-Options", nosniff)
	if gz {
		a.set("Content-Encoding", gzipEnc)
	}
	if res.disp != nil {
		a.set("Content-Disposition", res.disp)
	}
	if gz {
		a.body, a.lengthField = res.gzipped()
		a.length = len(a.body)
		return
	}
	a.length, a.lengthField = res.size, res.length
	a.res, a.ed = res, ed
	if rq.method != http.MethodHead {
		a.body = res.whole(ed) // nil: assembled from res as it is sent
	}
}

var errPrecondition = errors.New("precondition failed")

// preconditions evaluates the conditional headers of rq against res in
// the order of RFC 9110 §13.2.2 and returns 304, 412, or 0 to answer in
// full. Both representations of res (as it is and gzipped) carry its
// validator, so a client's ETag matches whichever it holds.
func preconditions(rq *request, res *resource) int {
	if im := rq.ifMatch; im != "" {
		if !etagListMatch(im, res, true) {
			return http.StatusPreconditionFailed
		}
	} else if ius := rq.ifUnmodifiedSince; ius != "" && !res.modified.IsZero() {
		if t, err := http.ParseTime(ius); err == nil && res.modified.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if inm := rq.ifNoneMatch; inm != "" {
		if etagListMatch(inm, res, false) {
			if headMethods[rq.method] {
				return http.StatusNotModified
			}
			return http.StatusPreconditionFailed
		}
		return 0
	}
	if ims := rq.ifModifiedSince; ims != "" && headMethods[rq.method] && !res.modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !res.modified.After(t) {
			return http.StatusNotModified
		}
	}
	return 0
}

// etagListMatch reports whether the entity-tag list matches res: "*", or
// one of its tags equal to res's, compared weakly (W/ ignored) unless
// strong is set.
func etagListMatch(list string, res *resource, strong bool) bool {
	for list != "" {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			break
		}
		if list[0] == '*' {
			return true
		}
		weak := strings.HasPrefix(list, "W/")
		tag := strings.TrimPrefix(list, "W/")
		if tag == "" || tag[0] != '"' {
			return false
		}
		end := strings.IndexByte(tag[1:], '"')
		if end < 0 {
			return false
		}
		t := tag[:end+2]
		list = tag[end+2:]
		if weak && strong {
			continue
		}
		if t == res.etag[0] {
			return true
		}
		if t == res.gzEtag[0] {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the values of Accept-Encoding allow gzip:
// named (or "*") with a non-zero quality.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		if decided, ok := gzipAccepted(v); decided {
			return ok
		}
	}
	return false
}

// gzipAccepted looks for gzip, x-gzip or "*" in one Accept-Encoding value:
// decided is whether it names one, ok whether its quality is above zero.
func gzipAccepted(v string) (decided, ok bool) {
	for part := range strings.SplitSeq(v, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return true, q > 0
	}
	return false, false
}

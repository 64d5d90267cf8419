package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/page"
	"github.com/confcal/confcal/programme"
)

// HandlerOptions tune the feed server's handler.
type HandlerOptions struct {
	// MaxQuery bounds the length of a request's query string; zero means
	// DefaultMaxQuery. Longer queries get 414.
	MaxQuery int
	// Mount, when set, adds more routes to the handler's mux (the
	// attendee pages), behind the same path checks; its patterns are
	// rooted at "/" like the handler's own.
	Mount func(mux *http.ServeMux)
}

// DefaultMaxQuery is the default bound on the length of a query string:
// room for an agenda of a few hundred sessions.
const DefaultMaxQuery = 8 << 10

// handler answers from the edition a Live holds when a request arrives.
type handler struct {
	live *Live
	opts HandlerOptions
	mux  *http.ServeMux
}

// A route answers a GET or HEAD request from one edition.
type route func(w http.ResponseWriter, r *http.Request, ed *edition) error

// NewHandler returns the feed server, answering from the edition live
// holds when each request arrives:
//
//	GET /                      the discovery page
//	GET /all.ics               the whole programme
//	GET /day/DATE.ics          one day (also track, venue, room, speaker)
//	GET /session/ID.ics        one session
//	GET /agenda.ics?QUERY      the sessions QUERY chooses (programme.ParseQuery); a
//	                           browser (Accept: text/html) gets its 400s as a page
//	GET /feeds.json            the manifest
//	GET /healthz               what is being served, as JSON
//
// HEAD is answered wherever GET is, other methods get 405, and unknown
// paths 404. A path that is not clean is redirected to its clean form, and
// one with a backslash is refused: no Location ever starts with // or /\,
// which browsers would read as another host. Requests never reach the file
// system: every path is a key into the edition's maps.
func NewHandler(live *Live, opts HandlerOptions) http.Handler {
	if opts.MaxQuery <= 0 {
		opts.MaxQuery = DefaultMaxQuery
	}
	h := &handler{live: live, opts: opts, mux: http.NewServeMux()}
	// A static resource's key is its path without the leading slash
	// (decoded, and clean by now), which costs no allocation.
	h.handle("GET /{$}", h.page)
	h.handle("GET /all.ics", h.static)
	h.handle("GET /feeds.json", h.static)
	for _, kind := range []feed.Kind{feed.KindDay, feed.KindTrack, feed.KindVenue, feed.KindRoom, feed.KindSpeaker} {
		h.handle("GET /"+string(kind)+"/{file}", h.static)
	}
	h.handle("GET /session/{file}", h.session)
	h.handle("GET /agenda.ics", h.agenda)
	h.handle("GET /healthz", h.health)
	if opts.Mount != nil {
		opts.Mount(h.mux)
	}
	h.mux.HandleFunc("/", h.unrouted)
	return h
}

func (h *handler) handle(pattern string, fn route) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > h.opts.MaxQuery {
			fail(w, errQueryTooLong)
			return
		}
		ed := h.live.cur.Load()
		if ed == nil {
			fail(w, errNoProgramme)
			return
		}
		if err := fn(w, r, ed); err != nil {
			fail(w, err)
		}
	})
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.ContainsRune(r.URL.Path, '\\') {
		fail(w, errBackslash)
		return
	}
	// Escaping leaves slashes and dots alone: the raw path is clean
	// when the decoded one is, and only a path that is not needs its
	// escaped form.
	if p := r.URL.Path; r.URL.RawPath == "" && strings.HasPrefix(p, "/") && cleanPath(p) != p || r.URL.RawPath != "" {
		p := r.URL.EscapedPath()
		if clean := cleanPath(p); strings.HasPrefix(p, "/") && clean != p {
			// One address per resource, as net/http's mux would do, in
			// this server's own words.
			loc := clean
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", loc)
			failWith(w, http.StatusMovedPermanently, "moved to "+loc)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// unrouted answers what no route takes: 405 where a GET would have been
// answered, 404 elsewhere.
func (h *handler) unrouted(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		get := *r
		get.Method = http.MethodGet
		if _, pattern := h.mux.Handler(&get); pattern != "/" {
			w.Header()["Allow"] = allowGet
			fail(w, errMethod)
			return
		}
	}
	fail(w, errNotFound)
}

// cleanPath returns p without empty, "." and ".." segments, keeping a
// final slash; p itself when it has none of them.
func cleanPath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

var (
	errNotFound     = errors.New("not found")
	errMethod       = errors.New("method not allowed: use GET or HEAD")
	errQueryTooLong = errors.New("query too long")
	errNoProgramme  = errors.New("no programme loaded yet")
	errBackslash    = errors.New("bad path: a path may not hold a backslash")
	errPrecondition = errors.New("precondition failed")
	errQueryUTF8    = errors.New("bad query: not valid UTF-8")
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
	for k, vs := range v {
		if !utf8.ValidString(k) {
			return nil, errQueryUTF8
		}
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return nil, errQueryUTF8
			}
		}
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
	case errors.As(err, &sel), errors.As(err, &qe), errors.Is(err, programme.ErrEmptySelection),
		errors.Is(err, errBackslash), errors.Is(err, errQueryUTF8):
		return http.StatusBadRequest, err.Error()
	}
	return http.StatusInternalServerError, "internal error"
}

// fail answers with err's status and a one-line plain-text message.
func fail(w http.ResponseWriter, err error) {
	code, msg := statusOf(err)
	failWith(w, code, msg)
}

// failWith answers code with a one-line plain-text message. The message
// may quote the request; control characters are replaced, and the
// text/plain type with nosniff keeps browsers from reading it as anything
// else.
func failWith(w http.ResponseWriter, code int, msg string) {
	hdr := w.Header()
	hdr["Content-Type"] = textPlain
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Cache-Control"] = noStore
	delete(hdr, "Content-Encoding")
	body := fmt.Appendf(nil, "%d %s: %s\n", code, http.StatusText(code), oneLineMessage(msg))
	hdr["Content-Length"] = []string{fmt.Sprint(len(body))}
	w.WriteHeader(code)
	_, _ = w.Write(body)
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
	allowGet   = []string{"GET, HEAD"}
	textPlain  = []string{"text/plain; charset=utf-8"}
	textHTML   = []string{"text/html; charset=utf-8"}
	varyAccept = []string{"Accept"}
	nosniff    = []string{"nosniff"}
	noStore    = []string{"no-store"}
	anyOrigin  = []string{"*"}
	varyEncode = []string{"Accept-Encoding"}
	gzipEnc    = []string{"gzip"}
	jsonType   = []string{"application/json"}
)

// page answers with the edition's discovery page.
func (h *handler) page(w http.ResponseWriter, r *http.Request, ed *edition) error {
	res, err := ed.page.get()
	if err != nil {
		return err
	}
	serveResource(w, r, ed, res)
	return nil
}

// static answers with the edition's resource at the request's path.
func (h *handler) static(w http.ResponseWriter, r *http.Request, ed *edition) error {
	res := ed.static[strings.TrimPrefix(r.URL.Path, "/")]
	if res == nil {
		return errNotFound
	}
	serveResource(w, r, ed, res)
	return nil
}

func (h *handler) session(w http.ResponseWriter, r *http.Request, ed *edition) error {
	key, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return errNotFound
	}
	res, err := ed.sessionFeed(key)
	if err != nil {
		return err
	}
	serveResource(w, r, ed, res)
	return nil
}

func (h *handler) agenda(w http.ResponseWriter, r *http.Request, ed *edition) error {
	res, err := ed.agenda(r.URL.RawQuery)
	if err != nil {
		if code, msg := statusOf(err); code == http.StatusBadRequest && acceptsHTML(r.Header.Values("Accept")) {
			body, perr := page.AgendaProblem(ed.set, errors.Is(err, programme.ErrEmptySelection), msg)
			if perr != nil {
				return fmt.Errorf("render the agenda problem page: %w", perr)
			}
			failPage(w, r, code, body)
			return nil
		}
		return err
	}
	serveResource(w, r, ed, res)
	return nil
}

// acceptsHTML reports whether an Accept field names text/html (with a
// quality above zero): a browser following a link or sending the
// discovery page's form, rather than a calendar client, which takes
// text/calendar or anything (*/*).
func acceptsHTML(accept []string) bool {
	for _, field := range accept {
		for _, r := range strings.Split(field, ",") {
			typ, params, _ := strings.Cut(r, ";")
			if !strings.EqualFold(strings.TrimSpace(typ), "text/html") {
				continue
			}
			if !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

// zeroQuality reports whether the parameters of a media range give it
// q=0, "not acceptable".
func zeroQuality(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
				return true
			}
		}
	}
	return false
}

// failPage answers code with an HTML page, for a browser: the status
// stays an error, the page is never cached, and it depends on Accept.
func failPage(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	hdr := w.Header()
	hdr["Content-Type"] = textHTML
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Cache-Control"] = noStore
	hdr["Vary"] = varyAccept
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
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

func (h *handler) health(w http.ResponseWriter, r *http.Request, ed *edition) error {
	body, _ := json.Marshal(health{Status: "ok", Programme: ed.set.Programme.ID, Sessions: len(ed.set.Programme.Sessions),
		Feeds: len(ed.set.Feeds), Version: ed.version, Loaded: ed.loaded, Modified: ed.modified})
	body = append(body, '\n')
	hdr := w.Header()
	hdr["Content-Type"] = jsonType
	hdr["Cache-Control"] = noStore
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Content-Length"] = []string{fmt.Sprint(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// conditionalFields are the request fields serveResource decides on
// itself before http.ServeContent runs.
var conditionalFields = []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}

// serveResource answers with res: validators and caching headers, 304 or
// 412 as the request's preconditions say, gzip when the client takes it;
// http.ServeContent then answers Range, If-Range and HEAD and writes the
// body.
//
// The preconditions are evaluated here rather than by ServeContent: a
// resource has two representations (as it is, and gzipped), each with its
// own strong ETag, and a client may revalidate with either, whichever
// Accept-Encoding it sends now; ServeContent knows only the ETag of the
// representation it sends. Once they are decided, they are taken off the
// request ServeContent sees, so that it does not decide them again.
func serveResource(w http.ResponseWriter, r *http.Request, ed *edition, res *resource) {
	gz := res.size >= gzipMin && acceptsGzip(r.Header["Accept-Encoding"])
	hdr := w.Header()
	// First the fields a 304 carries too (RFC 9110 §15.4.5, and
	// Last-Modified for clients that only revalidate by date).
	if gz {
		hdr["Etag"] = res.gzEtag
	} else {
		hdr["Etag"] = res.etag
	}
	if res.lastMod != nil {
		hdr["Last-Modified"] = res.lastMod
	}
	hdr["Cache-Control"] = ed.cacheCtl
	if res.size >= gzipMin {
		hdr["Vary"] = varyEncode
	}
	if res.feed {
		hdr["Access-Control-Allow-Origin"] = anyOrigin
	}
	switch preconditions(r, res) {
	case http.StatusNotModified:
		w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		delete(hdr, "Etag")
		fail(w, errPrecondition)
		return
	}
	// Then those of a body.
	hdr["Content-Type"] = res.ctype
	hdr["X-Content-Type-Options"] = nosniff
	if res.disp != nil {
		hdr["Content-Disposition"] = res.disp
	}
	var content *body
	if gz {
		hdr["Content-Encoding"] = gzipEnc
		b, _ := res.gzipped()
		content = newBody(b)
	} else {
		var err error
		if content, err = res.content(ed, r.Method == http.MethodHead); err != nil {
			fail(w, err)
			return
		}
	}
	for _, f := range conditionalFields {
		if _, ok := r.Header[f]; ok {
			r = r.Clone(r.Context())
			for _, f := range conditionalFields {
				delete(r.Header, f)
			}
			break
		}
	}
	// ServeContent sets Last-Modified from the time given, the same
	// value as above.
	http.ServeContent(bodyWriter{w}, r, "", res.modified, content)
}

// preconditions evaluates the conditional headers of r against res in the
// order of RFC 9110 §13.2.2 and returns 304, 412, or 0 to answer in full.
// Both representations of res (as it is and gzipped) carry its validator,
// so a client's ETag matches whichever it holds.
func preconditions(r *http.Request, res *resource) int {
	// The keys are looked up as the server stores them, canonical, which
	// spares the canonicalisation Header.Get does on every request.
	if im := fieldList(r.Header["If-Match"]); im != "" {
		if !etagListMatch(im, res, true) {
			return http.StatusPreconditionFailed
		}
	} else if ius := fieldFirst(r.Header["If-Unmodified-Since"]); ius != "" && !res.modified.IsZero() {
		if t, err := http.ParseTime(ius); err == nil && res.modified.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if inm := fieldList(r.Header["If-None-Match"]); inm != "" {
		if etagListMatch(inm, res, false) {
			return http.StatusNotModified
		}
		return 0
	}
	if ims := fieldFirst(r.Header["If-Modified-Since"]); ims != "" && !res.modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !res.modified.After(t) {
			return http.StatusNotModified
		}
	}
	return 0
}

// fieldList returns the values of a list field, its lines joined (RFC 9110
// §5.3).
func fieldList(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	return strings.Join(values, ", ")
}

// fieldFirst returns the first value of a field, or "".
func fieldFirst(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
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
		if t == res.etag[0] || t == res.gzEtag[0] {
			return true
		}
	}
	return false
}

package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
)

// HandlerOptions tune the feed server's handler.
type HandlerOptions struct {
	// MaxQuery bounds the length of a request's query string; zero means
	// DefaultMaxQuery. Longer queries get 414.
	MaxQuery int
}

// DefaultMaxQuery is the default bound on the length of a query string:
// room for an agenda of a few hundred sessions.
const DefaultMaxQuery = 8 << 10

// NewHandler returns the HTTP handler of the feed server. Each request is
// answered from the edition live holds when it arrives:
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
func NewHandler(live *Live, opts HandlerOptions) http.Handler {
	if opts.MaxQuery <= 0 {
		opts.MaxQuery = DefaultMaxQuery
	}
	h := &handler{live: live, opts: opts}
	mux := http.NewServeMux()
	h.route(mux, "/{$}", h.static)
	h.route(mux, "/all.ics", h.static)
	h.route(mux, "/feeds.json", h.static)
	for _, k := range []Kind{KindDay, KindTrack, KindVenue, KindRoom, KindSpeaker} {
		h.route(mux, "/"+string(k)+"/{file}", h.static)
	}
	h.route(mux, "/session/{file}", h.session)
	h.route(mux, "/agenda.ics", h.agenda)
	h.route(mux, "/healthz", h.health)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { h.fail(w, errNotFound) })
	return mux
}

type handler struct {
	live *Live
	opts HandlerOptions
}

type route func(w http.ResponseWriter, r *http.Request, ed *edition) error

// route registers fn for GET (and so HEAD) on pattern, and a 405 for
// every other method on the same path.
func (h *handler) route(mux *http.ServeMux, pattern string, fn route) {
	mux.HandleFunc("GET "+pattern, func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > h.opts.MaxQuery {
			h.fail(w, errQueryTooLong)
			return
		}
		ed := h.live.cur.Load()
		if ed == nil {
			h.fail(w, errNoProgramme)
			return
		}
		if err := fn(w, r, ed); err != nil {
			h.fail(w, err)
		}
	})
	mux.HandleFunc(pattern, func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Allow"] = allowGet
		h.fail(w, errMethod)
	})
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
func (h *handler) fail(w http.ResponseWriter, err error) {
	code, msg := statusOf(err)
	hdr := w.Header()
	hdr["Content-Type"] = textPlain
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Cache-Control"] = noStore
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s: %s\n", code, http.StatusText(code), oneLineMessage(msg))
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

func (h *handler) static(w http.ResponseWriter, r *http.Request, ed *edition) error {
	res := ed.static[strings.TrimPrefix(r.URL.Path, "/")]
	if res == nil {
		return errNotFound
	}
	h.serve(w, r, ed, res)
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
	h.serve(w, r, ed, res)
	return nil
}

func (h *handler) agenda(w http.ResponseWriter, r *http.Request, ed *edition) error {
	res, err := ed.agenda(r.URL.RawQuery)
	if err != nil {
		return err
	}
	h.serve(w, r, ed, res)
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

func (h *handler) health(w http.ResponseWriter, r *http.Request, ed *edition) error {
	body, _ := json.Marshal(health{Status: "ok", Programme: ed.set.Programme.ID, Sessions: len(ed.set.Programme.Sessions),
		Feeds: len(ed.set.Feeds), Version: ed.version, Loaded: ed.loaded, Modified: ed.modified})
	body = append(body, '\n')
	hdr := w.Header()
	hdr["Content-Type"] = jsonType
	hdr["Cache-Control"] = noStore
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// serve answers with res: validators and caching headers, 304 or 412 as
// the request's preconditions say, gzip when the client takes it.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, ed *edition, res *resource) {
	hdr := w.Header()
	gz := res.size >= gzipMin && acceptsGzip(r.Header["Accept-Encoding"])
	etag := res.etag
	if gz {
		etag = res.gzEtag
	}
	// First the fields a 304 carries too (RFC 9110 §15.4.5, and
	// Last-Modified for clients that only revalidate by date).
	hdr["Etag"] = etag
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
	switch code := preconditions(r, res); code {
	case http.StatusNotModified:
		w.WriteHeader(code)
		return
	case http.StatusPreconditionFailed:
		delete(hdr, "Etag")
		h.fail(w, errPrecondition)
		return
	}
	// Then those of a body.
	hdr["Content-Type"] = res.ctype
	hdr["X-Content-Type-Options"] = nosniff
	if gz {
		hdr["Content-Encoding"] = gzipEnc
	}
	if res.disp != nil {
		hdr["Content-Disposition"] = res.disp
	}
	if gz {
		body, length := res.gzipped()
		hdr["Content-Length"] = length
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	hdr["Content-Length"] = res.length
	if r.Method != http.MethodHead {
		_ = res.writeTo(w, ed)
	}
}

var errPrecondition = errors.New("precondition failed")

// preconditions evaluates the conditional headers of r against res in the
// order of RFC 9110 §13.2.2 and returns 304, 412, or 0 to answer in full.
// Both representations of res (as it is and gzipped) carry its validator,
// so a client's ETag matches whichever it holds.
func preconditions(r *http.Request, res *resource) int {
	if im := r.Header.Get("If-Match"); im != "" {
		if !etagListMatch(im, res, true) {
			return http.StatusPreconditionFailed
		}
	} else if ius := r.Header.Get("If-Unmodified-Since"); ius != "" && !res.modified.IsZero() {
		if t, err := http.ParseTime(ius); err == nil && res.modified.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagListMatch(inm, res, false) {
			if headMethods[r.Method] {
				return http.StatusNotModified
			}
			return http.StatusPreconditionFailed
		}
		return 0
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && headMethods[r.Method] && !res.modified.IsZero() {
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

// acceptsGzip reports whether an Accept-Encoding header allows gzip: named
// (or "*") with a non-zero quality.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "x-gzip" && name != "*" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			return q > 0
		}
	}
	return false
}

// Package googletest is a stateful fake of the Google Calendar API v3 for
// tests, served by net/http/httptest and used through the real Go client:
//
//	srv := googletest.NewServer()
//	defer srv.Close()
//	svc, _ := calendar.NewService(ctx, option.WithEndpoint(srv.Endpoint()), option.WithoutAuthentication())
//
// It reproduces the behaviour confcal depends on, as documented by Google
// and observed in the field: client-chosen event ids must be base32hex of
// 5 to 1024 characters; an id already used, even by a deleted event, gives
// 409 duplicate; deleting leaves a cancelled tombstone that keeps only its
// id, and deleting it again gives 410 deleted; events.list pages (with
// short and empty pages on request), filters by privateExtendedProperty
// (repeated constraints must all match), hides tombstones unless
// showDeleted, and hands out sync tokens on the last page, which expire
// with 410 fullSyncRequired; every change gets a new ETag and If-Match
// mismatches give 412.
//
// Faults can be injected: 429, the rate-limit 403s, the quota 403, 500,
// latency, and a write that is applied but whose response is lost.
//
// The same server is an OAuth 2.0 authorization server like Google's
// (oauth.go): a consent page a browser can click, code exchange with PKCE,
// refresh, revocation. After RequireAuth the API accepts only its access
// tokens, and calendar.app.created sees only the calendars its client
// created:
//
//	srv.AddClient(googletest.Client{ID: "id", Secret: "secret", RedirectURIs: []string{cb}})
//	srv.RequireAuth()
//	cfg := &oauth2.Config{ClientID: "id", ClientSecret: "secret", RedirectURL: cb,
//		Endpoint: oauth2.Endpoint{AuthURL: srv.AuthURL(), TokenURL: srv.TokenURL()}}
//
// Without RequireAuth the API serves every request as the one user
// Primary, as it always did.
package googletest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	calendar "google.golang.org/api/calendar/v3"
)

// Server is the fake. Its zero value is not usable; call NewServer.
type Server struct {
	srv    *httptest.Server
	active atomic.Int64 // handlers running

	mu        sync.Mutex
	calendars map[string]*fakeCalendar
	seq       int64 // bumped by every change: ETags, sync tokens
	calSeq    int
	now       func() time.Time
	faults    []*Fault
	faultFunc func(Request) FaultKind
	latency   time.Duration
	requests  []Request
	auth      oauth

	// KeepTombstoneFields keeps the fields of deleted events; by default
	// a tombstone keeps only id, status, etag and updated, which is all
	// Google guarantees.
	KeepTombstoneFields bool
	// PageLimit caps the items of every page below maxResults (0: no cap).
	PageLimit int
	// EmptyPages makes every page that is not the last followed by an
	// empty page with a next page token, as Google may.
	EmptyPages bool
}

type fakeCalendar struct {
	meta      calendar.Calendar
	events    map[string]*stored
	order     []string // ids in creation order
	minSync   int64    // sync tokens older than this give 410
	forceFull bool
	owner     string // the user whose calendar it is
	app       string // the OAuth client that created it, if any
}

type stored struct {
	ev  *calendar.Event
	seq int64 // when it last changed
}

// Request is one request the fake answered.
type Request struct {
	Method string
	Op     string // "events.insert", "events.list", "calendars.insert", ...
	Path   string
	Status int
	Fault  FaultKind // the fault injected, if any
	// Start is when the request arrived; End when it was answered.
	Start, End time.Time
}

// NewServer starts a fake on 127.0.0.1.
func NewServer() *Server {
	s := &Server{calendars: map[string]*fakeCalendar{}, now: time.Now, auth: newOAuth()}
	s.srv = httptest.NewServer(s.handler())
	return s
}

// Idle waits until no request is being handled: after a client gave up
// on requests (a cancelled context), their handlers may still run.
func (s *Server) Idle() {
	for s.active.Load() > 0 {
		time.Sleep(time.Millisecond)
	}
}

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the URL to give option.WithEndpoint: the base URL with the
// API's path, /calendar/v3/.
func (s *Server) Endpoint() string { return s.srv.URL + "/calendar/v3/" }

// Client returns an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetClock makes the fake use now for created and updated times.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	const base = "/calendar/v3"
	mux.HandleFunc("POST "+base+"/calendars", s.op("calendars.insert", s.insertCalendar))
	mux.HandleFunc("GET "+base+"/calendars/{cal}", s.op("calendars.get", s.getCalendar))
	mux.HandleFunc("DELETE "+base+"/calendars/{cal}", s.op("calendars.delete", s.deleteCalendar))
	mux.HandleFunc("GET "+base+"/calendars/{cal}/events", s.op("events.list", s.listEvents))
	mux.HandleFunc("POST "+base+"/calendars/{cal}/events", s.op("events.insert", s.insertEvent))
	mux.HandleFunc("GET "+base+"/calendars/{cal}/events/{id}", s.op("events.get", s.getEvent))
	mux.HandleFunc("PUT "+base+"/calendars/{cal}/events/{id}", s.op("events.update", s.updateEvent))
	mux.HandleFunc("PATCH "+base+"/calendars/{cal}/events/{id}", s.op("events.patch", s.patchEvent))
	mux.HandleFunc("DELETE "+base+"/calendars/{cal}/events/{id}", s.op("events.delete", s.deleteEvent))
	mux.HandleFunc("GET "+base+"/users/me/calendarList", s.op("calendarList.list", s.listCalendars))
	s.oauthRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(Request{Method: r.Method, Op: "unknown", Path: r.URL.Path, Status: http.StatusNotFound})
		writeError(w, http.StatusNotFound, "notFound", "Not Found")
	})
	return mux
}

// apiError is a Google JSON error.
type apiError struct {
	code    int
	reason  string
	message string
	header  map[string]string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.code, e.reason, e.message) }

func errorf(code int, reason, format string, args ...any) *apiError {
	return &apiError{code: code, reason: reason, message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, code int, reason, message string) {
	domain := "global"
	if reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" || reason == "quotaExceeded" {
		domain = "usageLimits"
	}
	body := map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"errors": []map[string]string{{"domain": domain, "reason": reason, "message": message}},
	}}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	writeError(w, e.code, e.reason, e.message)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// handlerFunc handles one API method under the lock and returns the
// answer or an API error.
type handlerFunc func(r *http.Request) (int, any, *apiError)

// op wraps h with latency, fault injection and the request log.
func (s *Server) op(name string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.active.Add(1)
		defer s.active.Add(-1)
		start := time.Now()
		s.mu.Lock()
		latency := s.latency
		s.mu.Unlock()
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
		req := Request{Method: r.Method, Op: name, Path: r.URL.Path, Start: start}
		s.mu.Lock()
		r, aerr := s.admit(r, name)
		if aerr != nil {
			s.mu.Unlock()
			req.Status = aerr.code
			s.record(req)
			writeAPIError(w, aerr)
			return
		}
		fault := s.takeFault(req)
		req.Fault = fault.kind
		if fault.before() {
			s.mu.Unlock()
			req.Status = fault.status()
			s.record(req)
			if fault.retryAfter > 0 {
				w.Header().Set("Retry-After", fmt.Sprint(int(fault.retryAfter.Seconds())))
			}
			writeError(w, fault.status(), fault.reason(), fault.message())
			return
		}
		code, body, aerr := h(r)
		s.mu.Unlock()
		switch {
		case fault.kind == LostResponse:
			req.Status = 0
			s.record(req)
			dropConnection(w)
			return
		case fault.kind == ServerErrorAfterWrite:
			req.Status = http.StatusInternalServerError
			s.record(req)
			writeError(w, http.StatusInternalServerError, "backendError", "Backend Error")
			return
		case aerr != nil:
			req.Status = aerr.code
			s.record(req)
			writeAPIError(w, aerr)
			return
		}
		req.Status = code
		s.record(req)
		if code == http.StatusNoContent {
			w.WriteHeader(code)
			return
		}
		writeJSON(w, code, body)
	}
}

// dropConnection closes the connection without an answer: the client sees
// a network error after the server did the work.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func (s *Server) record(r Request) {
	r.End = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// Requests returns every request answered so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Counts returns the number of requests by HTTP method.
func (s *Server) Counts() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		out[r.Method]++
	}
	return out
}

// OpCounts returns the number of requests by API method.
func (s *Server) OpCounts() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		out[r.Op]++
	}
	return out
}

// Span returns the time from the arrival of the first request logged to
// the answer of the last.
func (s *Server) Span() time.Duration {
	var first, last time.Time
	for _, r := range s.Requests() {
		if first.IsZero() || r.Start.Before(first) {
			first = r.Start
		}
		if r.End.After(last) {
			last = r.End
		}
	}
	return last.Sub(first)
}

// Writes returns the number of requests that may change events or
// calendars: every POST, PUT, PATCH and DELETE, whatever its answer.
func (s *Server) Writes() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// FormatCounts prints request counts by method, sorted, e.g.
// "DELETE 0, GET 1, POST 10, PUT 0".
func FormatCounts(c map[string]int) string {
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	var parts []string
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s %d", m, c[m]))
	}
	var other []string
	for m := range c {
		if !contains(methods, m) {
			other = append(other, m)
		}
	}
	sort.Strings(other)
	for _, m := range other {
		parts = append(parts, fmt.Sprintf("%s %d", m, c[m]))
	}
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

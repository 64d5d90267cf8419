package serve

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
)

// newTestServer serves set as confcal serve does and returns the server
// and its Live.
func newTestServer(t testing.TB, set *feed.Set) (*testServer, *Live) {
	t.Helper()
	live := NewLive(LiveOptions{Now: func() time.Time { return time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC) }})
	if err := live.Publish(set); err != nil {
		t.Fatal(err)
	}
	return serveLive(t, live, HandlerOptions{}), live
}

// testServer is a feed server on a loopback port, stopped when the test
// ends.
type testServer struct {
	URL string
}

func serveLive(t testing.TB, live *Live, opts HandlerOptions) *testServer {
	t.Helper()
	srv := httptest.NewServer(NewHandler(live, opts))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL}
}

type response struct {
	code int
	hdr  http.Header
	body []byte
}

// fetch makes one request; header pairs are name, value.
func fetch(t testing.TB, method, u string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// Accept-Encoding is ours to set: the transport must not add gzip and
	// decode behind our back.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

func TestRoutes(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	tests := []struct {
		path  string
		code  int
		ctype string
	}{
		{"/", 200, "text/html; charset=utf-8"},
		{"/all.ics", 200, calendarType},
		{"/day/2025-03-10.ics", 200, calendarType},
		{"/track/science.ics", 200, calendarType},
		{"/venue/hall.ics", 200, calendarType},
		{"/room/hall-a.ics", 200, calendarType},
		{"/speaker/ada.ics", 200, calendarType},
		{"/session/engines.ics", 200, calendarType},
		{"/agenda.ics?session=opening,paint", 200, calendarType},
		{"/agenda.ics?track=art&day=2025-03-10", 200, calendarType},
		{"/all.ics?cachebuster=1", 200, calendarType},
		{"/feeds.json", 200, "application/json"},
		{"/healthz", 200, "application/json"},

		{"/nope", 404, "text/plain; charset=utf-8"},
		{"/all", 404, "text/plain; charset=utf-8"},
		{"/index.html", 404, "text/plain; charset=utf-8"},
		{"/day/2030-01-01.ics", 404, "text/plain; charset=utf-8"},
		{"/track/science", 404, "text/plain; charset=utf-8"},
		{"/track/science.ics/x", 404, "text/plain; charset=utf-8"},
		{"/track/", 404, "text/plain; charset=utf-8"},
		{"/session/nope.ics", 404, "text/plain; charset=utf-8"},
		{"/session/engines", 404, "text/plain; charset=utf-8"},
		{"/track/..%2f..%2fetc%2fpasswd", 404, "text/plain; charset=utf-8"},
		{"/track/%2e%2e%2fall.ics", 404, "text/plain; charset=utf-8"},
		{"/etc/passwd", 404, "text/plain; charset=utf-8"},

		// One address per resource: unclean paths are sent to the clean one.
		{"//all.ics", 301, "text/plain; charset=utf-8"},
		{"/track/../all.ics?x=1", 301, "text/plain; charset=utf-8"},
		{"/./feeds.json", 301, "text/plain; charset=utf-8"},

		{"/agenda.ics", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?session=nope", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?track=nope", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?day=2030-01-01", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?day=yesterday", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?colour=red", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?session=%zz", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?session=", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?from=2025-03-11&until=2025-03-10", 400, "text/plain; charset=utf-8"},
		{"/agenda.ics?" + strings.Repeat("session=opening&", 600), 414, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := fetch(t, "GET", srv.URL+tt.path)
			if r.code != tt.code {
				t.Fatalf("status %d, want %d: %s", r.code, tt.code, r.body)
			}
			if got := r.hdr.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := r.hdr.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			switch {
			case tt.code == 301:
				loc := r.hdr.Get("Location")
				if target, err := url.Parse(srv.URL + loc); err != nil || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") ||
					fetch(t, "GET", target.String()).code != 200 {
					t.Errorf("Location %q does not lead to the resource", loc)
				}
			case tt.code >= 400:
				if !bytes.HasPrefix(r.body, []byte(http.StatusText(tt.code))) && !bytes.Contains(r.body, []byte(http.StatusText(tt.code))) {
					t.Errorf("body %q does not say %q", r.body, http.StatusText(tt.code))
				}
				if bytes.Count(r.body, []byte("\n")) != 1 || bytes.ContainsRune(r.body, '\r') {
					t.Errorf("error body is not one line: %q", r.body)
				}
				if got := r.hdr.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q on an error", got)
				}
			case tt.ctype == calendarType:
				checkCalendar(t, r.body)
			}
		})
	}
}

// checkCalendar parses body as iCalendar and checks that it is one
// complete calendar with CRLF line ends.
func checkCalendar(t testing.TB, body []byte) *ics.Calendar {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("not one complete calendar: %.80q ... %.40q", body, body[max(0, len(body)-40):])
	}
	if bytes.Count(body, []byte("BEGIN:VCALENDAR")) != 1 {
		t.Fatal("more than one VCALENDAR")
	}
	if n, m := bytes.Count(body, []byte("\n")), bytes.Count(body, []byte("\r\n")); n != m {
		t.Fatalf("%d bare LF", n-m)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cal
}

// summaries returns the SUMMARY of each event of a calendar.
func summaries(t testing.TB, body []byte) []string {
	t.Helper()
	var out []string
	for _, ev := range checkCalendar(t, body).Events() {
		out = append(out, ev.GetProperty(ics.ComponentPropertySummary).Value)
	}
	return out
}

func TestFeedHeaders(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	for _, path := range []string{"/all.ics", "/track/art.ics", "/session/paint.ics", "/agenda.ics?session=paint"} {
		t.Run(path, func(t *testing.T) {
			r := fetch(t, "GET", srv.URL+path)
			if r.code != 200 {
				t.Fatalf("status %d", r.code)
			}
			if want := `"` + feed.ContentHash(r.body)[:32] + `"`; r.hdr.Get("ETag") != want {
				t.Errorf("ETag %q, want %q (a strong validator from the content)", r.hdr.Get("ETag"), want)
			}
			lm, err := http.ParseTime(r.hdr.Get("Last-Modified"))
			if err != nil {
				t.Errorf("Last-Modified %q: %v", r.hdr.Get("Last-Modified"), err)
			}
			if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !lm.Equal(want) {
				t.Errorf("Last-Modified %v, want the programme's data %v", lm, want)
			}
			if got := r.hdr.Get("Cache-Control"); got != "public, max-age=1800" {
				t.Errorf("Cache-Control %q, want the refresh interval of 30m", got)
			}
			if got := r.hdr.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q", got)
			}
			if got, gz := r.hdr.Get("Vary"), len(r.body) >= gzipMin; gz && got != "Accept-Encoding" || !gz && got != "" {
				t.Errorf("Vary %q for %d bytes", got, len(r.body))
			}
			if got := r.hdr.Get("Content-Length"); got != strconv.Itoa(len(r.body)) {
				t.Errorf("Content-Length %q for %d bytes", got, len(r.body))
			}
			disp := r.hdr.Get("Content-Disposition")
			if !strings.HasPrefix(disp, `inline; filename="conf-`) || !strings.HasSuffix(disp, `.ics"`) {
				t.Errorf("Content-Disposition %q", disp)
			}
		})
	}
	r := fetch(t, "GET", srv.URL+"/track/art.ics")
	if got := r.hdr.Get("Content-Disposition"); got != `inline; filename="conf-track-art.ics"` {
		t.Errorf("Content-Disposition %q", got)
	}
	page := fetch(t, "GET", srv.URL+"/")
	if page.hdr.Get("Access-Control-Allow-Origin") != "" || page.hdr.Get("Content-Disposition") != "" {
		t.Errorf("the page has feed headers: %v", page.hdr)
	}
}

func TestConditional(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	for _, path := range []string{"/all.ics", "/feeds.json", "/", "/session/opening.ics", "/agenda.ics?track=art"} {
		full := fetch(t, "GET", srv.URL+path)
		etag, lm := full.hdr.Get("ETag"), full.hdr.Get("Last-Modified")
		earlier := mustTime(t, lm).Add(-time.Hour).Format(http.TimeFormat)
		later := mustTime(t, lm).Add(time.Hour).Format(http.TimeFormat)
		tests := []struct {
			name   string
			method string
			header []string
			code   int
		}{
			{"etag", "GET", []string{"If-None-Match", etag}, 304},
			{"etag HEAD", "HEAD", []string{"If-None-Match", etag}, 304},
			{"weak etag", "GET", []string{"If-None-Match", "W/" + etag}, 304},
			{"etag in a list", "GET", []string{"If-None-Match", `"x", ` + etag + `, "y"`}, 304},
			{"star", "GET", []string{"If-None-Match", "*"}, 304},
			{"other etag", "GET", []string{"If-None-Match", `"0123"`}, 200},
			{"broken etag", "GET", []string{"If-None-Match", `abc`}, 200},
			{"same date", "GET", []string{"If-Modified-Since", lm}, 304},
			{"later date", "GET", []string{"If-Modified-Since", later}, 304},
			{"earlier date", "GET", []string{"If-Modified-Since", earlier}, 200},
			{"bad date", "GET", []string{"If-Modified-Since", "yesterday"}, 200},
			// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
			{"etag differs, date same", "GET", []string{"If-None-Match", `"0123"`, "If-Modified-Since", lm}, 200},
			{"if-match", "GET", []string{"If-Match", etag}, 200},
			{"if-match fails", "GET", []string{"If-Match", `"0123"`}, 412},
			{"if-match weak fails", "GET", []string{"If-Match", "W/" + etag}, 412},
			{"if-unmodified-since fails", "GET", []string{"If-Unmodified-Since", earlier}, 412},
		}
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				r := fetch(t, tt.method, srv.URL+path, tt.header...)
				if r.code != tt.code {
					t.Fatalf("status %d, want %d", r.code, tt.code)
				}
				if tt.code == 304 {
					if len(r.body) != 0 {
						t.Errorf("304 with a body")
					}
					if r.hdr.Get("ETag") != etag || r.hdr.Get("Last-Modified") != lm || r.hdr.Get("Cache-Control") == "" {
						t.Errorf("304 without its validators: %v", r.hdr)
					}
				}
				if tt.code == 412 && (r.hdr.Get("ETag") != "" || r.hdr.Get("Last-Modified") != lm || r.hdr.Get("Cache-Control") != "no-store") {
					t.Errorf("412 with ETag %q, Last-Modified %q, Cache-Control %q: want none, the resource's, no-store",
						r.hdr.Get("ETag"), r.hdr.Get("Last-Modified"), r.hdr.Get("Cache-Control"))
				}
				if tt.code == 200 && !bytes.Equal(r.body, full.body) && tt.method == "GET" {
					t.Errorf("full answer differs")
				}
			})
		}
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := http.ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestGzip(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, live := newTestServer(t, set)
	plain := fetch(t, "GET", srv.URL+"/all.ics")
	for _, ae := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "x-gzip"} {
		r := fetch(t, "GET", srv.URL+"/all.ics", "Accept-Encoding", ae)
		if r.hdr.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, r.hdr.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain.body) {
			t.Fatal("gzipped body differs from the plain one")
		}
		if r.hdr.Get("ETag") == plain.hdr.Get("ETag") || !strings.HasPrefix(r.hdr.Get("ETag"), `"`) {
			t.Errorf("gzip ETag %q: must be strong and differ from %q", r.hdr.Get("ETag"), plain.hdr.Get("ETag"))
		}
		if r.hdr.Get("Content-Length") != strconv.Itoa(len(r.body)) {
			t.Errorf("Content-Length %q for %d bytes", r.hdr.Get("Content-Length"), len(r.body))
		}
		// Either validator revalidates either representation.
		for _, tag := range []string{r.hdr.Get("ETag"), plain.hdr.Get("ETag")} {
			if nm := fetch(t, "GET", srv.URL+"/all.ics", "Accept-Encoding", ae, "If-None-Match", tag); nm.code != 304 || nm.hdr.Get("ETag") != r.hdr.Get("ETag") {
				t.Errorf("If-None-Match %s with gzip: %d %q", tag, nm.code, nm.hdr.Get("ETag"))
			}
		}
	}
	for _, ae := range []string{"", "identity", "gzip;q=0", "deflate, br", "gzip;q=0.0, br"} {
		r := fetch(t, "GET", srv.URL+"/all.ics", "Accept-Encoding", ae)
		if r.hdr.Get("Content-Encoding") != "" || !bytes.Equal(r.body, plain.body) {
			t.Errorf("Accept-Encoding %q: got Content-Encoding %q", ae, r.hdr.Get("Content-Encoding"))
		}
	}
	// Compressed once per version: the same bytes every time.
	res := live.cur.Load().static["all.ics"]
	first, _ := res.gzipped()
	fetch(t, "GET", srv.URL+"/all.ics", "Accept-Encoding", "gzip")
	second, _ := res.gzipped()
	if &first[0] != &second[0] {
		t.Error("the feed was compressed again")
	}
	// Small answers are not worth compressing.
	if r := fetch(t, "GET", srv.URL+"/healthz", "Accept-Encoding", "gzip"); r.hdr.Get("Content-Encoding") != "" {
		t.Error("healthz gzipped")
	}
}

func TestHead(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	for _, path := range []string{"/", "/all.ics", "/day/2025-03-11.ics", "/session/opening.ics", "/agenda.ics?session=opening", "/feeds.json", "/healthz"} {
		get := fetch(t, "GET", srv.URL+path)
		head := fetch(t, "HEAD", srv.URL+path)
		if head.code != 200 || len(head.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", path, head.code, len(head.body))
		}
		for _, h := range []string{"Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Content-Disposition", "Access-Control-Allow-Origin"} {
			if head.hdr.Get(h) != get.hdr.Get(h) {
				t.Errorf("HEAD %s: %s %q, GET has %q", path, h, head.hdr.Get(h), get.hdr.Get(h))
			}
		}
		if gz := fetch(t, "HEAD", srv.URL+path, "Accept-Encoding", "gzip"); gz.code != 200 || len(gz.body) != 0 {
			t.Errorf("HEAD %s with gzip: %d, %d bytes", path, gz.code, len(gz.body))
		}
	}
	if r := fetch(t, "HEAD", srv.URL+"/nope"); r.code != 404 {
		t.Errorf("HEAD /nope: %d", r.code)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	for _, path := range []string{"/", "/all.ics", "/day/2025-03-10.ics", "/track/art.ics", "/venue/hall.ics", "/room/hall-a.ics",
		"/speaker/ada.ics", "/session/opening.ics", "/agenda.ics?session=opening", "/feeds.json", "/healthz"} {
		for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			r := fetch(t, method, srv.URL+path)
			if r.code != 405 {
				t.Errorf("%s %s: %d, want 405", method, path, r.code)
			}
			if r.hdr.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q", method, path, r.hdr.Get("Allow"))
			}
		}
	}
	if r := fetch(t, "POST", srv.URL+"/nope"); r.code != 404 {
		t.Errorf("POST /nope: %d, want 404", r.code)
	}
}

func TestAgenda(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, live := newTestServer(t, set)
	tests := []struct {
		query string
		want  []string
	}{
		{"session=opening,paint", []string{"Opening", "Painting with numbers"}},
		{"session=paint&session=opening", []string{"Opening", "Painting with numbers"}},
		{"track=art", []string{"Painting with numbers", "Cancelled: Old talk"}},
		{"track=science&day=2025-03-11", []string{"Computing machinery"}},
		{"speaker=ada", []string{"Opening", "Analytical engines"}},
		{"venue=annex&exclude=gone", []string{"Computing machinery"}},
		{"q=engines", []string{"Analytical engines"}},
		{"q=nothing+matches+this", nil},
	}
	for _, tt := range tests {
		r := fetch(t, "GET", srv.URL+"/agenda.ics?"+tt.query)
		if r.code != 200 {
			t.Fatalf("%s: %d %s", tt.query, r.code, r.body)
		}
		if got := summaries(t, r.body); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %q, want %q", tt.query, got, tt.want)
		}
		if !bytes.Contains(r.body, []byte("NAME:Test Conference · My agenda\r\n")) {
			t.Errorf("%s: no agenda name", tt.query)
		}
		if bytes.Contains(r.body, []byte("SOURCE")) {
			t.Errorf("%s: an agenda names a SOURCE it cannot be fetched from", tt.query)
		}
	}
	// Two spellings of one selection share one calendar.
	a := fetch(t, "GET", srv.URL+"/agenda.ics?session=opening,paint")
	b := fetch(t, "GET", srv.URL+"/agenda.ics?session=paint,%20opening,opening")
	if a.hdr.Get("ETag") != b.hdr.Get("ETag") {
		t.Error("equal selections, different calendars")
	}
	ed := live.cur.Load()
	if ed.cache.peek("a\x00session=opening&session=paint") == nil {
		t.Error("agenda not cached under its canonical selection")
	}
}

// TestAgendaKeepsRemovedSessions checks that a subscribed agenda survives
// the removal of one of its sessions: the session stays, cancelled, while
// the state publishes it, instead of the whole link failing.
func TestAgendaKeepsRemovedSessions(t *testing.T) {
	dir := t.TempDir()
	store, err := feed.OpenStore(dir+"/state.json", "conf")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	p1 := feedtest.Decode(t, feedtest.ServerProgramme)
	if _, err := store.Reconcile(p1, now); err != nil {
		t.Fatal(err)
	}
	p2 := feedtest.Decode(t, strings.Replace(feedtest.ServerProgramme,
		"  - {id: paint, title: Painting with numbers, start: 2025-03-10T10:30, end: 2025-03-10T11:30, venue: hall, room: b, track: art}\n", "", 1))
	h, err := store.Reconcile(p2, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	set, err := feed.Build(p2, feed.Options{History: h})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newTestServer(t, set)
	r := fetch(t, "GET", srv.URL+"/agenda.ics?session=opening,paint")
	if r.code != 200 {
		t.Fatalf("status %d: %s", r.code, r.body)
	}
	if got := summaries(t, r.body); strings.Join(got, "|") != "Opening|Cancelled: Painting with numbers" {
		t.Errorf("got %q", got)
	}
	if r := fetch(t, "GET", srv.URL+"/agenda.ics?session=paint&exclude=paint"); r.code != 400 {
		t.Errorf("a selection of nothing: %d", r.code)
	}
	if r := fetch(t, "GET", srv.URL+"/session/paint.ics"); r.code != 200 || !bytes.Contains(r.body, []byte("STATUS:CANCELLED")) {
		t.Errorf("removed session's own feed: %d", r.code)
	}
}

// TestInjection sends query values made to break out of a calendar line or
// into HTML: none reaches a response unescaped.
func TestInjection(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	evil := []string{
		"x\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
		"x\nEND:VCALENDAR\nBEGIN:VCALENDAR",
		`"><script>alert(1)</script>`,
		"<img src=x onerror=alert(1)>",
		"'; DROP TABLE sessions; --",
		"\u2028\u2029\x00\x7f",
	}
	for _, v := range evil {
		for _, param := range []string{"session", "track", "day", "venue", "room", "speaker", "type", "tag", "from", "until", "exclude", "not-track", v} {
			u := srv.URL + "/agenda.ics?" + url.Values{param: {v}}.Encode()
			r := fetch(t, "GET", u)
			if r.code != 400 {
				t.Errorf("%s=%q: %d, want 400", param, v, r.code)
			}
			if r.hdr.Get("Content-Type") != "text/plain; charset=utf-8" || r.hdr.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s=%q: error answered as %q", param, v, r.hdr.Get("Content-Type"))
			}
			if bytes.Count(r.body, []byte("\n")) != 1 || bytes.ContainsAny(r.body, "\r\x00\x7f\u2028\u2029") {
				t.Errorf("%s=%q: message not one clean line: %q", param, v, r.body)
			}
		}
		// Free text is a valid query whatever it holds: the calendar is
		// still one clean calendar with nothing of the query in it.
		r := fetch(t, "GET", srv.URL+"/agenda.ics?"+url.Values{"q": {v}}.Encode())
		if r.code == 400 { // a text of no words chooses nothing
			if bytes.Count(r.body, []byte("\n")) != 1 || bytes.ContainsAny(r.body, "\r\x00\x7f\u2028\u2029") {
				t.Errorf("q=%q: message not one clean line: %q", v, r.body)
			}
			continue
		}
		if r.code != 200 {
			t.Fatalf("q=%q: %d %s", v, r.code, r.body)
		}
		checkCalendar(t, r.body)
		for _, bad := range []string{"injected", "script", "onerror", "DROP"} {
			if bytes.Contains(r.body, []byte(bad)) {
				t.Errorf("q=%q: %q in the calendar", v, bad)
			}
		}
		if n := bytes.Count(r.body, []byte("BEGIN:VEVENT")); n != 0 {
			t.Errorf("q=%q: %d events", v, n)
		}
	}
	// Paths are never echoed, so they cannot inject either.
	r := fetch(t, "GET", srv.URL+"/track/%3Cscript%3E.ics")
	if r.code != 404 || bytes.Contains(r.body, []byte("<script")) {
		t.Errorf("path echoed: %d %q", r.code, r.body)
	}
}

func TestHealthz(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, live := newTestServer(t, set)
	r := fetch(t, "GET", srv.URL+"/healthz")
	var h health
	if err := json.Unmarshal(r.body, &h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "ok" || h.Programme != "conf" || h.Sessions != 5 || h.Feeds != len(set.Feeds) || h.Version != live.Version() {
		t.Errorf("healthz %+v", h)
	}
	if r.hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.hdr.Get("Cache-Control"))
	}
}

func TestNothingPublished(t *testing.T) {
	srv := serveLive(t, NewLive(LiveOptions{}), HandlerOptions{})
	for _, path := range []string{"/", "/all.ics", "/healthz", "/agenda.ics?session=a"} {
		if r := fetch(t, "GET", srv.URL+path); r.code != 503 {
			t.Errorf("%s before any programme: %d, want 503", path, r.code)
		}
	}
}

func TestManifestServed(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	r := fetch(t, "GET", srv.URL+"/feeds.json")
	var m feed.Manifest
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Feeds) != len(set.Feeds) {
		t.Fatalf("%d feeds in the manifest, %d in the set", len(m.Feeds), len(set.Feeds))
	}
	for _, f := range m.Feeds {
		got := fetch(t, "GET", srv.URL+"/"+f.Path)
		if got.code != 200 || feed.ContentHash(got.body) != f.Hash {
			t.Errorf("%s: %d, hash differs from the manifest's", f.Path, got.code)
		}
	}
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNoOpenRedirect sends paths as curl --path-as-is would: a Location
// never starts with // or /\ (which browsers resolve to another host), and
// a path with a backslash is refused.
func TestNoOpenRedirect(t *testing.T) {
	srv, _ := newTestServer(t, feedtest.BuildSet(t, feedtest.ServerProgramme))
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, target := range []string{`//\evil.example`, `/a/../\evil.example`, `/\evil.example`, `/%5Cevil.example`, `//evil.example/`, `/a/..//evil.example`} {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		resp.Body.Close()
		conn.Close()
		loc := resp.Header.Get("Location")
		if strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) || strings.Contains(loc, `\`) {
			t.Errorf("%s: Location %q leads off the site", target, loc)
		}
		if strings.Contains(target, `\`) || strings.Contains(target, "%5C") {
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", target, resp.StatusCode)
			}
		}
	}
}

// TestAgendaQueryNotUTF8 says what is wrong with a query that is not
// UTF-8, rather than that nothing was chosen.
func TestAgendaQueryNotUTF8(t *testing.T) {
	srv, _ := newTestServer(t, feedtest.BuildSet(t, feedtest.ServerProgramme))
	r := fetch(t, "GET", srv.URL+"/agenda.ics?q=%ff%fe")
	if r.code != 400 || !bytes.Contains(r.body, []byte("not valid UTF-8")) {
		t.Errorf("status %d, %q; want 400 saying the query is not valid UTF-8", r.code, r.body)
	}
}

// TestRange answers byte ranges of a feed, as it is and gzipped.
func TestRange(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	want := set.Feed("all").Bytes()
	r := fetch(t, "GET", srv.URL+"/all.ics", "Range", "bytes=10-99")
	if r.code != http.StatusPartialContent || !bytes.Equal(r.body, want[10:100]) {
		t.Fatalf("status %d, %q; want 206 and bytes 10-99", r.code, r.body)
	}
	if got := r.hdr.Get("Content-Range"); got != fmt.Sprintf("bytes 10-99/%d", len(want)) {
		t.Errorf("Content-Range %q", got)
	}
	full := fetch(t, "GET", srv.URL+"/all.ics")
	r = fetch(t, "GET", srv.URL+"/all.ics", "Range", "bytes=0-9", "If-Range", `"stale"`)
	if r.code != 200 || !bytes.Equal(r.body, want) {
		t.Errorf("If-Range with a stale ETag: status %d, want 200 and the whole feed", r.code)
	}
	r = fetch(t, "GET", srv.URL+"/all.ics", "Range", "bytes=0-9", "If-Range", full.hdr.Get("Etag"))
	if r.code != http.StatusPartialContent || !bytes.Equal(r.body, want[:10]) {
		t.Errorf("If-Range with the ETag: status %d", r.code)
	}
	if r = fetch(t, "GET", srv.URL+"/all.ics", "Range", fmt.Sprintf("bytes=%d-", len(want)+10)); r.code != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("a range past the end: status %d, want 416", r.code)
	}
}

// Routes mounted beside the feeds answer, behind the same path checks.
func TestMountedRoutes(t *testing.T) {
	live := NewLive(LiveOptions{})
	if err := live.Publish(feedtest.BuildSet(t, feedtest.ServerProgramme)); err != nil {
		t.Fatal(err)
	}
	srv := serveLive(t, live, HandlerOptions{Mount: func(mux *http.ServeMux) {
		mux.HandleFunc("POST /manage/{token}/{action}", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(r.PathValue("action")))
		})
	}})
	if r := fetch(t, "POST", srv.URL+"/manage/abc/sync"); r.code != 200 || string(r.body) != "sync" {
		t.Errorf("mounted route: %d %q", r.code, r.body)
	}
	if r := fetch(t, "POST", srv.URL+"/manage/abc/../abc/sync"); r.code != http.StatusMovedPermanently {
		t.Errorf("a path that is not clean: %d, want 301", r.code)
	}
	if r := fetch(t, "GET", srv.URL+"/all.ics"); r.code != 200 {
		t.Errorf("the feeds next to it: %d", r.code)
	}
}

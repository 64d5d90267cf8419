package feed

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStacksAgree sends the same requests to the fasthttp and the
// net/http handler and checks that they answer alike: status, header
// fields (Date aside) and body, byte for byte.
func TestStacksAgree(t *testing.T) {
	set := buildSet(t, serverProgramme)
	live := NewLive(LiveOptions{Now: func() time.Time { return time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC) }})
	if err := live.Publish(set); err != nil {
		t.Fatal(err)
	}
	fast, std := serveFast(t, live, HandlerOptions{}), serveStd(t, live, HandlerOptions{})
	etag := fetch(t, "GET", fast.URL+"/all.ics").hdr.Get("ETag")
	paths := []string{
		"/", "/all.ics", "/feeds.json", "/day/2025-03-10.ics", "/track/science.ics", "/venue/hall.ics",
		"/room/hall-a.ics", "/speaker/ada.ics", "/session/engines.ics", "/agenda.ics?session=opening,paint",
		"/agenda.ics?track=art&day=2025-03-10", "/all.ics?x=1",
		// Escapes: each segment is unescaped on its own.
		"/all%2Eics", "/track/art%2eics", "/%74rack/art.ics", "/track%2Fart.ics", "/track/art%2F.ics", "/session/%6Fpening.ics",
		"/nope", "/all", "/track/", "/track/art.ics/", "/track//art.ics", "//all.ics", "/track/../all.ics",
		"/session/engines", "/etc/passwd",
		"/agenda.ics", "/agenda.ics?session=nope", "/agenda.ics?session=%zz", "/agenda.ics?" + strings.Repeat("track=art&", 900),
	}
	type req struct {
		method string
		path   string
		header []string
	}
	var reqs []req
	for _, p := range paths {
		reqs = append(reqs, req{"GET", p, nil}, req{"HEAD", p, nil}, req{"POST", p, nil},
			req{"GET", p, []string{"Accept-Encoding", "gzip"}})
	}
	for _, h := range [][]string{
		{"If-None-Match", etag}, {"If-None-Match", "W/" + etag}, {"If-None-Match", `"other"`}, {"If-None-Match", "*"},
		{"If-Match", etag}, {"If-Match", `"other"`},
		{"If-Modified-Since", "Wed, 01 Jan 2025 00:00:00 GMT"}, {"If-Modified-Since", "Tue, 31 Dec 2024 00:00:00 GMT"},
		{"If-Unmodified-Since", "Tue, 31 Dec 2024 00:00:00 GMT"},
		{"Accept-Encoding", "gzip;q=0"}, {"Accept-Encoding", "br, x-gzip"},
	} {
		reqs = append(reqs, req{"GET", "/all.ics", h}, req{"HEAD", "/all.ics", h}, req{"DELETE", "/all.ics", h})
	}
	for _, rq := range reqs {
		f := fetch(t, rq.method, fast.URL+rq.path, rq.header...)
		s := fetch(t, rq.method, std.URL+rq.path, rq.header...)
		name := fmt.Sprintf("%s %.60s %q", rq.method, rq.path, rq.header)
		if f.code != s.code {
			t.Errorf("%s: fasthttp %d, net/http %d", name, f.code, s.code)
			continue
		}
		if !bytes.Equal(f.body, s.body) {
			t.Errorf("%s: bodies differ: %.80q, %.80q", name, f.body, s.body)
		}
		for _, k := range union(f.hdr, s.hdr) {
			if k == "Date" {
				continue
			}
			if fv, sv := f.hdr.Values(k), s.hdr.Values(k); !slices.Equal(fv, sv) {
				t.Errorf("%s: %s: fasthttp %q, net/http %q", name, k, fv, sv)
			}
		}
	}
}

func union(a, b http.Header) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// TestServed checks what the access log hook is told, on both stacks,
// with feeds kept whole (sent from a file where the system allows) and
// assembled as they are sent: the body bytes written, once they are.
func TestServed(t *testing.T) {
	set := buildSet(t, versioned(300)) // all.ics over one write chunk
	for _, stack := range stacks {
		for _, keep := range []int{0, 1} {
			t.Run(fmt.Sprintf("%s/keep=%d", stack.name, keep), func(t *testing.T) {
				served := make(chan Served, 10)
				live := NewLive(LiveOptions{KeepBytes: keep})
				if err := live.Publish(set); err != nil {
					t.Fatal(err)
				}
				srv := stack.serve(t, live, HandlerOptions{Served: func(s Served) { served <- s }})
				// next waits for the hook's report of the request just made.
				next := func() Served {
					t.Helper()
					select {
					case s := <-served:
						if s.Duration <= 0 || s.Err != nil {
							t.Errorf("%s %s: duration %v, error %v", s.Method, s.Path, s.Duration, s.Err)
						}
						s.Duration = 0
						return s
					case <-time.After(10 * time.Second):
						t.Fatal("the hook was not called")
					}
					return Served{}
				}
				for _, tt := range []struct {
					method, path string
					header       []string
					status       int
					body         bool // Bytes is the body's length, else 0
				}{
					{"GET", "/all.ics", nil, 200, true},
					{"GET", "/all.ics", nil, 200, true},
					{"GET", "/all.ics", []string{"Accept-Encoding", "gzip"}, 200, true},
					{"GET", "/no%20pe", nil, 404, true},
					{"HEAD", "/all.ics", nil, 200, false},
					{"GET", "/all.ics", []string{"If-None-Match", "*"}, 304, false},
				} {
					r := fetch(t, tt.method, srv.URL+tt.path, tt.header...)
					want := Served{Method: tt.method, Path: tt.path, Status: tt.status}
					if tt.body {
						want.Bytes = int64(len(r.body))
					}
					if got := next(); got != want {
						t.Errorf("%+v, want %+v", got, want)
					}
				}
			})
		}
	}
}

// TestFastPanic checks that a panic while answering costs one request,
// not the server.
func TestFastPanic(t *testing.T) {
	live := NewLive(LiveOptions{})
	if err := live.Publish(buildSet(t, serverProgramme)); err != nil {
		t.Fatal(err)
	}
	srv := serveFast(t, live, HandlerOptions{Served: func(s Served) {
		if s.Status == http.StatusNotModified {
			panic("hook failed")
		}
	}})
	r := fetch(t, "GET", srv.URL+"/all.ics", "If-None-Match", "*")
	if r.code != 500 || !bytes.HasPrefix(r.body, []byte("500 ")) {
		t.Errorf("after a panic: %d %q", r.code, r.body)
	}
	if r := fetch(t, "GET", srv.URL+"/all.ics"); r.code != 200 {
		t.Errorf("the server does not answer after a panic: %d", r.code)
	}
}

// TestAbsoluteForm sends requests in the absolute form proxies use
// ("GET http://host/path HTTP/1.1"): they are answered as any other.
func TestAbsoluteForm(t *testing.T) {
	set := buildSet(t, serverProgramme)
	for _, stack := range stacks {
		live := NewLive(LiveOptions{})
		if err := live.Publish(set); err != nil {
			t.Fatal(err)
		}
		srv := stack.serve(t, live, HandlerOptions{})
		proxy, _ := url.Parse(srv.URL)
		client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
		for path, code := range map[string]int{"/all.ics": 200, "/agenda.ics?session=opening": 200, "/nope": 404} {
			resp, err := client.Get("http://conf.example.org" + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != code {
				t.Errorf("%s: absolute form of %s: %d, want %d", stack.name, path, resp.StatusCode, code)
			}
		}
	}
}

func TestSplitTarget(t *testing.T) {
	for _, tt := range []struct{ target, path, query string }{
		{"/all.ics", "/all.ics", ""},
		{"/agenda.ics?session=a,b", "/agenda.ics", "session=a,b"},
		{"/agenda.ics?q=a?b", "/agenda.ics", "q=a?b"},
		{"http://example.org/all.ics?x", "/all.ics", "x"},
		{"https://example.org", "/", ""},
		{"http://example.org?x=1", "/", "x=1"},
		{"*", "*", ""},
		{"example.org:443", "example.org:443", ""},
	} {
		if p, q := splitTarget(tt.target); p != tt.path || q != tt.query {
			t.Errorf("splitTarget(%q) = %q, %q; want %q, %q", tt.target, p, q, tt.path, tt.query)
		}
	}
}

// TestFastLimits checks the answers to requests fasthttp cannot read:
// one plain line, like every other error.
func TestFastLimits(t *testing.T) {
	srv := serveFast(t, NewLive(LiveOptions{}), HandlerOptions{})
	addr := strings.TrimPrefix(srv.URL, "http://")
	// raw sends a request as it is and reads the answer.
	raw := func(req string) (*http.Response, []byte) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body
	}
	long := "GET /agenda.ics?" + strings.Repeat("session=opening&", DefaultMaxHeader/16) + " HTTP/1.1\r\nHost: x\r\n\r\n"
	resp, body := raw(long)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		bytes.Count(body, []byte("\n")) != 1 || !bytes.HasPrefix(body, []byte("431 ")) {
		t.Errorf("request over %d bytes: %d %q %q", DefaultMaxHeader, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// A request line that is not HTTP.
	if resp, body := raw("GET\r\n\r\n"); resp.StatusCode != http.StatusBadRequest || !bytes.HasPrefix(body, []byte("400 ")) {
		t.Errorf("malformed request: %d %q", resp.StatusCode, body)
	}
}

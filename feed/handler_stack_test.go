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
	"sync"
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

// TestServed checks what the access log hook is told, on both stacks:
// the body bytes written, once they are.
func TestServed(t *testing.T) {
	set := buildSet(t, versioned(300)) // all.ics over one write chunk: assembled as it is sent
	for _, stack := range stacks {
		t.Run(stack.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []Served
			live := NewLive(LiveOptions{KeepBytes: 1})
			if err := live.Publish(set); err != nil {
				t.Fatal(err)
			}
			srv := stack.serve(t, live, HandlerOptions{Served: func(s Served) {
				mu.Lock()
				got = append(got, s)
				mu.Unlock()
			}})
			all := fetch(t, "GET", srv.URL+"/all.ics")
			gz := fetch(t, "GET", srv.URL+"/all.ics", "Accept-Encoding", "gzip")
			nope := fetch(t, "GET", srv.URL+"/no%20pe")
			fetch(t, "HEAD", srv.URL+"/all.ics")
			fetch(t, "GET", srv.URL+"/all.ics", "If-None-Match", all.hdr.Get("ETag"))
			want := []Served{
				{Method: "GET", Path: "/all.ics", Status: 200, Bytes: int64(len(all.body))},
				{Method: "GET", Path: "/all.ics", Status: 200, Bytes: int64(len(gz.body))},
				{Method: "GET", Path: "/no%20pe", Status: 404, Bytes: int64(len(nope.body))},
				{Method: "HEAD", Path: "/all.ics", Status: 200},
				{Method: "GET", Path: "/all.ics", Status: 304},
			}
			// The hook may run just after the client has read the body.
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				mu.Lock()
				n := len(got)
				mu.Unlock()
				if n >= len(want) || time.Now().After(deadline) {
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != len(want) {
				t.Fatalf("%d requests served, want %d: %+v", len(got), len(want), got)
			}
			for i, s := range got {
				if s.Duration <= 0 || s.Err != nil {
					t.Errorf("request %d: duration %v, error %v", i, s.Duration, s.Err)
				}
				s.Duration = 0
				if s != want[i] {
					t.Errorf("request %d: %+v, want %+v", i, s, want[i])
				}
			}
		})
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

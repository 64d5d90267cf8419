package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a buffer the server may write to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a confcal serve running in the test's process.
type server struct {
	url            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startServe runs confcal serve with args and waits until it listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	return startServeEnv(t, nil, args...)
}

// startServeEnv is startServe with more environment variables.
func startServeEnv(t *testing.T, more map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	env := map[string]string{"HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	maps.Copy(env, more)
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), s.stdout, s.stderr, lookup)
	}()
	re := regexp.MustCompile(`serving (http://\S+/) `)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			t.Cleanup(func() { s.stop(t) })
			return s
		}
		select {
		case code := <-s.done:
			cancel()
			t.Fatalf("confcal serve exited with %d:\n%s%s", code, s.stdout, s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("confcal serve did not start:\n%s%s", s.stdout, s.stderr)
	return nil
}

// stop shuts the server down as SIGINT would and checks it exits cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("confcal serve exited with %d:\n%s", code, s.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Error("confcal serve did not stop")
	}
}

func get(t testing.TB, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// programmeVersion is a small programme whose every title and name carry
// version n, with n+2 sessions.
func programmeVersion(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: reload\nname: Reload v%d\ntimezone: Europe/Paris\nupdated: 2025-01-01T00:00:00Z\n", n)
	b.WriteString("venues: [{id: hall, name: Hall}]\ntracks: [{id: main, name: Main}]\nsessions:\n")
	for i := 0; i < n+2; i++ {
		fmt.Fprintf(&b, "  - {id: s%d, title: v%d talk %d, start: 2025-03-10T%02d:00, end: 2025-03-10T%02d:45, venue: hall, track: main}\n",
			i, n, i, 8+i, 8+i)
	}
	return b.String()
}

var versionMark = regexp.MustCompile(`v(\d+)`)

// calendarVersion checks body is one complete calendar of one version
// with the number of events that version has, and returns the version.
func calendarVersion(body []byte) (int, error) {
	return versionOf(body, func(v int) int { return v + 2 })
}

// versionOf checks body is one complete calendar of one version v with
// events(v) events, and returns v.
func versionOf(body []byte, events func(v int) int) (int, error) {
	if !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		return 0, fmt.Errorf("not a complete calendar: %d bytes", len(body))
	}
	marks := versionMark.FindAllSubmatch(body, -1)
	if len(marks) == 0 {
		return 0, fmt.Errorf("no version mark")
	}
	var n int
	fmt.Sscan(string(marks[0][1]), &n)
	for _, m := range marks {
		if !bytes.Equal(m[1], marks[0][1]) {
			return 0, fmt.Errorf("versions v%s and v%s in one calendar", marks[0][1], m[1])
		}
	}
	want := events(n)
	if begin, end := bytes.Count(body, []byte("BEGIN:VEVENT\r\n")), bytes.Count(body, []byte("END:VEVENT\r\n")); begin != want || end != want {
		return 0, fmt.Errorf("v%d with %d/%d events, want %d", n, begin, end, want)
	}
	return n, nil
}

// TestServeReloadUnderLoad rewrites the programme file (in place, through
// a temporary file and a rename, and with broken content) while clients
// fetch feeds: no request fails, every answer is one complete calendar
// of one version, and the last good version ends up served.
func TestServeReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "programme.yaml")
	if err := os.WriteFile(file, []byte(programmeVersion(1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "-p", file, "--state", filepath.Join(dir, "state.json"))

	stop := make(chan struct{})
	var requests, failures atomic.Int64
	var seen sync.Map
	var wg sync.WaitGroup
	paths := []string{"all.ics", "track/main.ics", "day/2025-03-10.ics", "venue/hall.ics", "agenda.ics?track=main"}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := paths[(w+i)%len(paths)]
				resp, err := client.Get(s.url + path)
				if err != nil {
					failures.Add(1)
					t.Errorf("%s: %v", path, err)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if err != nil || resp.StatusCode != 200 {
					failures.Add(1)
					t.Errorf("%s: %d %v", path, resp.StatusCode, err)
					continue
				}
				n, err := calendarVersion(body)
				if err != nil {
					failures.Add(1)
					t.Errorf("%s: %v", path, err)
					continue
				}
				seen.Store(n, true)
			}
		}(w)
	}

	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			_, _, body := get(t, s.url+"all.ics")
			if v, err := calendarVersion(body); err == nil && v == n {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("v%d never served:\n%s", n, s.stderr)
	}
	broken := func(content string) {
		t.Helper()
		before := strings.Count(s.stderr.String(), "reload failed")
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(s.stderr.String(), "reload failed") == before {
			if time.Now().After(deadline) {
				t.Fatalf("a broken programme was not reported:\n%s", s.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	rename := func(n int) {
		t.Helper()
		tmp := filepath.Join(dir, ".programme.yaml.swp")
		if err := os.WriteFile(tmp, []byte(programmeVersion(n)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
		waitFor(n)
	}
	inPlace := func(n int) {
		t.Helper()
		if err := os.WriteFile(file, []byte(programmeVersion(n)), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(n)
	}

	waitFor(1)
	inPlace(2)
	broken("id: reload\nname: [unclosed\n")
	rename(3)
	broken(strings.Replace(programmeVersion(4), "venue: hall", "venue: nowhere", 1))
	inPlace(4)
	broken("")
	rename(5)
	for i := 6; i < 12; i++ { // quick succession
		if i%2 == 0 {
			inPlace(i)
		} else {
			rename(i)
		}
	}
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()

	if failures.Load() > 0 || requests.Load() < 20 {
		t.Fatalf("%d of %d requests failed", failures.Load(), requests.Load())
	}
	for _, want := range []string{`unknown venue \"nowhere\"`, "still serving the previous programme", "syntax"} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, s.stderr)
		}
	}
	t.Logf("%d requests while reloading", requests.Load())
	// Sessions that changed got a higher SEQUENCE: the state is kept
	// across reloads.
	_, _, body := get(t, s.url+"session/s0.ics")
	if !bytes.Contains(body, []byte("SEQUENCE:10\r\n")) {
		t.Errorf("session s0 after 11 versions:\n%s", body)
	}
}

// TestServeSourcePolling serves a programme fetched over HTTP and polled
// with conditional requests.
func TestServeSourcePolling(t *testing.T) {
	var mu sync.Mutex
	content, etag := programmeVersion(1), `"v1"`
	var full, notModified atomic.Int64
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		io.WriteString(w, content)
	}))
	defer origin.Close()
	s := startServe(t, "--source", origin.URL+"/programme.yaml", "--poll", "1s", "--stateless")
	_, _, body := get(t, s.url+"all.ics")
	if v, err := calendarVersion(body); err != nil || v != 1 {
		t.Fatalf("v%d %v", v, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for notModified.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no conditional request")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	content, etag = programmeVersion(2), `"v2"`
	mu.Unlock()
	for {
		_, _, body := get(t, s.url+"all.ics")
		if v, _ := calendarVersion(body); v == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("v2 never served:\n%s", s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The origin failing keeps the last programme.
	mu.Lock()
	content, etag = "name: [broken", `"v3"`
	mu.Unlock()
	for !strings.Contains(s.stderr.String(), "reload failed") {
		if time.Now().After(deadline) {
			t.Fatalf("broken source not reported:\n%s", s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, _, body := get(t, s.url+"all.ics"); !bytes.Contains(body, []byte("Reload v2")) {
		t.Error("the last good programme is no longer served")
	}
	if full.Load() < 3 {
		t.Errorf("%d full fetches", full.Load())
	}
}

func TestServeAccessLogJSON(t *testing.T) {
	s := startServe(t, "--log-format", "json", "--stateless")
	get(t, s.url+"track/science.ics")
	get(t, s.url+"nope")
	s.stop(t)
	var requests []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		if rec["msg"] == "request" {
			requests = append(requests, rec)
		}
	}
	if len(requests) != 2 {
		t.Fatalf("%d request records:\n%s", len(requests), s.stderr)
	}
	r := requests[0]
	if r["method"] != "GET" || r["path"] != "/track/science.ics" || r["status"] != 200.0 || r["bytes"].(float64) < 1000 {
		t.Errorf("record %v", r)
	}
	if _, ok := r["duration"].(float64); !ok {
		t.Errorf("no duration in %v", r)
	}
	if requests[1]["status"] != 404.0 {
		t.Errorf("record %v", requests[1])
	}
	for _, want := range []string{`"msg":"listening"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(s.stderr.String(), want) {
			t.Errorf("no %s in the log", want)
		}
	}
}

// TestServeBuiltin checks that serve with no arguments serves the
// built-in example and that links use the listening address.
func TestServeBuiltin(t *testing.T) {
	s := startServe(t, "--stateless")
	code, hdr, body := get(t, s.url)
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", code, hdr.Get("Content-Type"))
	}
	webcal := "webcal://" + strings.TrimPrefix(s.url, "http://") + "all.ics"
	if !bytes.Contains(body, []byte(webcal)) || !bytes.Contains(body, []byte("AI Action Summit week")) {
		t.Errorf("page without %s", webcal)
	}
	code, _, body = get(t, s.url+"agenda.ics?session=gp-day1-forum,stationf-business-day")
	if code != 200 || bytes.Count(body, []byte("BEGIN:VEVENT")) != 2 {
		t.Errorf("agenda: %d\n%s", code, body)
	}
}

func TestServeBaseURL(t *testing.T) {
	s := startServe(t, "--stateless", "--base-url", "https://cal.example.org/summit/")
	_, _, page := get(t, s.url)
	if !bytes.Contains(page, []byte(`href="webcal://cal.example.org/summit/all.ics"`)) {
		t.Error("the page does not use --base-url")
	}
	_, _, cal := get(t, s.url+"all.ics")
	if !bytes.Contains(cal, []byte("URL:https://cal.example.org/summit/all.ics")) {
		t.Error("the feed does not use --base-url")
	}
	// Forwarded headers are not trusted.
	req, _ := http.NewRequest("GET", s.url, nil)
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.Header.Set("Forwarded", "host=evil.example;proto=https")
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if bytes.Contains(body, []byte("evil.example")) {
		t.Error("a request header reached the page's links")
	}
}

func TestServeErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--log-format", "xml"}, exitUsage, "--log-format must be text or json"},
		{[]string{"--source", "programme.yaml"}, exitUsage, "--source takes an http(s) URL"},
		{[]string{"--source", "https://example.invalid/p.yaml", "--poll", "10ms"}, exitUsage, "--poll must be at least 1s"},
		{[]string{"--addr", "256.0.0.1:1"}, exitError, "serve:"},
		{[]string{"-p", "missing.yaml"}, exitError, "missing.yaml"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"serve"}, tt.args...), nil, &stdout, &stderr,
			func(string) (string, bool) { return "", false })
		if code != tt.code || !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args, code, stderr.String(), tt.code, tt.msg)
		}
	}
}

// TestServeSymlinkSwap follows a programme published the way Kubernetes
// publishes a ConfigMap: programme.yaml links to ..data/programme.yaml,
// and an update swaps the ..data link. Files written beside the programme
// are not looked at.
func TestServeSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(n int) string {
		d := fmt.Sprintf("..v%d", n)
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "programme.yaml"), []byte(programmeVersion(n)), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if err := os.Symlink(version(1), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/programme.yaml", filepath.Join(dir, "programme.yaml")); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "-v", "-p", filepath.Join(dir, "programme.yaml"), "--stateless")
	for i := 0; i < 20; i++ {
		if err := os.WriteFile(filepath.Join(dir, "access.log"), []byte(strings.Repeat("x", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(version(2), filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	waitVersion(t, s, 2, 10*time.Second, "v2 never served")
	if strings.Contains(s.stderr.String(), "access.log") {
		t.Errorf("a file beside the programme was looked at:\n%s", s.stderr)
	}
}

// blockingWriter holds every Write until released, and keeps what it got.
type blockingWriter struct {
	release chan struct{}
	mu      sync.Mutex
	got     bytes.Buffer
	writes  int
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.got.Write(p)
}

// flakyListener fails its first accepts with the given errors.
type flakyListener struct {
	net.Listener
	errs []error
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		return nil, err
	}
	return l.Listener.Accept()
}

// TestServeShutdownFinishesRequests stops the server while a request is
// on its way in: it is answered in full, with "Connection: close", and
// the server then exits cleanly.
func TestServeShutdownFinishesRequests(t *testing.T) {
	s := startServe(t, "--stateless")
	_, _, want := get(t, s.url+"all.ics")
	conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(s.url, "/"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /all.ics HTTP/1.1\r\nHost: x\r\n")
	time.Sleep(100 * time.Millisecond)
	s.cancel() // as SIGTERM does
	time.Sleep(300 * time.Millisecond)
	fmt.Fprint(conn, "\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight was not answered: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, want) || !resp.Close {
		t.Errorf("answer during shutdown: %d, %d bytes of %d, close %v, %v", resp.StatusCode, len(body), len(want), resp.Close, err)
	}
	s.stop(t) // waits for a clean exit
}

// TestServeNoAccessLog: --no-access-log leaves out the request lines and
// nothing else.
func TestServeNoAccessLog(t *testing.T) {
	s := startServe(t, "--log-format", "json", "--stateless", "--no-access-log")
	get(t, s.url+"all.ics")
	s.stop(t)
	if strings.Contains(s.stderr.String(), `"msg":"request"`) {
		t.Errorf("a request line with --no-access-log:\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"listening"`) {
		t.Errorf("the server's own log is gone too:\n%s", s.stderr)
	}
}

// waitVersion waits until s serves version v of programmeVersion, or
// fails with what.
func waitVersion(t *testing.T, s *server, v int, within time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, _, body := get(t, s.url+"all.ics")
		if got, _ := calendarVersion(body); got == v {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:\n%s", what, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

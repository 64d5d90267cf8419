package feed

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSendFile checks that feeds kept whole are sent from the edition's
// file, byte for byte, alone or many at once, and that the file goes
// with its edition.
func TestSendFile(t *testing.T) {
	sets := []*Set{buildSet(t, versioned(200)), buildSet(t, versioned(201))}
	live := NewLive(LiveOptions{})
	if err := live.Publish(sets[0]); err != nil {
		t.Fatal(err)
	}
	srv := serveFast(t, live, HandlerOptions{})
	before := sentFromFile.Load()
	// The set's feeds are kept whole; session calendars and agendas are
	// rendered whole into the edition's cache and sent from memory.
	const kept = 3
	paths := []string{"/all.ics", "/track/art.ics", "/day/2025-03-10.ics", "/session/opening.ics", "/agenda.ics?track=art"}
	for round := 0; round < 3; round++ {
		for _, p := range paths {
			want := fetch(t, "GET", serveStd(t, live, HandlerOptions{}).URL+p).body
			if got := fetch(t, "GET", srv.URL+p); got.code != 200 || !bytes.Equal(got.body, want) {
				t.Fatalf("round %d, %s: %d, %d bytes, want the %d bytes net/http sends", round, p, got.code, len(got.body), len(want))
			}
		}
	}
	if n := sentFromFile.Load() - before; n != 3*kept {
		t.Errorf("%d answers sent from the file, want %d", n, 3*kept)
	}
	if memfds(t) == 0 {
		t.Fatal("no body file open")
	}
	// A new edition has a file of its own; the old one is closed once the
	// old edition is gone.
	if err := live.Publish(sets[1]); err != nil {
		t.Fatal(err)
	}
	fetch(t, "GET", srv.URL+"/all.ics")
	for deadline := time.Now().Add(10 * time.Second); memfds(t) > 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d body files open after the edition changed", memfds(t))
		}
		runtime.GC()
	}
}

// memfds counts this process's open body files.
func memfds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.HasPrefix(l, "/memfd:confcal-feeds") {
			n++
		}
	}
	return n
}

// TestSendFileKeepAlive sends answers from the file and from memory, in
// turns, on one connection: a cork left in after a body sent from the
// file would hold the next answer back for 200 ms, and answers must stay
// whole and in order, HEAD and 304 included.
func TestSendFileKeepAlive(t *testing.T) {
	live := NewLive(LiveOptions{})
	if err := live.Publish(buildSet(t, versioned(200))); err != nil {
		t.Fatal(err)
	}
	srv := serveFast(t, live, HandlerOptions{})
	full := fetch(t, "GET", srv.URL+"/all.ics")
	etag := full.hdr.Get("ETag")
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	const rounds = 10
	start := time.Now()
	for i := 0; i < rounds; i++ {
		for _, rq := range []struct {
			method, header string
			code           int
			body           []byte
		}{
			{"GET", "", 200, full.body},
			{"GET", "If-None-Match: " + etag + "\r\n", 304, nil},
			{"GET", "", 200, full.body},
			{"HEAD", "", 200, nil},
			{"GET", "", 200, full.body},
			{"GET", "", 404, nil},
		} {
			path := "/all.ics"
			if rq.code == 404 {
				path = "/nope"
			}
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n", rq.method, path, rq.header)
			resp, err := http.ReadResponse(br, &http.Request{Method: rq.method})
			if err != nil {
				t.Fatalf("round %d, %s %s: %v", i, rq.method, path, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != rq.code || rq.body != nil && !bytes.Equal(body, rq.body) {
				t.Fatalf("round %d, %s %s: %d, %d bytes, %v", i, rq.method, path, resp.StatusCode, len(body), err)
			}
		}
	}
	// 60 answers on loopback take milliseconds; one cork left in would
	// add 200 ms to each answer after it.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("%d answers on one connection took %v", 6*rounds, d)
	}
}

// TestSendFileUnsupported makes sendfile fail as a seccomp filter would:
// the answer is still whole, written from memory, and later ones do not
// try the file again.
func TestSendFileUnsupported(t *testing.T) {
	var calls atomic.Int32
	sendfile = func(int, int, *int64, int) (int, error) { calls.Add(1); return 0, unix.EPERM }
	t.Cleanup(func() { sendfile = unix.Sendfile; noSendfile.Store(false) })
	live := NewLive(LiveOptions{})
	if err := live.Publish(buildSet(t, versioned(50))); err != nil {
		t.Fatal(err)
	}
	srv := serveFast(t, live, HandlerOptions{})
	want := fetch(t, "GET", serveStd(t, live, HandlerOptions{}).URL+"/all.ics").body
	for i := 0; i < 3; i++ {
		if r := fetch(t, "GET", srv.URL+"/all.ics"); r.code != 200 || !bytes.Equal(r.body, want) {
			t.Fatalf("answer %d: %d, %d bytes, want %d", i, r.code, len(r.body), len(want))
		}
	}
	if calls.Load() != 1 || !noSendfile.Load() {
		t.Errorf("sendfile tried %d times, given up: %v; want once, and given up", calls.Load(), noSendfile.Load())
	}
}

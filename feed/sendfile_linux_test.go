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
	"syscall"
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
	ed := live.cur.Load()
	file := fileID(t, ed.file.fd)
	if !openFiles(t)[file] {
		t.Fatal("the edition's body file is not open")
	}
	ed = nil
	// A new edition has a file of its own; the old one is closed once the
	// old edition is gone.
	if err := live.Publish(sets[1]); err != nil {
		t.Fatal(err)
	}
	fetch(t, "GET", srv.URL+"/all.ics")
	for deadline := time.Now().Add(10 * time.Second); openFiles(t)[file]; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the body file of an edition no longer served is still open")
		}
		runtime.GC()
	}
	if !openFiles(t)[fileID(t, live.cur.Load().file.fd)] {
		t.Error("the new edition's body file is not open")
	}
}

// fileID names the file behind a descriptor by device and inode, which a
// descriptor number reused by another file does not share.
func fileID(t *testing.T, fd int) [2]uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return [2]uint64{st.Dev, st.Ino}
}

// openFiles returns the body files this process has open.
func openFiles(t *testing.T) map[[2]uint64]bool {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	open := map[[2]uint64]bool{}
	for _, e := range ents {
		p := filepath.Join("/proc/self/fd", e.Name())
		if l, err := os.Readlink(p); err != nil || !strings.HasPrefix(l, "/memfd:confcal-feeds") {
			continue
		}
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			open[[2]uint64{st.Dev, st.Ino}] = true
		}
	}
	return open
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
	before := sentFromFile.Load()
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
	if n := sentFromFile.Load() - before; n != 3*rounds {
		t.Errorf("%d answers sent from the file, want %d", n, 3*rounds)
	}
	// Pipelined: the next requests are read while a body goes out from
	// the file; the answers come back whole and in order.
	fmt.Fprint(conn, "GET /all.ics HTTP/1.1\r\nHost: x\r\n\r\nHEAD /all.ics HTTP/1.1\r\nHost: x\r\n\r\n"+
		"GET /feeds.json HTTP/1.1\r\nHost: x\r\n\r\nGET /all.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	for i, method := range []string{"GET", "HEAD", "GET", "GET"} {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("pipelined answer %d: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("pipelined answer %d: %d, %v", i, resp.StatusCode, err)
		}
		if (i == 0 || i == 3) && !bytes.Equal(body, full.body) || i == 2 && !bytes.HasPrefix(body, []byte("{")) {
			t.Errorf("pipelined answer %d: %d bytes: %.40q", i, len(body), body)
		}
	}
}

// TestSendFileSlowReader has a client read a body sent from the file
// slowly, through a small socket buffer: sendfile fills the socket, waits
// for room and goes on, many times over, and the body arrives whole.
func TestSendFileSlowReader(t *testing.T) {
	live := NewLive(LiveOptions{})
	if err := live.Publish(buildSet(t, versioned(2000))); err != nil {
		t.Fatal(err)
	}
	var waits atomic.Int32
	sendfile = func(out, in int, off *int64, n int) (int, error) {
		m, err := unix.Sendfile(out, in, off, n)
		if err == unix.EAGAIN {
			waits.Add(1)
		}
		return m, err
	}
	// Set before the server starts, put back once it has stopped.
	t.Cleanup(func() { sendfile = unix.Sendfile })
	// The server's socket buffer is small too, so that sendfile fills it
	// and must wait for room.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := NewFastServer(live, HandlerOptions{})
	done := make(chan error, 1)
	go func() { done <- server.Serve(smallSendBuffers{ln.(*net.TCPListener)}) }()
	t.Cleanup(func() {
		server.Shutdown()
		<-done
	})
	srv := &testServer{URL: "http://" + ln.Addr().String()}
	want := fetch(t, "GET", srv.URL+"/all.ics").body
	if len(want) < 512<<10 || len(want) > keepMax {
		t.Fatalf("all.ics is %d bytes: not large enough to fill the socket, or too large to be kept", len(want))
	}
	// The small receive buffer is set before connecting, so that the
	// window the client offers is small from the start.
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 4096) })
		if err == nil {
			err = serr
		}
		return err
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before := sentFromFile.Load()
	fmt.Fprint(conn, "GET /all.ics HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1024), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	buf := make([]byte, 1024)
	for i := 0; ; i++ {
		if i%8 == 0 {
			time.Sleep(time.Millisecond)
		}
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("%d bytes, want %d", got.Len(), len(want))
	}
	if sentFromFile.Load()-before != 1 {
		t.Error("not sent from the file")
	}
	if waits.Load() == 0 {
		t.Error("sendfile never had to wait for the socket: the test does not test that")
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

// smallSendBuffers gives each connection it accepts a send buffer of a
// few KiB.
type smallSendBuffers struct{ *net.TCPListener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	if err := c.SetWriteBuffer(8 << 10); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TestSendFileLarge checks a feed too large to keep in the heap: it is
// kept in the file alone, within the bound of KeepBytes, and sent from
// it; without room in the bound it is assembled as it is sent.
func TestSendFileLarge(t *testing.T) {
	set := buildSet(t, versioned(3500))
	all := set.Feeds[0]
	if all.Path() != "all.ics" || all.Size <= keepMax {
		t.Fatalf("%s is %d bytes: not over %d", all.Path(), all.Size, keepMax)
	}
	want := all.Bytes()
	for _, tt := range []struct {
		keep     int
		fromFile bool
	}{{0, true}, {all.Size - 1, false}} {
		live := NewLive(LiveOptions{KeepBytes: tt.keep})
		if err := live.Publish(set); err != nil {
			t.Fatal(err)
		}
		srv := serveFast(t, live, HandlerOptions{})
		before := sentFromFile.Load()
		for i := 0; i < 2; i++ {
			if r := fetch(t, "GET", srv.URL+"/all.ics"); r.code != 200 || !bytes.Equal(r.body, want) {
				t.Fatalf("keep %d: %d, %d bytes, want %d", tt.keep, r.code, len(r.body), len(want))
			}
		}
		if got := sentFromFile.Load()-before == 2; got != tt.fromFile {
			t.Errorf("keep %d: sent from the file: %v, want %v", tt.keep, got, tt.fromFile)
		}
		ed := live.cur.Load()
		if res := ed.static["all.ics"]; res.kept != nil || res.inFile != tt.fromFile {
			t.Errorf("keep %d: kept in the heap: %v, in the file: %v", tt.keep, res.kept != nil, res.inFile)
		}
		if tt.fromFile && ed.keep.Load() != int64(DefaultKeepBytes-all.Size) {
			t.Errorf("%d bytes of the bound left, want %d", ed.keep.Load(), DefaultKeepBytes-all.Size)
		}
	}
}

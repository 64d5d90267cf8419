package feed

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"syscall"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"
)

// On Linux, a server from NewFastServer writes the feeds an edition keeps
// whole to an in-memory file (memfd) the first time it sends them, feeds
// too large to keep in the heap too (in the file alone), and sends them
// from it with sendfile(2), which hands the file's pages to the socket
// without copying them. Each body is written once, at its own
// offset, and sent from that offset by any number of requests at once
// (sendfile with an offset leaves the file's position alone). The file
// is closed once its edition is no longer served and has been collected;
// a request being answered holds its edition.

// bodyFile is an edition's in-memory file of kept bodies.
type bodyFile struct {
	fd   int
	size atomic.Int64
}

// newBodyFile returns an empty in-memory file, closed when owner is
// collected, or nil when the system has none to give.
func newBodyFile(owner *edition) *bodyFile {
	fd, err := unix.MemfdCreate("confcal-feeds", unix.MFD_CLOEXEC)
	if err != nil {
		return nil
	}
	runtime.AddCleanup(owner, func(fd int) { unix.Close(fd) }, fd)
	return &bodyFile{fd: fd}
}

// add writes b at the end of the file and returns its offset; ok is false
// when it could not be written, and b is then sent from memory.
func (f *bodyFile) add(b []byte) (off int64, ok bool) {
	if f == nil {
		return 0, false
	}
	off = f.size.Add(int64(len(b))) - int64(len(b))
	if _, err := (&offsetWriter{fd: f.fd, off: off}).Write(b); err != nil {
		return 0, false
	}
	return off, true
}

// addFrom writes res's body, assembled from its parts, at the end of the
// file and returns its offset; ok is false when it could not be written.
func (f *bodyFile) addFrom(res *resource, ed *edition) (off int64, ok bool) {
	if f == nil {
		return 0, false
	}
	off = f.size.Add(int64(res.size)) - int64(res.size)
	w := &offsetWriter{fd: f.fd, off: off}
	if err := res.writeTo(w, ed); err != nil || w.off != off+int64(res.size) {
		return 0, false
	}
	return off, true
}

// offsetWriter writes to a file at increasing offsets.
type offsetWriter struct {
	fd  int
	off int64
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	for done := 0; done < len(p); {
		n, err := unix.Pwrite(w.fd, p[done:], w.off)
		if err == unix.EINTR {
			continue
		}
		if err == nil && n == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return done, err
		}
		done += n
		w.off += int64(n)
	}
	return len(p), nil
}

// sentFromFile counts the bodies sent with sendfile, for tests.
var sentFromFile atomic.Int64

// fileBody returns a body for fasthttp that sends res's bytes from its
// edition's file, or nil when res has none there or the connection is
// not a plain TCP connection. The response's header is pushed out ahead
// of the body and the socket corked meanwhile (TCP_CORK), so that the
// header and the start of the body leave in full segments, as one write
// would send them.
func fileBody(ctx *fasthttp.RequestCtx, body *fastBody) io.Reader {
	res := body.res
	if res == nil || noSendfile.Load() || !res.mayFile() {
		return nil
	}
	tc, ok := ctx.Conn().(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	if !res.toFile(body.ed) {
		return nil
	}
	if err := setCork(rc, 1); err != nil {
		return nil
	}
	ctx.Response.ImmediateHeaderFlush = true
	return &sendfileBody{fastBody: body, rc: rc, fd: body.ed.file.fd, off: res.fileOff, size: res.size}
}

// unsupported reports whether a sendfile error says it cannot be used
// here at all, rather than that the connection failed.
func unsupported(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) ||
		errors.Is(err, unix.EOPNOTSUPP)
}

func setCork(rc syscall.RawConn, on int) error {
	var serr error
	if err := rc.Control(func(s uintptr) {
		serr = unix.SetsockoptInt(int(s), unix.IPPROTO_TCP, unix.TCP_CORK, on)
	}); err != nil {
		return err
	}
	return serr
}

// sendfileBody is a fastBody sent from its edition's file.
type sendfileBody struct {
	*fastBody
	rc     syscall.RawConn
	fd     int
	off    int64
	size   int
	uncork bool
}

var errFileShort = errors.New("feed: body file shorter than its body")

// sendfile is unix.Sendfile; tests replace it to make it fail.
var sendfile = unix.Sendfile

// noSendfile is set once sendfile has failed as unsupported (a seccomp
// filter, a kernel without it): bodies are then written from memory.
var noSendfile atomic.Bool

func (b *sendfileBody) WriteTo(w io.Writer) (int64, error) {
	defer b.done()
	off, left := b.off, b.size
	var serr error
	err := b.rc.Write(func(s uintptr) bool {
		for left > 0 {
			n, err := sendfile(int(s), b.fd, &off, left)
			if n > 0 {
				left -= n
			}
			switch {
			case err == unix.EAGAIN:
				return false // wait until the socket takes more
			case err == unix.EINTR:
			case err != nil:
				serr = err
				return true
			case n == 0:
				serr = errFileShort
				return true
			}
		}
		return true
	})
	if err == nil {
		err = serr
	}
	if left == b.size && unsupported(err) {
		// Nothing sent yet: the body goes from memory, and so will every
		// body after it.
		noSendfile.Store(true)
		return b.fastBody.WriteTo(w)
	}
	sent := int64(b.size - left)
	b.n += sent
	if err == nil {
		sentFromFile.Add(1)
	}
	return sent, err
}

// done takes the cork out, once: what is left of the body leaves now, and
// the connection's next response is not held back.
func (b *sendfileBody) done() {
	if !b.uncork {
		b.uncork = true
		_ = setCork(b.rc, 0)
	}
}

// CloseWithError is called once the body is written, or could not be:
// the cork comes out in either case.
func (b *sendfileBody) CloseWithError(err error) error {
	b.done()
	return b.fastBody.CloseWithError(err)
}

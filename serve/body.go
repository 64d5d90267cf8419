package serve

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"sync"
)

// body is a response body made of byte slices shared with the edition (a
// feed's head, its events, its END line), read in place: an io.ReadSeeker
// for http.ServeContent, and, through bodyWriter, written to the
// connection in large writes rather than copied through a small buffer.
type body struct {
	parts [][]byte
	ends  []int64 // ends[i] is the offset just past parts[i]
	off   int64
}

func newBody(parts ...[]byte) *body {
	b := &body{parts: parts, ends: make([]int64, len(parts))}
	var n int64
	for i, p := range parts {
		n += int64(len(p))
		b.ends[i] = n
	}
	return b
}

func (b *body) size() int64 {
	if len(b.ends) == 0 {
		return 0
	}
	return b.ends[len(b.ends)-1]
}

// at returns the part holding offset off and where off is in it.
func (b *body) at(off int64) (int, int64) {
	i := sort.Search(len(b.ends), func(i int) bool { return b.ends[i] > off })
	if i == len(b.ends) {
		return i, 0
	}
	return i, off - (b.ends[i] - int64(len(b.parts[i])))
}

func (b *body) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		i, in := b.at(b.off)
		if i == len(b.parts) {
			break
		}
		c := copy(p[n:], b.parts[i][in:])
		n += c
		b.off += int64(c)
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

var errSeek = errors.New("seek: invalid offset")

func (b *body) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size()
	}
	if offset < 0 {
		return b.off, errSeek
	}
	b.off = offset
	return offset, nil
}

// writeChunk is how much of a body made of many small parts is gathered
// before one write.
const writeChunk = 128 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, writeChunk); return &b }}

// writeN writes the next n bytes of the body to w: parts of writeChunk and
// more as they are, smaller ones gathered into writes of about writeChunk.
func (b *body) writeN(w io.Writer, n int64) (int64, error) {
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := (*bp)[:0]
	var written int64
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		m, err := w.Write(buf)
		written += int64(m)
		buf = buf[:0]
		return err
	}
	for n > 0 {
		i, in := b.at(b.off)
		if i == len(b.parts) {
			break
		}
		p := b.parts[i][in:]
		if int64(len(p)) > n {
			p = p[:n]
		}
		b.off += int64(len(p))
		n -= int64(len(p))
		if len(buf)+len(p) > cap(buf) {
			if err := flush(); err != nil {
				return written, err
			}
		}
		if len(p) >= cap(buf) {
			m, err := w.Write(p)
			written += int64(m)
			if err != nil {
				return written, err
			}
			continue
		}
		buf = append(buf, p...)
	}
	return written, flush()
}

// bodyWriter lets http.ServeContent hand a body to the connection in large
// writes: ServeContent copies its content with io.CopyN, which gives the
// writer's ReadFrom an io.LimitedReader of the body. Anything else is
// copied as usual.
type bodyWriter struct {
	http.ResponseWriter
}

func (w bodyWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		if b, ok := lr.R.(*body); ok {
			n, err := b.writeN(w.ResponseWriter, lr.N)
			lr.N -= n
			return n, err
		}
	}
	return io.Copy(w.ResponseWriter, src)
}

// Unwrap gives http.ResponseController the connection's writer.
func (w bodyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

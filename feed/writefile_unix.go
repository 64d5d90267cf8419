//go:build linux || darwin || ios || openbsd || illumos || android

package feed

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxIovecs is the most pieces one writev(2) takes: IOV_MAX on the
// systems that have writev in golang.org/x/sys/unix.
const maxIovecs = 1024

// fileWriter writes feeds to files: the head and the events' bytes are
// handed to writev(2) as they are, up to maxIovecs at a time, instead of
// being copied into a buffer first. One goroutine uses one fileWriter.
type fileWriter struct{ iov [][]byte }

// write writes f to file.
func (fw *fileWriter) write(file *os.File, f *Feed) error {
	if f.Body != nil {
		_, err := file.Write(f.Body)
		return err
	}
	fd := int(file.Fd())
	if fw.iov == nil {
		fw.iov = make([][]byte, 0, maxIovecs)
	}
	base := fw.iov[:0]
	iov := base
	flush := func() error {
		// The pieces are let go once written, so that the writer keeps
		// no feed's bytes alive.
		defer clear(base[:len(iov)])
		for len(iov) > 0 {
			n, err := unix.Writev(fd, iov)
			if err == unix.EINTR {
				continue
			}
			if err == nil && n == 0 {
				err = io.ErrShortWrite
			}
			if err != nil {
				return &os.PathError{Op: "writev", Path: file.Name(), Err: err}
			}
			for n > 0 {
				if n < len(iov[0]) {
					iov[0] = iov[0][n:]
					break
				}
				n -= len(iov[0])
				iov = iov[1:]
			}
			for len(iov) > 0 && len(iov[0]) == 0 {
				iov = iov[1:]
			}
		}
		iov = base[:0]
		return nil
	}
	add := func(b []byte) error {
		iov = append(iov, b)
		if len(iov) < maxIovecs {
			return nil
		}
		return flush()
	}
	if err := add(f.Head); err != nil {
		return err
	}
	for _, ev := range f.Events {
		if err := add(ev.Bytes); err != nil {
			return err
		}
	}
	if err := add([]byte(endLine)); err != nil {
		return err
	}
	return flush()
}

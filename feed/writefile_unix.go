//go:build unix

package feed

import (
	"bufio"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxIovecs is the most pieces one writev(2) takes: IOV_MAX on Linux and
// the BSDs.
const maxIovecs = 1024

// writeFeed writes f to file. The head and the events' bytes are handed to
// writev(2) as they are, up to maxIovecs at a time, instead of being copied
// into a buffer first; w is unused here.
func writeFeed(file *os.File, f *Feed, _ *bufio.Writer) error {
	if f.Body != nil {
		_, err := file.Write(f.Body)
		return err
	}
	fd := int(file.Fd())
	base := make([][]byte, 0, min(len(f.Events)+2, maxIovecs))
	iov := base
	flush := func() error {
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

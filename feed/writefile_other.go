//go:build !unix

package feed

import (
	"bufio"
	"os"
)

// writeFeed writes f to file through w.
func writeFeed(file *os.File, f *Feed, w *bufio.Writer) error {
	w.Reset(file)
	_, err := f.WriteTo(w)
	if err == nil {
		err = w.Flush()
	}
	w.Reset(nil)
	return err
}

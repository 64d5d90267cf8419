//go:build !(linux || darwin || ios || openbsd || illumos || android)

package feed

import (
	"bufio"
	"os"
)

// fileWriter writes feeds to files through a buffer of its own. One
// goroutine uses one fileWriter.
type fileWriter struct{ w *bufio.Writer }

// write writes f to file.
func (fw *fileWriter) write(file *os.File, f *Feed) error {
	if fw.w == nil {
		fw.w = bufio.NewWriterSize(file, 256<<10)
	}
	fw.w.Reset(file)
	_, err := f.WriteTo(fw.w)
	if err == nil {
		err = fw.w.Flush()
	}
	fw.w.Reset(nil)
	return err
}

package lenient

import (
	"bytes"
	"unicode/utf8"

	"github.com/confcal/confcal/programme"
)

// Lines turns byte offsets into line and column numbers. Offsets must be
// asked for in increasing order, which makes a whole file cost one pass.
type Lines struct {
	File      string
	data      []byte
	off       int
	line      int
	lineStart int
}

// NewLines returns a Lines over data, a file called file.
func NewLines(file string, data []byte) *Lines {
	return &Lines{File: file, data: data, line: 1}
}

// Pos returns the position of the byte at offset off. The column counts
// characters from 1.
func (l *Lines) Pos(off int) programme.Pos {
	if off < l.off {
		l.off, l.line, l.lineStart = 0, 1, 0
	}
	off = min(off, len(l.data))
	for {
		i := bytes.IndexByte(l.data[l.off:off], '\n')
		if i < 0 {
			break
		}
		l.off += i + 1
		l.line++
		l.lineStart = l.off
	}
	l.off = off
	return programme.Pos{File: l.File, Line: l.line, Column: utf8.RuneCount(l.data[l.lineStart:off]) + 1}
}

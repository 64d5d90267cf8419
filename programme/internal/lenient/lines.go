package lenient

import (
	"bytes"
	"unicode/utf8"

	"github.com/confcal/confcal/programme"
)

// Lines turns byte offsets into line and column numbers. It keeps the
// last position asked for and counts from there, so that asking for
// offsets in increasing order costs one pass over the file in all, even
// when the whole file is one line (a minified schedule.json). Going back
// costs the distance gone back, or the length of the line arrived on.
type Lines struct {
	File      string
	data      []byte
	off       int // the offset last asked for
	line      int // its line
	lineStart int // where that line starts
	col       int // characters from lineStart to off
}

// NewLines returns a Lines over data, a file called file.
func NewLines(file string, data []byte) *Lines {
	return &Lines{File: file, data: data, line: 1}
}

// Pos returns the position of the byte at offset off, the first byte of
// a character. The column counts characters from 1.
func (l *Lines) Pos(off int) programme.Pos {
	off = max(0, min(off, len(l.data)))
	switch {
	case off >= l.off:
		l.forward(off)
	case off >= l.lineStart:
		l.col -= utf8.RuneCount(l.data[off:l.off])
		l.off = off
	default:
		l.line -= bytes.Count(l.data[off:l.lineStart], []byte{'\n'})
		l.lineStart = bytes.LastIndexByte(l.data[:off], '\n') + 1
		l.col = utf8.RuneCount(l.data[l.lineStart:off])
		l.off = off
	}
	return programme.Pos{File: l.File, Line: l.line, Column: l.col + 1}
}

// forward moves the cursor on to off.
func (l *Lines) forward(off int) {
	seg := l.data[l.off:off]
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		l.line += bytes.Count(seg, []byte{'\n'})
		l.lineStart = l.off + nl + 1
		l.col = utf8.RuneCount(l.data[l.lineStart:off])
	} else {
		l.col += utf8.RuneCount(seg)
	}
	l.off = off
}

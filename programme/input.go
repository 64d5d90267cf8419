package programme

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits on what a programme may hold once its YAML aliases are expanded:
// an alias repeats the value its anchor names, so a small file could
// otherwise stand for gigabytes.
const (
	// MaxFieldSize bounds a single value, a description say, in bytes.
	MaxFieldSize = 256 << 10
	// MaxExpandedSize bounds the whole programme with its aliases expanded,
	// counted as the bytes of its values plus one per node: the same
	// bound as the source itself.
	MaxExpandedSize = MaxSourceSize
)

// textProblem finds the first character in data that YAML does not allow
// (a byte that is not UTF-8, a NUL or another control character) and says
// where it is. yaml.v3 reports these without a position. Input in UTF-16,
// with its byte-order mark, is left to yaml.v3.
func textProblem(file string, data []byte) (Diagnostic, bool) {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return Diagnostic{}, false
	}
	line, bol := 1, 0
	for i := 0; i < len(data); {
		c := data[i]
		if c == '\n' {
			line, bol = line+1, i+1
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(data[i:])
		}
		var msg string
		switch {
		case r == utf8.RuneError && size == 1:
			msg = fmt.Sprintf("byte 0x%02x is not UTF-8: save the programme as UTF-8 text", c)
		case r == 0:
			msg = "NUL byte: a programme is UTF-8 text, and this looks like a binary file"
		case !yamlChar(r):
			msg = fmt.Sprintf("control character %U is not allowed in YAML", r)
		default:
			i += size
			continue
		}
		col := utf8.RuneCount(data[bol:i]) + 1
		return Diagnostic{Severity: Error, File: file, Line: line, Column: col, Message: "syntax: " + msg}, true
	}
	return Diagnostic{}, false
}

// yamlChar reports whether YAML allows r in a stream.
func yamlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85,
		r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}

// secondDocument returns the line a second YAML document starts on: a
// "---" after the first document's content, or content after a "..."
// that ended it. It returns 0 when data holds one document. A --- or ...
// at the start of a line is always a document marker in YAML, even inside
// a block scalar.
func secondDocument(data []byte) (line int, after int) {
	content, ended := false, 0
	for n, rest := 1, data; len(rest) > 0; n++ {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		switch t := bytes.TrimLeft(l, " \t"); {
		case isMarker(l, "---"):
			if content || ended > 0 {
				return n, ended
			}
			content = true
		case isMarker(l, "..."):
			if ended == 0 {
				ended = n
			}
		case len(t) == 0 || t[0] == '#' || t[0] == '%' && !content && len(t) == len(l) || t[0] == '\r':
		default:
			if ended > 0 {
				return n, ended
			}
			content = true
		}
	}
	return 0, 0
}

func isMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	return len(line) == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r'
}

// documents reports a second YAML document in data: yaml.v3 would read the
// first and silently drop the others.
func (d *decoder) documents(data []byte) {
	line, ended := secondDocument(data)
	switch {
	case line == 0:
	case ended > 0:
		d.diags = append(d.diags, Diagnostic{Severity: Error, File: d.file, Line: line, Column: 1,
			Message: fmt.Sprintf("a second YAML document starts here, after the \"...\" at line %d: a programme is a single document", ended)})
	default:
		d.diags = append(d.diags, Diagnostic{Severity: Error, File: d.file, Line: line, Column: 1,
			Message: `"---" starts a second YAML document here: a programme is a single document (remove the line, or merge what follows into the first)`})
	}
}

// sizer measures a node tree with its aliases expanded.
type sizer struct {
	d     *decoder
	memo  map[*yaml.Node]int64 // expanded sizes of anchored nodes
	open  map[*yaml.Node]bool  // anchored nodes being measured
	total int64
}

// bounded reports whether the tree under root keeps within MaxFieldSize and
// MaxExpandedSize, reporting where it does not.
func (d *decoder) bounded(root *yaml.Node) bool {
	s := &sizer{d: d, memo: map[*yaml.Node]int64{}, open: map[*yaml.Node]bool{}}
	return s.walk(root)
}

// walk adds n as written to the total, with what each alias stands for.
func (s *sizer) walk(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		size, ok := s.expanded(n)
		if !ok {
			return false
		}
		if s.total += size; s.total > MaxExpandedSize {
			at := ""
			if n.Alias != nil {
				at = fmt.Sprintf(" (anchored at line %d)", n.Alias.Line)
			}
			s.d.errf(n, "", "aliases expand the programme past %d MiB here: *%s%s stands for %s each time it is used",
				MaxExpandedSize>>20, n.Value, at, byteSize(size))
			return false
		}
		return true
	}
	if n.Kind == yaml.ScalarNode && len(n.Value) > MaxFieldSize {
		s.d.errf(n, "", "a value of %s is larger than the %d KiB a field may hold", byteSize(int64(len(n.Value))), MaxFieldSize>>10)
		return false
	}
	s.total += 1 + int64(len(n.Value))
	for _, c := range n.Content {
		if !s.walk(c) {
			return false
		}
	}
	return true
}

// expanded returns the size of n with its aliases expanded, saturating a
// little past MaxExpandedSize. An alias inside the node its anchor names
// would expand forever and is an error.
func (s *sizer) expanded(n *yaml.Node) (int64, bool) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 0, true
		}
		if s.open[n.Alias] {
			s.d.errf(n, "", "alias *%s is inside the node its anchor names, and would repeat itself forever", n.Value)
			return 0, false
		}
		return s.expanded(n.Alias)
	}
	if v, ok := s.memo[n]; ok {
		return v, true
	}
	if n.Anchor != "" {
		s.open[n] = true
		defer delete(s.open, n)
	}
	size := 1 + int64(len(n.Value))
	for _, c := range n.Content {
		v, ok := s.expanded(c)
		if !ok {
			return 0, false
		}
		if size += v; size > MaxExpandedSize {
			break
		}
	}
	if n.Anchor != "" {
		s.memo[n] = size
	}
	return size, true
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

var unknownAnchor = regexp.MustCompile(`unknown anchor '(.*)' referenced`)

// anchorPosition finds where an alias yaml.v3 could not resolve is used:
// yaml.v3 names the anchor but not the place.
func anchorPosition(data []byte, msg string) (line, col int) {
	m := unknownAnchor.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0
	}
	i := bytes.Index(data, []byte("*"+m[1]))
	if i < 0 {
		return 0, 0
	}
	bol := bytes.LastIndexByte(data[:i], '\n') + 1
	return bytes.Count(data[:i], []byte("\n")) + 1, utf8.RuneCount(data[bol:i]) + 1
}

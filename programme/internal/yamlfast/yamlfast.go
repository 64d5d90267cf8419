// Package yamlfast parses the YAML that programmes are commonly written in
// into the node tree gopkg.in/yaml.v3 would give, several times faster:
// block mappings and sequences, flow mappings and sequences (a JSON document
// among them), plain, single- and double-quoted scalars on one line, literal
// and folded block scalars, and comments.
//
// Anything else gives up: anchors and aliases, tags, block scalars that keep
// their final line feeds or give their indentation, plain or quoted scalars
// over several lines, empty values, tabs, carriage returns, document markers,
// and every syntax error. The caller then parses the input with yaml.v3,
// which stays the reference for every tree and every message; a fuzz test
// holds the two to the same trees.
//
// Nodes carry Kind, Style, Tag, Value, Line, Column and Content as yaml.v3
// sets them; comments are not kept.
package yamlfast

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

const (
	// maxKey keeps keys below the 1024 characters YAML allows an implicit key.
	maxKey = 1000
	// maxDepth bounds nesting, well below yaml.v3's own limit.
	maxDepth = 1000
)

// giveUp is the panic value that unwinds the parser when the input is
// outside the subset.
type giveUp struct{}

type parser struct {
	src  string
	pos  int // byte offset
	line int // 1-based line of pos
	bol  int // byte offset of the start of pos's line

	// colAt and col cache the column of a position on the current line,
	// so that columns on a long line are counted once, not from its start
	// for every value.
	colAt, col int

	depth int
	slab  []yaml.Node  // nodes are allocated from here
	ptrs  []*yaml.Node // and the Content slices
	stack []*yaml.Node // children of the collections being parsed
	buf   []byte       // scratch for scalars that need rewriting
	parts []part       // the lines of a block scalar
}

// part is a line of a block scalar, with what joins it to the one before.
type part struct {
	text   string
	breaks int  // line feeds before it
	space  bool // a space before it
}

// join returns the block scalar of p.parts, with a final line feed if
// asked.
func (p *parser) join(final bool) string {
	if len(p.parts) == 1 && !final {
		return p.parts[0].text
	}
	size := 0
	if final {
		size++
	}
	for _, pt := range p.parts {
		size += pt.breaks + len(pt.text)
		if pt.space {
			size++
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, pt := range p.parts {
		for range pt.breaks {
			b.WriteByte('\n')
		}
		if pt.space {
			b.WriteByte(' ')
		}
		b.WriteString(pt.text)
	}
	if final {
		b.WriteByte('\n')
	}
	return b.String()
}

// Parse returns the document node of data, or nil when data is outside the
// subset this package reads (the caller then parses it with yaml.v3).
func Parse(data []byte) (doc *yaml.Node) {
	if !plainText(data) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(giveUp); !ok {
				panic(r)
			}
			doc = nil
		}
	}()
	p := &parser{src: string(data), line: 1, col: 1}
	return p.document()
}

// plainText reports whether data holds only characters the subset allows:
// valid UTF-8 without control characters, tabs, carriage returns,
// byte-order marks or the line separators YAML 1.1 knows besides the line
// feed.
func plainText(data []byte) bool {
	for i := 0; i < len(data); {
		if i+8 <= len(data) && printableASCII(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
			continue
		}
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += size
	}
	return true
}

// printableASCII reports whether the eight bytes of w are all in 0x20 to
// 0x7e, testing them at once.
func printableASCII(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (w - 0x20*ones) &^ w & highs // a byte below 0x20
	del := ((w ^ 0x7f*ones) - ones) &^ (w ^ 0x7f*ones) & highs
	return (w|below|del)&highs == 0
}

func (p *parser) fail() { panic(giveUp{}) }

func (p *parser) enter() {
	if p.depth++; p.depth > maxDepth {
		p.fail()
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) node(kind yaml.Kind, style yaml.Style, tag, value string, line, col int) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, 512)
	}
	p.slab = append(p.slab, yaml.Node{Kind: kind, Style: style, Tag: tag, Value: value, Line: line, Column: col})
	return &p.slab[len(p.slab)-1]
}

func (p *parser) push(n *yaml.Node) { p.stack = append(p.stack, n) }

// take returns the children pushed since mark as a Content slice.
func (p *parser) take(mark int) []*yaml.Node {
	items := p.stack[mark:]
	n := len(items)
	if n == 0 {
		return nil
	}
	if n > cap(p.ptrs)-len(p.ptrs) {
		p.ptrs = make([]*yaml.Node, 0, max(2048, n))
	}
	start := len(p.ptrs)
	p.ptrs = append(p.ptrs, items...)
	p.stack = p.stack[:mark]
	return p.ptrs[start:len(p.ptrs):len(p.ptrs)]
}

// column returns the 1-based column, in characters, of pos on the current
// line.
func (p *parser) column(pos int) int {
	if p.colAt < p.bol || pos < p.colAt {
		p.colAt, p.col = p.bol, 1
	}
	p.col += utf8.RuneCountInString(p.src[p.colAt:pos])
	p.colAt = pos
	return p.col
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

// peek returns the byte at pos, or 0 at the end.
func (p *parser) peek() byte {
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

// blankAt reports whether i is a space, a line feed or the end.
func (p *parser) blankAt(i int) bool {
	return i >= len(p.src) || p.src[i] == ' ' || p.src[i] == '\n'
}

// newline moves past the line feed at pos.
func (p *parser) newline() {
	p.pos++
	p.line++
	p.bol = p.pos
}

// spaces counts the spaces at pos without moving.
func (p *parser) spaces() int {
	i := p.pos
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	return i - p.pos
}

// skipBlank moves from the start of a line past empty and comment lines to
// the start of the next line with content, or the end.
func (p *parser) skipBlank() {
	for !p.eof() {
		i := p.pos + p.spaces()
		switch {
		case i == len(p.src):
			p.pos = i
			return
		case p.src[i] == '\n':
			p.pos = i
			p.newline()
		case p.src[i] == '#':
			p.pos = i
			p.toLineEnd()
		default:
			p.marker()
			return
		}
	}
}

// marker gives up at a document marker, --- or ..., at the start of a line.
func (p *parser) marker() {
	if p.pos == p.bol && len(p.src)-p.pos >= 3 && (p.src[p.pos:p.pos+3] == "---" || p.src[p.pos:p.pos+3] == "...") && p.blankAt(p.pos+3) {
		p.fail()
	}
}

// toLineEnd moves past the rest of the line, a comment.
func (p *parser) toLineEnd() {
	if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
		p.pos += i
		p.newline()
		return
	}
	p.pos = len(p.src)
}

// endLine moves past what may follow a value on its line: spaces and a
// comment.
func (p *parser) endLine() {
	start := p.pos
	for p.peek() == ' ' {
		p.pos++
	}
	switch p.peek() {
	case 0:
	case '\n':
		p.newline()
	case '#':
		if p.pos == start {
			p.fail()
		}
		p.toLineEnd()
	default:
		p.fail()
	}
}

// noContinuation gives up when the next line with content is indented
// deeper than parent, the column of the block collection holding the value
// just read: it would continue that value, or be an error.
func (p *parser) noContinuation(parent int) {
	p.skipBlank()
	if !p.eof() && p.spaces() > parent {
		p.fail()
	}
}

func (p *parser) document() *yaml.Node {
	p.skipBlank()
	if p.eof() {
		p.fail()
	}
	ind := p.spaces()
	p.pos += ind
	doc := p.node(yaml.DocumentNode, 0, "", "", p.line, ind+1)
	var root *yaml.Node
	if c := p.peek(); c == '{' || c == '[' {
		root = p.flow(true)
		p.endLine()
	} else {
		root = p.blockNode(-1, ind)
	}
	p.skipBlank()
	if !p.eof() {
		p.fail()
	}
	doc.Content = []*yaml.Node{root}
	return doc
}

// blockNode reads the node at pos, the first character of a line indented
// by ind spaces, inside a block collection at column parent.
func (p *parser) blockNode(parent, ind int) *yaml.Node {
	switch p.peek() {
	case '-':
		if p.blankAt(p.pos + 1) {
			return p.blockSeq(ind)
		}
	case '{', '[':
		n := p.flow(false)
		p.endLine()
		p.noContinuation(parent)
		return n
	}
	return p.blockMap(ind)
}

// blockMap reads a block mapping whose keys are at column m (0-based); pos
// is at its first key.
func (p *parser) blockMap(m int) *yaml.Node {
	p.enter()
	n := p.node(yaml.MappingNode, 0, "!!map", "", p.line, p.column(p.pos))
	mark := len(p.stack)
	for {
		p.push(p.key())
		p.push(p.mapValue(m))
		p.skipBlank()
		if p.eof() {
			break
		}
		ind := p.spaces()
		if ind < m {
			break
		}
		if ind > m {
			p.fail()
		}
		p.pos += ind
		if p.peek() == '-' && p.blankAt(p.pos+1) {
			p.fail()
		}
	}
	n.Content = p.take(mark)
	p.leave()
	return n
}

// key reads a block mapping's key and its colon.
func (p *parser) key() *yaml.Node {
	line, col := p.line, p.column(p.pos)
	var k *yaml.Node
	if c := p.peek(); c == '"' || c == '\'' {
		k = p.quoted(line, col)
		if p.peek() != ':' {
			p.fail()
		}
	} else {
		if !p.plainStart(false) {
			p.fail()
		}
		start, i := p.pos, p.pos
		for ; ; i++ {
			if i >= len(p.src) || p.src[i] == '\n' || p.src[i] == '#' && p.src[i-1] == ' ' {
				p.fail()
			}
			if p.src[i] == ':' && p.blankAt(i+1) {
				break
			}
		}
		v := p.src[start:i]
		if v[len(v)-1] == ' ' || len(v) > maxKey {
			p.fail()
		}
		k = p.node(yaml.ScalarNode, 0, plainTag(v), v, line, col)
		p.pos = i
	}
	p.pos++
	if !p.blankAt(p.pos) {
		p.fail()
	}
	return k
}

// plainStart reports whether the character at pos may start a plain
// scalar (conservatively: some that YAML allows give up).
func (p *parser) plainStart(flow bool) bool {
	switch c := p.peek(); c {
	case '-':
		next := p.pos + 1
		return !p.blankAt(next) && !(flow && isFlowIndicator(p.src[next]))
	case 0, ' ', '\n', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// mapValue reads the value after a block mapping's colon, for a mapping at
// column m.
func (p *parser) mapValue(m int) *yaml.Node {
	for p.peek() == ' ' {
		p.pos++
	}
	if c := p.peek(); c == 0 || c == '\n' || c == '#' {
		p.endLine()
		p.skipBlank()
		if p.eof() {
			p.fail()
		}
		ind := p.spaces()
		if ind > m {
			p.pos += ind
			return p.blockNode(m, ind)
		}
		if ind == m && p.src[p.pos+ind] == '-' && p.blankAt(p.pos+ind+1) {
			p.pos += ind
			return p.blockSeq(m)
		}
		p.fail()
	}
	return p.inline(m)
}

// inline reads a value that starts on the line of its key or dash, inside a
// block collection at column parent.
func (p *parser) inline(parent int) *yaml.Node {
	line, col := p.line, p.column(p.pos)
	var n *yaml.Node
	switch p.peek() {
	case '|', '>':
		return p.block(parent, line, col)
	case '"', '\'':
		n = p.quoted(line, col)
	case '{', '[':
		n = p.flow(false)
	default:
		if !p.plainStart(false) {
			p.fail()
		}
		n = p.plainBlock(line, col)
	}
	p.endLine()
	p.noContinuation(parent)
	return n
}

// plainBlock reads a plain scalar in block context, to the end of its line
// or a comment.
func (p *parser) plainBlock(line, col int) *yaml.Node {
	start, i := p.pos, p.pos
	for ; i < len(p.src); i++ {
		c := p.src[i]
		if c == '\n' || c == '#' && p.src[i-1] == ' ' {
			break
		}
		if c == ':' && p.blankAt(i+1) {
			p.fail()
		}
	}
	for p.src[i-1] == ' ' {
		i--
	}
	p.pos = i
	v := p.src[start:i]
	return p.node(yaml.ScalarNode, 0, plainTag(v), v, line, col)
}

// blockSeq reads a block sequence whose dashes are at column m (0-based);
// pos is at its first dash.
func (p *parser) blockSeq(m int) *yaml.Node {
	p.enter()
	n := p.node(yaml.SequenceNode, 0, "!!seq", "", p.line, m+1)
	mark := len(p.stack)
	for {
		p.pos++ // the dash
		p.push(p.entry(m))
		p.skipBlank()
		if p.eof() {
			break
		}
		ind := p.spaces()
		if ind < m {
			break
		}
		if ind > m {
			p.fail()
		}
		if p.src[p.pos+ind] != '-' || !p.blankAt(p.pos+ind+1) {
			break
		}
		p.pos += ind
	}
	n.Content = p.take(mark)
	p.leave()
	return n
}

// entry reads the node after a sequence's dash, for a sequence at column m.
func (p *parser) entry(m int) *yaml.Node {
	for p.peek() == ' ' {
		p.pos++
	}
	if c := p.peek(); c == 0 || c == '\n' || c == '#' {
		p.endLine()
		p.skipBlank()
		if p.eof() {
			p.fail()
		}
		ind := p.spaces()
		if ind <= m {
			p.fail()
		}
		p.pos += ind
		return p.blockNode(m, ind)
	}
	if p.peek() == '-' && p.blankAt(p.pos+1) {
		p.fail()
	}
	if p.keyAhead() {
		return p.blockMap(p.column(p.pos) - 1)
	}
	return p.inline(m)
}

// keyAhead reports whether a plain key and its colon start at pos.
func (p *parser) keyAhead() bool {
	if !p.plainStart(false) {
		return false
	}
	for i := p.pos; i < len(p.src); i++ {
		switch c := p.src[i]; {
		case c == '\n', c == '#' && p.src[i-1] == ' ':
			return false
		case c == ':' && p.blankAt(i+1):
			return true
		}
	}
	return false
}

// block reads a literal or folded block scalar, |, |-, > or >-, whose
// indicator is at pos, inside a block collection at column parent.
func (p *parser) block(parent, line, col int) *yaml.Node {
	folded := p.peek() == '>'
	p.pos++
	strip := p.peek() == '-'
	if strip {
		p.pos++
	}
	for p.peek() == ' ' {
		p.pos++
	}
	if p.peek() != '\n' {
		p.fail()
	}
	p.newline()
	ind := p.spaces()
	if ind < max(parent+1, 1) || p.blankAt(p.pos+ind) {
		p.fail()
	}
	var (
		breaks    int  // empty lines since the last content line
		prevBlank bool // the last content line started with a space
		ended     bool // the last content line ended with a line feed
	)
	p.parts = p.parts[:0]
	for !p.eof() {
		sp := p.spaces()
		e := p.pos + sp
		if e == len(p.src) || p.src[e] == '\n' {
			// A line of spaces only is empty, unless it has more than the
			// indentation: those are content.
			if sp > ind {
				p.fail()
			}
			if e == len(p.src) {
				p.pos = e
				break
			}
			p.pos = e
			p.newline()
			breaks++
			continue
		}
		if sp < ind {
			break
		}
		end := len(p.src)
		if i := strings.IndexByte(p.src[e:], '\n'); i >= 0 {
			end = e + i
		}
		pt := part{text: p.src[p.pos+ind : end]}
		blank := sp > ind
		switch {
		case len(p.parts) == 0:
		case !folded || prevBlank || blank:
			pt.breaks = 1 + breaks
		case breaks == 0:
			// Folding joins two lines that start without a space by a
			// space, or by the empty lines between them.
			pt.space = true
		default:
			pt.breaks = breaks
		}
		p.parts = append(p.parts, pt)
		breaks, prevBlank = 0, blank
		p.pos = end
		ended = !p.eof()
		if ended {
			p.newline()
		}
	}
	v := p.join(!strip && ended)
	style := yaml.LiteralStyle
	if folded {
		style = yaml.FoldedStyle
	}
	return p.node(yaml.ScalarNode, style, "!!str", v, line, col)
}

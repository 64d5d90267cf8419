package yamlfast

import (
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// flow reads a flow mapping or sequence whose bracket is at pos. Only the
// document's own node may span several lines.
func (p *parser) flow(multi bool) *yaml.Node {
	p.enter()
	line, col := p.line, p.column(p.pos)
	mark := len(p.stack)
	var n *yaml.Node
	if p.peek() == '{' {
		n = p.node(yaml.MappingNode, yaml.FlowStyle, "!!map", "", line, col)
		p.entries('}', multi, func() {
			p.push(p.flowKey())
			p.pos++ // the colon
			p.flowSpace(multi)
			p.push(p.flowValue(multi))
		})
	} else {
		n = p.node(yaml.SequenceNode, yaml.FlowStyle, "!!seq", "", line, col)
		p.entries(']', multi, func() { p.push(p.flowValue(multi)) })
	}
	n.Content = p.take(mark)
	p.leave()
	return n
}

// entries reads the comma-separated entries of a flow collection up to its
// closing bracket, with entry reading each. Empty entries and a trailing
// comma give up.
func (p *parser) entries(closing byte, multi bool, entry func()) {
	p.pos++
	p.flowSpace(multi)
	if p.peek() == closing {
		p.pos++
		return
	}
	for {
		entry()
		p.flowSpace(multi)
		switch p.peek() {
		case closing:
			p.pos++
			return
		case ',':
			p.pos++
			p.flowSpace(multi)
			if c := p.peek(); c == closing || c == ',' {
				p.fail()
			}
		default:
			p.fail()
		}
	}
}

// flowSpace moves past spaces, and line feeds in a collection that may
// span lines.
func (p *parser) flowSpace(multi bool) {
	for !p.eof() {
		switch p.src[p.pos] {
		case ' ':
			p.pos++
		case '\n':
			if !multi {
				return
			}
			p.newline()
			p.marker()
		case '#':
			p.fail()
		default:
			return
		}
	}
}

// flowKey reads a flow mapping's key, leaving pos at its colon.
func (p *parser) flowKey() *yaml.Node {
	line, col := p.line, p.column(p.pos)
	if c := p.peek(); c == '"' || c == '\'' {
		k := p.quoted(line, col)
		for p.peek() == ' ' {
			p.pos++
		}
		if p.peek() != ':' || len(k.Value) > maxKey {
			p.fail()
		}
		return k
	}
	if !p.plainStart(true) {
		p.fail()
	}
	start, i := p.pos, p.pos
	for ; ; i++ {
		if i >= len(p.src) {
			p.fail()
		}
		c := p.src[i]
		if c == ':' && p.blankAt(i+1) {
			break
		}
		if c == '\n' || c == '?' || isFlowIndicator(c) || c == '#' && p.src[i-1] == ' ' {
			p.fail()
		}
	}
	p.pos = i
	for p.src[i-1] == ' ' {
		i--
	}
	v := p.src[start:i]
	if len(v) > maxKey {
		p.fail()
	}
	return p.node(yaml.ScalarNode, 0, plainTag(v), v, line, col)
}

// flowValue reads an entry of a flow sequence or the value of a flow
// mapping's key.
func (p *parser) flowValue(multi bool) *yaml.Node {
	line, col := p.line, p.column(p.pos)
	switch p.peek() {
	case '{', '[':
		return p.flow(multi)
	case '"', '\'':
		return p.quoted(line, col)
	}
	if !p.plainStart(true) {
		p.fail()
	}
	start, i := p.pos, p.pos
	for ; i < len(p.src); i++ {
		c := p.src[i]
		if c == ',' || c == ']' || c == '}' || c == '\n' {
			break
		}
		if c == ':' && p.blankAt(i+1) || c == '?' || c == '[' || c == '{' || c == '#' && p.src[i-1] == ' ' {
			p.fail()
		}
	}
	p.pos = i
	if i < len(p.src) && p.src[i] == '\n' {
		// The scalar ends here only if what follows cannot continue it.
		j := i
		for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\n') {
			j++
		}
		if !multi || j == len(p.src) || !isFlowIndicator(p.src[j]) || p.src[j] == '[' || p.src[j] == '{' {
			p.fail()
		}
	}
	for p.src[i-1] == ' ' {
		i--
	}
	v := p.src[start:i]
	return p.node(yaml.ScalarNode, 0, plainTag(v), v, line, col)
}

// quoted reads a single- or double-quoted scalar on one line.
func (p *parser) quoted(line, col int) *yaml.Node {
	if p.peek() == '\'' {
		return p.node(yaml.ScalarNode, yaml.SingleQuotedStyle, "!!str", p.single(), line, col)
	}
	return p.node(yaml.ScalarNode, yaml.DoubleQuotedStyle, "!!str", p.double(), line, col)
}

func (p *parser) single() string {
	start := p.pos + 1
	seg, rewritten := start, false
	p.buf = p.buf[:0]
	for i := start; i < len(p.src); i++ {
		switch p.src[i] {
		case '\n':
			p.fail()
		case '\'':
			if i+1 < len(p.src) && p.src[i+1] == '\'' {
				p.buf = append(p.buf, p.src[seg:i+1]...)
				rewritten = true
				i++
				seg = i + 1
				continue
			}
			p.pos = i + 1
			if !rewritten {
				return p.src[start:i]
			}
			return string(append(p.buf, p.src[seg:i]...))
		}
	}
	p.fail()
	return ""
}

// escapes are the one-character escapes of double-quoted scalars.
var escapes = [256]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", 'n': "\n", 'v': "\v", 'f': "\f", 'r': "\r",
	'e': "\x1b", ' ': " ", '"': "\"", '\'': "'", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

func (p *parser) double() string {
	start := p.pos + 1
	seg, rewritten := start, false
	p.buf = p.buf[:0]
	for i := start; i < len(p.src); {
		switch p.src[i] {
		case '\n':
			p.fail()
		case '"':
			p.pos = i + 1
			if !rewritten {
				return p.src[start:i]
			}
			return string(append(p.buf, p.src[seg:i]...))
		case '\\':
			p.buf = append(p.buf, p.src[seg:i]...)
			rewritten = true
			i = p.escape(i + 1)
			seg = i
			continue
		}
		i++
	}
	p.fail()
	return ""
}

// escape appends the character the escape after a backslash at i stands
// for, and returns the position after it.
func (p *parser) escape(i int) int {
	if i >= len(p.src) {
		p.fail()
	}
	c := p.src[i]
	if s := escapes[c]; s != "" {
		p.buf = append(p.buf, s...)
		return i + 1
	}
	digits := 0
	switch c {
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	}
	if digits == 0 || i+1+digits > len(p.src) {
		p.fail()
	}
	v, err := strconv.ParseUint(p.src[i+1:i+1+digits], 16, 32)
	if err != nil || v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
		p.fail()
	}
	p.buf = utf8.AppendRune(p.buf, rune(v))
	return i + 1 + digits
}

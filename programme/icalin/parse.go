package icalin

import (
	"bytes"
	"fmt"
	"strings"
)

// property is one content line: NAME;PARAM=value:VALUE.
type property struct {
	Name   string // upper case
	Params map[string]string
	Value  string
	Line   int
}

// component is a BEGIN:X ... END:X block.
type component struct {
	Name       string // upper case
	Props      []property
	Components []*component
	Line       int
}

// get returns the first property called name.
func (c *component) get(name string) (property, bool) {
	for _, p := range c.Props {
		if p.Name == name {
			return p, true
		}
	}
	return property{}, false
}

// all returns every property called name.
func (c *component) all(name string) []property {
	var out []property
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// parse reads an iCalendar stream into its top-level components. It
// unfolds lines, accepts LF as well as CRLF, and reports lines it cannot
// read as problems rather than failing.
func parse(data []byte) (top []*component, problems []problem) {
	var stack []*component
	for _, ln := range unfold(data) {
		text := ln.text
		if strings.TrimSpace(text) == "" {
			continue
		}
		p, ok := parseLine(text)
		if !ok {
			problems = append(problems, problem{ln.n, fmt.Sprintf("line %q is not NAME:VALUE; ignored", clip(text))})
			continue
		}
		p.Line = ln.n
		switch p.Name {
		case "BEGIN":
			c := &component{Name: strings.ToUpper(strings.TrimSpace(p.Value)), Line: ln.n}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Components = append(parent.Components, c)
			} else {
				top = append(top, c)
			}
			stack = append(stack, c)
		case "END":
			name := strings.ToUpper(strings.TrimSpace(p.Value))
			i := len(stack) - 1
			for i >= 0 && stack[i].Name != name {
				i--
			}
			if i < 0 {
				problems = append(problems, problem{ln.n, fmt.Sprintf("END:%s without BEGIN:%s; ignored", name, name)})
				continue
			}
			if i != len(stack)-1 {
				problems = append(problems, problem{ln.n, fmt.Sprintf("END:%s closes %s left open", name, stack[len(stack)-1].Name)})
			}
			stack = stack[:i]
		default:
			if len(stack) == 0 {
				problems = append(problems, problem{ln.n, fmt.Sprintf("property %s outside any component; ignored", p.Name)})
				continue
			}
			c := stack[len(stack)-1]
			c.Props = append(c.Props, p)
		}
	}
	for _, c := range stack {
		problems = append(problems, problem{c.Line, fmt.Sprintf("BEGIN:%s is never closed", c.Name)})
	}
	return top, problems
}

type problem struct {
	line int
	msg  string
}

type line struct {
	n    int
	text string
}

// unfold joins folded lines (a line starting with a space or a tab
// continues the one before) and numbers each logical line by its first
// physical line.
func unfold(data []byte) []line {
	var out []line
	n := 0
	for len(data) > 0 {
		n++
		i := bytes.IndexByte(data, '\n')
		var raw []byte
		if i < 0 {
			raw, data = data, nil
		} else {
			raw, data = data[:i], data[i+1:]
		}
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && len(out) > 0 {
			out[len(out)-1].text += string(raw[1:])
			continue
		}
		out = append(out, line{n, string(raw)})
	}
	return out
}

// parseLine splits a content line into name, parameters and value.
// Parameter values may be quoted; a colon inside quotes does not end the
// parameters.
func parseLine(s string) (property, bool) {
	p := property{}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return p, false
	}
	p.Name = strings.ToUpper(strings.TrimSpace(s[:i]))
	for _, r := range p.Name {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return p, false
		}
	}
	for s[i] == ';' {
		j := i + 1
		eq := strings.IndexByte(s[j:], '=')
		if eq < 0 {
			return p, false
		}
		key := strings.ToUpper(strings.TrimSpace(s[j : j+eq]))
		j += eq + 1
		var val strings.Builder
		for j < len(s) && s[j] != ';' && s[j] != ':' {
			if s[j] == '"' {
				end := strings.IndexByte(s[j+1:], '"')
				if end < 0 {
					return p, false
				}
				val.WriteString(s[j+1 : j+1+end])
				j += end + 2
				continue
			}
			val.WriteByte(s[j])
			j++
		}
		if p.Params == nil {
			p.Params = map[string]string{}
		}
		p.Params[key] = val.String()
		if j >= len(s) {
			return p, false
		}
		i = j
	}
	p.Value = s[i+1:]
	return p, true
}

// unescape decodes a TEXT value: \n, \N, \, \; and \\.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

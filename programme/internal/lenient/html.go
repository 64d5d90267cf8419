package lenient

import (
	"html"
	"strings"
)

// LooksLikeHTML reports whether s contains an HTML tag, which is how the
// importers tell an HTML abstract from plain text or Markdown.
func LooksLikeHTML(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		c := s[i+1]
		if c == '/' || c == '!' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			if strings.IndexByte(s[i:], '>') > 0 {
				return true
			}
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// HTMLToText turns an HTML fragment into readable plain text: paragraphs
// and line breaks become blank lines and newlines, list items become
// "- " lines, links keep their text followed by the address, entities are
// decoded and scripts, styles and comments are dropped.
func HTMLToText(s string) string {
	var b textBuilder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.text(s)
			break
		}
		b.text(s[:lt])
		s = s[lt:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s, "-->")
			if end < 0 {
				break
			}
			s = s[end+3:]
			continue
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			b.text(s)
			break
		}
		name, closing, attrs := splitTag(s[1:gt])
		if name == "" {
			// Not a tag: a lone "<" in the text.
			b.text("<")
			s = s[1:]
			continue
		}
		s = s[gt+1:]
		switch name {
		case "script", "style":
			if !closing {
				if end := strings.Index(strings.ToLower(s), "</"+name); end >= 0 {
					s = s[end:]
				} else {
					s = ""
				}
			}
		case "br":
			b.newline()
		case "p", "div", "ul", "ol", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "article", "dl":
			b.paragraph()
		case "pre":
			b.paragraph()
			b.pre = !closing
		case "li", "tr", "dt", "dd":
			if !closing {
				b.newline()
				if name == "li" {
					b.raw("- ")
				}
			}
		case "td", "th":
			if !closing {
				b.space()
			}
		case "a":
			if closing {
				if b.href != "" && !strings.Contains(b.linkText(), b.href) {
					b.raw(" (" + b.href + ")")
				}
				b.href = ""
			} else {
				b.href = attr(attrs, "href")
				b.linkStart = b.sb.Len()
			}
		case "img":
			if alt := attr(attrs, "alt"); alt != "" {
				b.text(alt)
			}
		}
	}
	return b.String()
}

// splitTag splits the inside of a tag into its lowercase name, whether it
// closes an element, and its attributes.
func splitTag(tag string) (name string, closing bool, attrs string) {
	tag = strings.TrimSuffix(tag, "/")
	if strings.HasPrefix(tag, "/") {
		closing, tag = true, tag[1:]
	}
	end := strings.IndexAny(tag, " \t\r\n")
	if end < 0 {
		end = len(tag)
	}
	name = strings.ToLower(tag[:end])
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return "", false, ""
		}
	}
	return name, closing, tag[end:]
}

// attr finds a quoted attribute's value in a tag's attribute text.
func attr(attrs, key string) string {
	lower := strings.ToLower(attrs)
	i := strings.Index(lower, key+"=")
	if i < 0 {
		return ""
	}
	v := attrs[i+len(key)+1:]
	if v == "" {
		return ""
	}
	if q := v[0]; q == '"' || q == '\'' {
		if end := strings.IndexByte(v[1:], q); end >= 0 {
			return html.UnescapeString(v[1 : 1+end])
		}
		return ""
	}
	if end := strings.IndexAny(v, " \t\r\n"); end >= 0 {
		v = v[:end]
	}
	return html.UnescapeString(v)
}

// textBuilder writes text with HTML's whitespace rules: runs of spaces
// collapse, and only block elements make line breaks.
type textBuilder struct {
	sb        strings.Builder
	pendingNL int  // newlines owed before the next text
	spaceOwed bool // a space is owed before the next text
	pre       bool
	href      string
	linkStart int
}

func (b *textBuilder) text(s string) {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if s == "" {
		return
	}
	if b.pre {
		b.flush()
		b.sb.WriteString(s)
		return
	}
	for i := 0; i < len(s); {
		if isHTMLSpace(rune(s[i])) {
			b.space()
			i++
			continue
		}
		j := i
		for j < len(s) && !isHTMLSpace(rune(s[j])) {
			j++
		}
		b.flush()
		b.sb.WriteString(s[i:j])
		i = j
	}
}

func (b *textBuilder) raw(s string) {
	b.flush()
	b.sb.WriteString(s)
	b.spaceOwed = false
}

func (b *textBuilder) flush() {
	switch {
	case b.sb.Len() == 0:
	case b.pendingNL > 0:
		b.sb.WriteString(strings.Repeat("\n", b.pendingNL))
	case b.spaceOwed:
		b.sb.WriteByte(' ')
	}
	b.pendingNL = 0
	b.spaceOwed = false
}

func (b *textBuilder) space() {
	if b.pendingNL == 0 {
		b.spaceOwed = true
	}
}

func (b *textBuilder) newline() { b.pendingNL = max(b.pendingNL, 1) }

func (b *textBuilder) paragraph() { b.pendingNL = 2 }

func (b *textBuilder) linkText() string {
	if b.linkStart > b.sb.Len() {
		return ""
	}
	return b.sb.String()[b.linkStart:]
}

func (b *textBuilder) String() string { return strings.TrimSpace(b.sb.String()) }

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

package frab

import (
	"bytes"
	"encoding/xml"

	"github.com/confcal/confcal/programme/internal/lenient"
)

// xmlEntities are the entities XML itself defines.
var xmlEntities = map[string]bool{"amp": true, "lt": true, "gt": true, "apos": true, "quot": true}

// checkEntities warns about every entity reference that neither XML nor
// HTML defines (&xxe;). The decoder, lenient as real exports need, keeps
// such a reference as written, in a title or anywhere else; it never
// reads the document type, so an entity declared there is not expanded
// either, and nothing outside the file is ever loaded. References inside
// comments, CDATA sections and processing instructions are text, not
// references, and are left alone.
func checkEntities(data []byte, lines *lenient.Lines, r *lenient.Reporter) {
	declared := map[string]bool{}
	for i := 0; i < len(data); {
		j := bytes.IndexAny(data[i:], "<&")
		if j < 0 {
			return
		}
		i += j
		if data[i] == '<' {
			i = skipMarkup(data, i, declared)
			continue
		}
		name, end := entityName(data, i)
		switch {
		case name == "" || xmlEntities[name] || xml.HTMLEntity[name] != "":
		case declared[name]:
			r.Warnf("entity", lines.Pos(i), "", "the entity \"&%s;\" is declared in the document type, which confcal does not read; kept as written", name)
		default:
			r.Warnf("entity", lines.Pos(i), "", "the entity \"&%s;\" is not defined; kept as written", name)
		}
		i = end
	}
}

// entityName returns the name of the entity reference at data[i], an
// '&', and where the reference ends. A character reference (&#38;) or
// an ampersand that starts no reference gives no name.
func entityName(data []byte, i int) (string, int) {
	j := i + 1
	for j < len(data) && j-i <= 64 && isNameByte(data[j], j == i+1) {
		j++
	}
	if j == i+1 || j >= len(data) || data[j] != ';' {
		return "", i + 1
	}
	return string(data[i+1 : j]), j + 1
}

func isNameByte(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_', c == ':', c >= 0x80:
		return true
	case '0' <= c && c <= '9', c == '-', c == '.':
		return !first
	}
	return false
}

// skipMarkup returns where to go on scanning after the '<' at data[i]:
// past a comment, a CDATA section, a processing instruction or the
// document type (whose entity declarations it records in declared), or
// just past the '<' of a tag, whose attribute values may hold references.
func skipMarkup(data []byte, i int, declared map[string]bool) int {
	rest := data[i:]
	past := func(end string) int {
		if k := bytes.Index(rest, []byte(end)); k >= 0 {
			return i + k + len(end)
		}
		return len(data)
	}
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return past("-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return past("]]>")
	case bytes.HasPrefix(rest, []byte("<?")):
		return past("?>")
	case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
		return i + doctype(rest, declared)
	}
	return i + 1
}

// doctype returns the length of the document type declaration that
// starts data, and records the general entities it declares.
func doctype(data []byte, declared map[string]bool) int {
	depth, quote := 0, byte(0)
	for j := 1; j < len(data); j++ {
		c := data[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return j + 1
		case bytes.HasPrefix(data[j:], []byte("<!ENTITY")):
			k := j + len("<!ENTITY")
			for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n') {
				k++
			}
			start := k
			for k < len(data) && isNameByte(data[k], k == start) {
				k++
			}
			if k > start {
				declared[string(data[start:k])] = true
			}
			j = k - 1
		}
	}
	return len(data)
}

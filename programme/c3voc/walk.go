package c3voc

import (
	"bytes"
	"encoding/json"
)

// The walk functions find the parts of a JSON document that are already
// known to be valid, without decoding them: the importer decodes each
// event on its own, knowing where it is in the file, and never decodes the
// large lists twice.

// span is a value's place in the document: data[start:end].
type span struct{ start, end int }

// member is one key and value of an object.
type member struct {
	key string
	val span
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// structural marks the bytes valueEnd stops at inside an object or list.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// valueEnd returns where the value starting at data[i] ends, or -1.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			c := data[j]
			if !structural[c] {
				continue
			}
			switch c {
			case '"':
				e := stringEnd(data, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			default:
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(data) && bytes.IndexByte([]byte(",}] \t\r\n"), data[j]) < 0 {
			j++
		}
		return j
	}
}

// stringEnd returns where the string starting at data[i] ends, or -1.
func stringEnd(data []byte, i int) int {
	j := i + 1
	for {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return -1
		}
		j += q
		// The quote ends the string unless an odd number of
		// backslashes escapes it.
		n := 0
		for k := j - 1; k > i && data[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// members returns the members of the object at s, or false when s is not
// an object.
func members(data []byte, s span) ([]member, bool) {
	i := skipSpace(data, s.start)
	if i >= s.end || data[i] != '{' {
		return nil, false
	}
	var out []member
	i = skipSpace(data, i+1)
	for i < s.end && data[i] != '}' {
		ke := stringEnd(data, i)
		if data[i] != '"' || ke < 0 {
			return out, false
		}
		var key string
		raw := data[i:ke]
		if bytes.IndexByte(raw, '\\') < 0 {
			key = string(raw[1 : len(raw)-1])
		} else if json.Unmarshal(raw, &key) != nil {
			return out, false
		}
		i = skipSpace(data, ke)
		if i >= s.end || data[i] != ':' {
			return out, false
		}
		i = skipSpace(data, i+1)
		ve := valueEnd(data, i)
		if ve < 0 {
			return out, false
		}
		out = append(out, member{key, span{i, ve}})
		i = skipSpace(data, ve)
		if i < s.end && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return out, true
}

// elements returns the elements of the list at s, or false when s is not
// a list.
func elements(data []byte, s span) ([]span, bool) {
	i := skipSpace(data, s.start)
	if i >= s.end || data[i] != '[' {
		return nil, false
	}
	var out []span
	i = skipSpace(data, i+1)
	for i < s.end && data[i] != ']' {
		ve := valueEnd(data, i)
		if ve < 0 {
			return out, false
		}
		out = append(out, span{i, ve})
		i = skipSpace(data, ve)
		if i < s.end && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return out, true
}

// without returns the object made of ms, less the members named in skip,
// for decoding the small parts of an object apart from its large lists.
func without(data []byte, ms []member, skip ...string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
next:
	for _, m := range ms {
		for _, k := range skip {
			if m.key == k {
				continue next
			}
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(m.key)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(data[m.val.start:m.val.end])
	}
	b.WriteByte('}')
	return b.Bytes()
}

func find(ms []member, key string) (span, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.val, true
		}
	}
	return span{}, false
}

func isNull(data []byte, s span) bool {
	return s.end-s.start == 4 && string(data[s.start:s.end]) == "null"
}

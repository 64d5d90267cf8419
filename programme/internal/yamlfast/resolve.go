package yamlfast

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// plainTag returns the tag yaml.v3 resolves a plain scalar to: the YAML 1.2
// core schema with yaml.v3's additions (timestamps, 0o and 0b integers,
// underscores in numbers, the merge key).
func plainTag(s string) string {
	if s == "<<" {
		return "!!merge"
	}
	if s == "" {
		return "!!null"
	}
	switch c := s[0]; {
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if tag, ok := special[s]; ok {
			return tag
		}
		return numberTag(s)
	case c == '.':
		if tag, ok := special[s]; ok {
			return tag
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		if tag, ok := special[s]; ok {
			return tag
		}
	}
	return "!!str"
}

// special holds the words that resolve to something other than a string.
var special = map[string]string{
	"true": "!!bool", "True": "!!bool", "TRUE": "!!bool",
	"false": "!!bool", "False": "!!bool", "FALSE": "!!bool",
	"~": "!!null", "null": "!!null", "Null": "!!null", "NULL": "!!null",
	".nan": "!!float", ".NaN": "!!float", ".NAN": "!!float",
	".inf": "!!float", ".Inf": "!!float", ".INF": "!!float",
	"+.inf": "!!float", "+.Inf": "!!float", "+.INF": "!!float",
	"-.inf": "!!float", "-.Inf": "!!float", "-.INF": "!!float",
}

var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// numberTag resolves a plain scalar that starts with a sign or a digit.
func numberTag(s string) string {
	if isTimestamp(s) {
		return "!!timestamp"
	}
	if strings.IndexFunc(s, notInNumber) >= 0 {
		return "!!str"
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "!!int"
	}
	if yamlFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "!!float"
		}
	}
	for _, prefix := range []struct {
		p    string
		base int
	}{{"0b", 2}, {"0o", 8}} {
		if rest, ok := strings.CutPrefix(plain, prefix.p); ok {
			if _, err := strconv.ParseInt(rest, prefix.base, 64); err == nil {
				return "!!int"
			}
			if _, err := strconv.ParseUint(rest, prefix.base, 64); err == nil {
				return "!!int"
			}
		} else if rest, ok := strings.CutPrefix(plain, "-"+prefix.p); ok {
			if _, err := strconv.ParseInt("-"+rest, prefix.base, 64); err == nil {
				return "!!int"
			}
		}
	}
	return "!!str"
}

// notInNumber reports whether r appears in no number yaml.v3 reads:
// decimal, hexadecimal, octal or binary integers, floats, with signs and
// underscores.
func notInNumber(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
		return false
	}
	return strings.IndexRune("+-._xXoO", r) < 0
}

var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether yaml.v3 reads s as a timestamp: four digits,
// a dash, then a date, a date and time, or a date and time with a zone.
func isTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for _, c := range []byte(s[:4]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	// Every layout but the date alone has seconds.
	if strings.IndexAny(s, "Tt ") >= 0 && strings.Count(s, ":") < 2 {
		return false
	}
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

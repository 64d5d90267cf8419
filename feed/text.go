package feed

import (
	"strings"
	"unicode/utf8"
)

// cleanText prepares a value for an iCalendar TEXT property: line breaks
// become LF (which the serializer escapes as \n), and control characters
// other than TAB, which no content line may hold, are dropped, as is
// invalid UTF-8.
func cleanText(s string) string {
	if !needsCleaning(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsCleaning(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c == 0xe2 || c == 0xc2 {
			return true
		}
	}
	return false
}

// oneLine cleans s and folds every line break into a space, for values
// that must stay on one line such as SUMMARY and LOCATION.
func oneLine(s string) string {
	s = cleanText(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// paramValue makes s safe as an iCalendar parameter value: RFC 5545 §3.2
// would need quoting for , ; : and allows no DQUOTE at all, and the
// serializer cannot quote, so those characters are replaced.
func paramValue(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ',', ';', ':', '"', '\\', '\'':
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, oneLine(s))
}

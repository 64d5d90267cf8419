package ics

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Text prepares a value for an iCalendar TEXT property: line breaks
// become LF (which the serializer escapes as \n), and control characters
// other than TAB, which no content line may hold, are dropped, as is
// invalid UTF-8.
func Text(s string) string {
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

// OneLine cleans s and folds every line break into a space, for values
// that must stay on one line such as SUMMARY and LOCATION.
func OneLine(s string) string {
	s = Text(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// Param makes s safe as an iCalendar parameter value: RFC 5545 §3.2
// would need quoting for , ; : and allows no DQUOTE at all, and the
// serializer cannot quote, so those characters are replaced.
func Param(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ',', ';', ':', '"', '\\', '\'':
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, OneLine(s))
}

// Duration formats d as an RFC 5545 duration (§3.3.6), e.g. PT10M, PT1H30M
// or P1D; zero and less is PT0S.
func Duration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	}
	var b strings.Builder
	b.WriteString("PT")
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s := d % time.Minute / time.Second; s > 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	if b.Len() == 2 {
		return "PT0S"
	}
	return b.String()
}

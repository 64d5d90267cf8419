package csvprog

import (
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// when is a date, a time of day or both, as written in a cell.
type when struct {
	date      programme.Date
	clock     lenient.Clock
	hasDate   bool
	hasClock  bool
	instant   time.Time // set when the cell carries a UTC offset
	hasOffset bool
}

var offsetLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00",
	"2006-01-02 15:04:05 Z07:00", "2006-01-02 15:04 Z07:00"}

// parseWhen reads a cell holding a date, a time or both: ISO 8601 (with
// or without an offset), DD/MM/YYYY, DD.MM.YYYY or YYYY/MM/DD, followed by
// HH:MM or HH:MM:SS (or a 12-hour time with am/pm).
func parseWhen(s string) (when, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return when{}, true
	}
	if len(s) > 16 {
		for _, l := range offsetLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return when{instant: t, hasOffset: true, hasDate: true, hasClock: true}, true
			}
		}
	}
	datePart, timePart := s, ""
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		datePart, timePart = s[:10], strings.TrimSpace(s[11:])
	} else if i := strings.IndexByte(s, ' '); i > 0 {
		datePart, timePart = s[:i], strings.TrimSpace(s[i+1:])
	}
	var w when
	if d, ok := parseDate(datePart); ok {
		w.date, w.hasDate = d, true
	} else if c, ok := parseClock(s); ok {
		return when{clock: c, hasClock: true}, true
	} else {
		return when{}, false
	}
	if timePart != "" {
		c, ok := parseClock(timePart)
		if !ok {
			return when{}, false
		}
		w.clock, w.hasClock = c, true
	}
	return w, true
}

var dateLayouts = []string{"2006-01-02", "2/1/2006", "02/01/2006", "2.1.2006", "02.01.2006", "2006/01/02", "2006/1/2"}

func parseDate(s string) (programme.Date, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return programme.DateOf(t), true
		}
	}
	return programme.Date{}, false
}

// parseClock reads HH:MM, H:MM, HH:MM:SS, or a 12-hour time such as
// 9:30 am or 2pm.
func parseClock(s string) (lenient.Clock, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	pm, am := strings.HasSuffix(s, "pm"), strings.HasSuffix(s, "am")
	if am || pm {
		s = strings.TrimSpace(s[:len(s)-2])
		if !strings.Contains(s, ":") {
			s += ":00"
		}
	}
	c, ok := lenient.ParseClock(s)
	if !ok || !am && !pm {
		return c, ok
	}
	if c.H < 1 || c.H > 12 {
		return lenient.Clock{}, false
	}
	c.H %= 12
	if pm {
		c.H += 12
	}
	return c, true
}

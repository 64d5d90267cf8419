package feed

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// transition is one change of UTC offset in a zone.
type transition struct {
	at         time.Time // the instant of the change
	fromOffset int       // seconds east of UTC before
	toOffset   int       // after
	name       string    // abbreviation after, e.g. CEST
}

func offsetAt(t time.Time, loc *time.Location) (string, int) {
	return t.In(loc).Zone()
}

// transitions returns every offset change in loc between from and to,
// found exactly with time.Time.ZoneBounds.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from
	for i := 0; i < 1000; i++ {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || end.After(to) {
			break
		}
		_, before := offsetAt(end.Add(-time.Second), loc)
		name, after := offsetAt(end, loc)
		if before != after {
			out = append(out, transition{at: end, fromOffset: before, toOffset: after, name: name})
		}
		t = end
	}
	return out
}

// yearlyRule is an annual transition rule: the nth (or last, n = -1)
// weekday of a month at a wall-clock time in the old offset.
type yearlyRule struct {
	month   time.Month
	weekday time.Weekday
	n       int
	clock   string // 150405, wall clock in the old offset
	from    int
	to      int
}

func (r yearlyRule) rrule() string {
	days := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r.month, r.n, days[r.weekday])
}

func wall(tr transition) time.Time {
	return tr.at.In(time.FixedZone("", tr.fromOffset))
}

// fitRule returns the yearly rule every transition in trs follows, if one
// does: at most one a year, same month, weekday, position and clock time.
func fitRule(trs []transition) (yearlyRule, bool) {
	if len(trs) == 0 {
		return yearlyRule{}, false
	}
	years := map[int]bool{}
	allLast, posN := true, -2
	first := wall(trs[0])
	r := yearlyRule{month: first.Month(), weekday: first.Weekday(), clock: first.Format("150405"),
		from: trs[0].fromOffset, to: trs[0].toOffset}
	for _, tr := range trs {
		w := wall(tr)
		if years[w.Year()] || w.Month() != r.month || w.Weekday() != r.weekday ||
			w.Format("150405") != r.clock || tr.fromOffset != r.from || tr.toOffset != r.to {
			return yearlyRule{}, false
		}
		years[w.Year()] = true
		n := (w.Day()-1)/7 + 1
		daysIn := time.Date(w.Year(), w.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if w.Day()+7 <= daysIn {
			allLast = false
		}
		switch posN {
		case -2:
			posN = n
		case n:
		default:
			posN = -3 // positions differ
		}
	}
	switch {
	case allLast:
		r.n = -1
	case posN > 0:
		r.n = posN
	default:
		return yearlyRule{}, false
	}
	return r, true
}

func fmtOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

type observance interface {
	AddProperty(ics.ComponentProperty, string, ...ics.PropertyParameter)
}

func addObservance(tz *ics.VTimezone, daylight bool, dtstart string, from, to int, name, rrule string) {
	var o observance
	if daylight {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		o = d
	} else {
		o = tz.AddStandard()
	}
	o.AddProperty(ics.ComponentPropertyDtStart, dtstart)
	o.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), fmtOffset(from))
	o.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), fmtOffset(to))
	if name != "" {
		o.AddProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	if rrule != "" {
		o.AddProperty(ics.ComponentPropertyRrule, rrule)
	}
}

// VTimezone returns a VTIMEZONE for loc that is exact for every instant
// between from and to. Where the zone follows one yearly rule around that
// span it is written as one DAYLIGHT and one STANDARD with an RRULE, the
// shape Outlook requires; otherwise each transition gets its own
// observance. DAYLIGHT and STANDARD are told apart by comparing offsets,
// not by the zone's DST flag, which is inverted for Europe/Dublin.
func VTimezone(loc *time.Location, from, to time.Time) *ics.VTimezone {
	start, end := from.AddDate(-1, 0, 0), to.AddDate(1, 0, 0)
	tz := ics.NewTimezone(loc.String())
	trs := transitions(loc, start, end)
	name0, off0 := offsetAt(start, loc)
	if len(trs) == 0 {
		addObservance(tz, false, "19700101T000000", off0, off0, name0, "")
		return tz
	}
	var spring, autumn []transition
	for _, tr := range trs {
		if tr.toOffset > tr.fromOffset {
			spring = append(spring, tr)
		} else {
			autumn = append(autumn, tr)
		}
	}
	sr, okS := fitRule(spring)
	ar, okA := fitRule(autumn)
	if okS && okA && sr.from == ar.to && sr.to == ar.from {
		addObservance(tz, true, wall(spring[0]).Format("20060102T150405"), sr.from, sr.to, spring[0].name, sr.rrule())
		addObservance(tz, false, wall(autumn[0]).Format("20060102T150405"), ar.from, ar.to, autumn[0].name, ar.rrule())
		return tz
	}
	// No yearly rule: the offset in force at the start, then every change.
	addObservance(tz, false, start.In(time.FixedZone("", off0)).Format("20060102T150405"), off0, off0, name0, "")
	for _, tr := range trs {
		addObservance(tz, tr.toOffset > tr.fromOffset, wall(tr).Format("20060102T150405"), tr.fromOffset, tr.toOffset, tr.name, "")
	}
	return tz
}

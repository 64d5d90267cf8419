package ics

import (
	"fmt"
	"time"

	goical "github.com/arran4/golang-ical"
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

// Offset formats seconds east of UTC as an iCalendar UTC-OFFSET (RFC 5545
// §3.3.14): +0100, or +053328 when the offset has seconds.
func Offset(sec int) string {
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

// Observance is one STANDARD or DAYLIGHT part of a VTIMEZONE (RFC 5545
// §3.6.5): from Start, a wall-clock time in the offset before, the zone is
// at offset To (seconds east of UTC), and again every year by RRule when
// it has one.
type Observance struct {
	Daylight bool
	// Start is DTSTART in its local form, e.g. 20250330T020000.
	Start    string
	From, To int
	// Name is the zone's abbreviation, e.g. CEST; it may be empty.
	Name  string
	RRule string
}

// Observances returns the observances of a VTIMEZONE for loc that is
// exact for every instant between from and to. Where the zone follows one
// yearly rule around that span they are one DAYLIGHT and one STANDARD
// with an RRULE, the shape Outlook requires; otherwise each transition
// gets its own observance. DAYLIGHT and STANDARD are told apart by
// comparing offsets, not by the zone's DST flag, which is inverted for
// Europe/Dublin.
func Observances(loc *time.Location, from, to time.Time) []Observance {
	start, end := around(from, to)
	trs := transitions(loc, start, end)
	name0, off0 := offsetAt(start, loc)
	if len(trs) == 0 {
		return []Observance{{Start: "19700101T000000", From: off0, To: off0, Name: name0}}
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
		return []Observance{
			{Daylight: true, Start: wall(spring[0]).Format(localFormat), From: sr.from, To: sr.to, Name: spring[0].name, RRule: sr.rrule()},
			{Start: wall(autumn[0]).Format(localFormat), From: ar.from, To: ar.to, Name: autumn[0].name, RRule: ar.rrule()},
		}
	}
	// No yearly rule: the offset in force at the start, then every change.
	return changes(loc, start, trs)
}

// Changes returns the observances of a VTIMEZONE for loc that lists every
// change of offset from a year before from to a year after to, after the
// offset in force at the start: exact for every zone, with no rule for a
// reader to get wrong.
func Changes(loc *time.Location, from, to time.Time) []Observance {
	start, end := around(from, to)
	return changes(loc, start, transitions(loc, start, end))
}

// The instants between which every zone's local time has a year RFC 5545
// can write (0001 to 9999): a day in from either end, as no offset
// reaches a day.
var (
	firstInstant = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
	lastInstant  = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
)

// around returns the span a VTIMEZONE for from to to covers: a year more
// on either side, within the years RFC 5545 can write.
func around(from, to time.Time) (start, end time.Time) {
	start, end = from.AddDate(-1, 0, 0), to.AddDate(1, 0, 0)
	if start.Before(firstInstant) {
		start = firstInstant
	}
	if end.After(lastInstant) {
		end = lastInstant
	}
	return start, end
}

func changes(loc *time.Location, start time.Time, trs []transition) []Observance {
	name0, off0 := offsetAt(start, loc)
	out := make([]Observance, 0, len(trs)+1)
	out = append(out, Observance{Start: start.In(time.FixedZone("", off0)).Format(localFormat), From: off0, To: off0, Name: name0})
	for _, tr := range trs {
		out = append(out, Observance{Daylight: tr.toOffset > tr.fromOffset, Start: wall(tr).Format(localFormat),
			From: tr.fromOffset, To: tr.toOffset, Name: tr.name})
	}
	return out
}

const localFormat = "20060102T150405"

// VTimezone returns the VTIMEZONE of Observances(loc, from, to).
func VTimezone(loc *time.Location, from, to time.Time) *goical.VTimezone {
	tz := goical.NewTimezone(loc.String())
	for _, o := range Observances(loc, from, to) {
		var c interface {
			AddProperty(goical.ComponentProperty, string, ...goical.PropertyParameter)
		}
		if o.Daylight {
			d := &goical.Daylight{}
			tz.Components = append(tz.Components, d)
			c = d
		} else {
			c = tz.AddStandard()
		}
		c.AddProperty(goical.ComponentPropertyDtStart, o.Start)
		c.AddProperty(goical.ComponentProperty(goical.PropertyTzoffsetfrom), Offset(o.From))
		c.AddProperty(goical.ComponentProperty(goical.PropertyTzoffsetto), Offset(o.To))
		if o.Name != "" {
			c.AddProperty(goical.ComponentProperty(goical.PropertyTzname), o.Name)
		}
		if o.RRule != "" {
			c.AddProperty(goical.ComponentPropertyRrule, o.RRule)
		}
	}
	return tz
}

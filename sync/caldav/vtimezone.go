package caldav

import (
	"fmt"
	"sort"
	"time"

	"github.com/emersion/go-ical"
)

// vtimezone returns a VTIMEZONE for loc that is exact for every instant
// from a year before from to a year after to: an observance for the
// offset in force at the start, then one for each change of offset, found
// with time.Time.ZoneBounds. Listing the changes, rather than fitting a
// yearly rule, is exact for every zone; CalDAV clients and servers read
// the TZID as an IANA zone name anyway, and some rewrite the VTIMEZONE.
func vtimezone(loc *time.Location, from, to time.Time) *ical.Component {
	start, end := from.AddDate(-1, 0, 0), to.AddDate(1, 0, 0)
	tz := ical.NewComponent(ical.CompTimezone)
	setRaw(tz, ical.PropTimezoneID, loc.String())
	name, off := start.In(loc).Zone()
	observance(tz, false, start.In(time.FixedZone("", off)), off, off, name)
	t := start
	for range 1000 {
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || next.After(end) {
			break
		}
		_, before := next.Add(-time.Second).In(loc).Zone()
		name, after := next.In(loc).Zone()
		if before != after {
			// DTSTART is the wall-clock time of the change in the old
			// offset (RFC 5545 §3.6.5).
			observance(tz, after > before, next.In(time.FixedZone("", before)), before, after, name)
		}
		t = next
	}
	return tz
}

func observance(tz *ical.Component, daylight bool, at time.Time, from, to int, name string) {
	kind := ical.CompTimezoneStandard
	if daylight {
		kind = ical.CompTimezoneDaylight
	}
	o := ical.NewComponent(kind)
	setRaw(o, ical.PropDateTimeStart, at.Format(localFormat))
	setRaw(o, ical.PropTimezoneOffsetFrom, utcOffset(from))
	setRaw(o, ical.PropTimezoneOffsetTo, utcOffset(to))
	if name != "" && name[0] != '+' && name[0] != '-' {
		setText(o, ical.PropTimezoneName, name)
	}
	tz.Children = append(tz.Children, o)
}

// utcOffset formats seconds east of UTC as an iCalendar UTC-OFFSET.
func utcOffset(sec int) string {
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

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package programme

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The years an iCalendar DATE or DATE-TIME can hold (RFC 5545 §3.3.4,
// §3.3.5: four digits).
const (
	minYear = 1
	maxYear = 9999
)

// writable reports whether t, in its own zone and in UTC, is within the
// years iCalendar can write.
func writable(t time.Time) bool {
	y, u := t.Year(), t.UTC().Year()
	return y >= minYear && y <= maxYear && u >= minYear && u <= maxYear
}

// outsideYears says why t cannot be written, naming it what.
func outsideYears(what string, t time.Time) string {
	if y := t.Year(); y >= minYear && y <= maxYear {
		return fmt.Sprintf("%s %s is %s in UTC, outside the years %04d to %04d iCalendar can write",
			what, t.Format("2006-01-02T15:04Z07:00"), t.UTC().Format("2006-01-02T15:04Z"), minYear, maxYear)
	}
	return fmt.Sprintf("%s %s is outside the years %04d to %04d iCalendar can write", what, t.Format("2006-01-02T15:04"), minYear, maxYear)
}

// times reads date/end_date/start/end/duration into s.
func (d *decoder) times(n *yaml.Node, path string, fs fields, s *Session) {
	startF, endF, durF := fs.get("start"), fs.get("end"), fs.get("duration")
	if startF.val == nil || isNull(startF.val) {
		if endF.val != nil && !isNull(endF.val) || durF.val != nil && !isNull(durF.val) {
			d.errf(n, path+".start", "end or duration given without a start")
			return
		}
		d.allDay(n, path, fs, s)
		return
	}
	if f := fs.get("end_date"); f.val != nil && !d.date(f).IsZero() {
		d.errf(f.val, path+".end_date", "end_date is only for sessions without a start time; use end")
	}
	start, ok := d.instant(startF, d.date(fs.get("date")), s.Zone(d.p))
	if !ok {
		return
	}
	if !writable(start) {
		d.errf(startF.val, startF.path(), "%s", outsideYears("start", start))
		return
	}
	s.Start = start
	if f := fs.get("day"); f.val != nil {
		d.conferenceDay(f, s)
	}
	switch {
	case endF.val != nil && !isNull(endF.val) && durF.val != nil && !isNull(durF.val):
		d.errf(durF.key, durF.path(), "give either end or duration, not both")
	case endF.val != nil && !isNull(endF.val):
		d.end(endF, s)
	case durF.val != nil && !isNull(durF.val):
		dur, ok := d.durationOK(durF)
		switch {
		case !ok:
		case dur <= 0:
			d.errf(durF.val, durF.path(), "duration must be positive")
		case !writable(start.Add(dur)):
			d.errf(durF.val, durF.path(), "%s", outsideYears("the end", start.Add(dur)))
		default:
			s.End = start.Add(dur)
		}
	}
}

// allDay reads the date and end_date of a session without a clock time.
func (d *decoder) allDay(n *yaml.Node, path string, fs fields, s *Session) {
	dateF, endF := fs.get("date"), fs.get("end_date")
	date, endDate := d.date(dateF), d.date(endF)
	if date.IsZero() {
		if dateF.val == nil {
			d.errf(n, path+".start", "missing start (or date, for a session with no published time)")
		}
		return
	}
	if f := fs.get("day"); f.val != nil {
		d.errf(f.key, f.path(), "day is only for sessions with a start time")
	}
	last, lastF := date, dateF
	if !endDate.IsZero() {
		if endDate.Before(date) {
			d.errf(endF.val, path+".end_date", "end_date %s is before date %s", endDate, date)
			return
		}
		last, lastF = endDate, endF
	}
	switch {
	case date.Year < minYear:
		d.errf(dateF.val, dateF.path(), "%s is before %04d-01-01, the first day iCalendar can write", date, minYear)
	case last.AddDays(1).Year > maxYear:
		// iCalendar ends a day with the next one, which must be writable too.
		d.errf(lastF.val, lastF.path(), "%s is after %04d-12-30, the last day iCalendar can write a whole day for", last, maxYear)
	default:
		s.AllDay, s.StartDate, s.EndDate = true, date, last
	}
}

// conferenceDay reads the day a session after midnight belongs to.
func (d *decoder) conferenceDay(f field, s *Session) {
	day := d.date(f)
	switch startDay := DateOf(s.Start.In(d.p.Location)); {
	case day.IsZero():
	case day == startDay:
	case day == startDay.AddDays(-1):
		s.ConferenceDay = day
	default:
		d.errf(f.val, f.path(), "day %s must be the start's date (%s) or the day before, for a session after midnight", day, startDay)
	}
}

// end reads a session's end, after its start.
func (d *decoder) end(f field, s *Session) {
	end, ok := d.instantAfter(f, s.Start, s.Zone(d.p))
	switch {
	case !ok:
	case !end.After(s.Start):
		d.errf(f.val, f.path(), "end %s is not after start %s", end.Format("2006-01-02 15:04 MST"), s.Start.Format("2006-01-02 15:04 MST"))
	case !writable(end):
		d.errf(f.val, f.path(), "%s", outsideYears("end", end))
	default:
		s.End = end
	}
}

// instant parses a start time: a full local or offset date-time, or a
// clock time on date.
func (d *decoder) instant(f field, date Date, loc *time.Location) (time.Time, bool) {
	raw, ok := d.str(f)
	if !ok {
		return time.Time{}, false
	}
	if clock, ok := parseClock(raw); ok {
		if date.IsZero() {
			d.errf(f.val, f.path(), "start %q is a clock time: give a date too, or write 2025-02-10T%s", raw, raw)
			return time.Time{}, false
		}
		return d.local(f, date, clock, loc)
	}
	t, local, err := parseDateTime(raw, loc)
	if err != nil {
		d.errf(f.val, f.path(), "%v", err)
		return time.Time{}, false
	}
	if !local {
		return t.In(loc), true
	}
	return d.local(f, DateOf(t), clockOf(t), loc)
}

// instantAfter parses an end: like instant, except that a bare clock time
// is on the start's date, or the next day when it is not after the start
// (a session across midnight).
func (d *decoder) instantAfter(f field, start time.Time, loc *time.Location) (time.Time, bool) {
	raw, ok := d.str(f)
	if !ok {
		return time.Time{}, false
	}
	if clock, ok := parseClock(raw); ok {
		day := DateOf(start.In(loc))
		t, ok := d.local(f, day, clock, loc)
		if ok && !t.After(start) {
			t, ok = d.local(f, day.AddDays(1), clock, loc)
		}
		return t, ok
	}
	return d.instant(f, Date{}, loc)
}

type clock struct{ h, m, s int }

func clockOf(t time.Time) clock { return clock{t.Hour(), t.Minute(), t.Second()} }

func parseClock(s string) (clock, bool) {
	if len(s) > len("15:04:05") {
		return clock{}, false
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return clockOf(t), true
		}
	}
	return clock{}, false
}

// parseMinutes reads the commonest form, 2006-01-02T15:04, as
// time.Parse would with that layout, several times faster.
func parseMinutes(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02T15:04") || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' {
		return time.Time{}, false
	}
	var v [5]int
	for i, at := range [5]int{0, 5, 8, 11, 14} {
		width := 2
		if i == 0 {
			width = 4
		}
		for _, c := range []byte(s[at : at+width]) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	y, mo, d, h, mi := v[0], time.Month(v[1]), v[2], v[3], v[4]
	if mo < 1 || mo > 12 || d < 1 || d > time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day() || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC), true
}

var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}
var offsetLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00", "2006-01-02 15:04:05Z07:00"}

func parseDateTime(s string, loc *time.Location) (t time.Time, local bool, err error) {
	if t, ok := parseMinutes(s); ok {
		return t, true, nil
	}
	for _, layout := range localLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	if looksLikeDate.MatchString(s) {
		return time.Time{}, false, fmt.Errorf("%q is a date, not a time: use date for sessions without a clock time, or add a time (%sT09:00)", s, s)
	}
	if len(s) >= 10 && looksLikeDate.MatchString(s[:10]) {
		if _, err := ParseDate(s[:10]); err != nil {
			return time.Time{}, false, fmt.Errorf("%q is not a real date", s[:10])
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time: write 2025-02-10T09:30 (local), 2025-02-10T09:30+01:00, or 09:30 with a date", s)
}

// local builds a wall-clock time in loc, refusing times skipped by a DST
// change and taking the first occurrence of repeated ones, as RFC 5545
// §3.3.5 says, with a warning.
func (d *decoder) local(f field, date Date, c clock, loc *time.Location) (time.Time, bool) {
	t, status := WallClock(date, c.h, c.m, c.s, loc)
	switch status {
	case WallSkipped:
		d.errf(f.val, f.path(), "%s %02d:%02d does not exist in %s (the clocks go forward then)", date, c.h, c.m, loc)
		return time.Time{}, false
	case WallRepeated:
		d.warnf(f.val, f.path(), "%s %02d:%02d happens twice in %s (the clocks go back); taken as the first, %s; write an explicit offset to choose", date, c.h, c.m, loc, t.Format("-07:00"))
	}
	return t, true
}

// WallStatus says whether a wall-clock time exists once, never or twice.
type WallStatus int

// The results of WallClock.
const (
	WallOK WallStatus = iota
	WallSkipped
	WallRepeated
)

// WallClock returns the instant at which clocks in loc show date h:m:s.
// When that happens twice it returns the first; when it never happens it
// reports WallSkipped.
func WallClock(date Date, h, m, s int, loc *time.Location) (time.Time, WallStatus) {
	t := time.Date(date.Year, date.Month, date.Day, h, m, s, 0, loc)
	same := func(u time.Time) bool {
		u = u.In(loc)
		y, mo, dd := u.Date()
		return y == date.Year && mo == date.Month && dd == date.Day && u.Hour() == h && u.Minute() == m && u.Second() == s
	}
	if !same(t) {
		return t, WallSkipped
	}
	// Clocks change by at most three hours: with one offset from three
	// hours before to three after, the time happens once.
	_, before := t.Add(-3 * time.Hour).Zone()
	_, now := t.Zone()
	_, after := t.Add(3 * time.Hour).Zone()
	if before == now && now == after {
		return t, WallOK
	}
	var matches []time.Time
	for delta := -3 * time.Hour; delta <= 3*time.Hour; delta += 15 * time.Minute {
		if delta != 0 && same(t.Add(delta)) {
			matches = append(matches, t.Add(delta))
		}
	}
	if len(matches) == 0 {
		return t, WallOK
	}
	first := t
	for _, u := range matches {
		if u.Before(first) {
			first = u
		}
	}
	return first.In(loc), WallRepeated
}

// ParseDuration reads a duration written as Go does (1h30m, 45m), as
// H:MM or HH:MM:SS, as ISO 8601 (PT1H30M), or as a whole number of minutes.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return sum(s, 0, n, time.Minute, err == nil)
	}
	if strings.Contains(s, ":") {
		return parseClockDuration(s)
	}
	if strings.HasPrefix(strings.ToUpper(s), "P") {
		return parseISODuration(s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 45m, 1h30m, 1:30 or PT1H30M", s)
	}
	return v, nil
}

// sum adds n units to total, refusing what a time.Duration cannot hold
// (about 292 years); ok false says n itself did not fit.
func sum(s string, total time.Duration, n int64, unit time.Duration, ok bool) (time.Duration, error) {
	if !ok || n > (math.MaxInt64-int64(total))/int64(unit) || n < math.MinInt64/int64(unit) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return total + time.Duration(n)*unit, nil
}

func parseClockDuration(s string) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, fmt.Errorf("%q is not a duration like 1:30 or 01:30:00", s)
	}
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) || v < 0 || (i > 0 && (v > 59 || len(p) != 2)) {
			return 0, fmt.Errorf("%q is not a duration like 1:30 or 01:30:00", s)
		}
		if total, err = sum(s, total, v, units[i], err == nil); err != nil {
			return 0, err
		}
	}
	return total, nil
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(s))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration like PT1H30M", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseInt(m[i+1], 10, 64)
		if total, err = sum(s, total, v, u, err == nil); err != nil {
			return 0, err
		}
	}
	return total, nil
}

func (d *decoder) duration(f field) time.Duration {
	v, _ := d.durationOK(f)
	return v
}

// durationOK reads a duration; ok is false when it is missing or wrong,
// which is reported.
func (d *decoder) durationOK(f field) (time.Duration, bool) {
	s, ok := d.str(f)
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.errf(f.val, f.path(), "%v", err)
		return 0, false
	}
	return v, true
}

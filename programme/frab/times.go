package frab

import (
	"fmt"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// dtKind says what a date-time value holds.
type dtKind int

const (
	dtInvalid dtKind = iota
	dtDate           // a bare date
	dtLocal          // a date and a time, no offset
	dtOffset         // a date and a time with a UTC offset: an instant
)

var (
	offsetLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00",
		"2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z0700"}
	localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}
)

// parseDateTime reads an ISO 8601 date or date-time.
func parseDateTime(s string) (time.Time, dtKind) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 10:
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, dtDate
		}
		return time.Time{}, dtInvalid
	case len(s) < 16:
		return time.Time{}, dtInvalid
	}
	last := s[len(s)-1]
	if last == 'Z' || last == 'z' || strings.ContainsAny(s[16:], "+-") {
		for _, l := range offsetLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, dtOffset
			}
		}
		return time.Time{}, dtInvalid
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, dtLocal
		}
	}
	// Fractional seconds without an offset.
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, dtLocal
	}
	return time.Time{}, dtInvalid
}

// offsetName formats a UTC offset in seconds as +01:00.
func offsetName(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec%3600/60)
}

// etcZone returns the IANA Etc/ zone for a whole-hour offset, which is how
// a programme whose export names no zone keeps its offset.
func etcZone(sec int) (string, bool) {
	if sec == 0 {
		return "UTC", true
	}
	if sec%3600 != 0 || sec > 14*3600 || sec < -12*3600 {
		return "", false
	}
	// The Etc zones' signs are the reverse of ISO 8601's.
	return fmt.Sprintf("Etc/GMT%+d", -sec/3600), true
}

// wall returns the instant clocks in loc show c on d, reporting times that
// do not exist or happen twice.
func (b *builder) wall(ev *Event, d programme.Date, c lenient.Clock) time.Time {
	t, st := programme.WallClock(d, c.H, c.M, c.S, b.loc)
	switch st {
	case programme.WallSkipped:
		b.r.Warnf("dst", ev.Pos, ev.Path, "%s %s does not exist in %s (the clocks go forward then); taken as %s",
			d, c, b.loc, t.In(b.loc).Format("15:04 -07:00"))
	case programme.WallRepeated:
		b.r.Warnf("dst", ev.Pos, ev.Path, "%s %s happens twice in %s (the clocks go back); taken as the first, %s",
			d, c, b.loc, t.Format("-07:00"))
	}
	return t
}

// times sets the start and end of s from ev, found in day (nil for a
// flat event). It reports false when the event cannot be placed in time.
func (b *builder) times(ev *Event, day *Day, s *programme.Session) bool {
	clk, hasClock := lenient.ParseClock(ev.Start)
	if raw := strings.TrimSpace(ev.Start); raw != "" && !hasClock {
		b.r.Warnf("start", ev.Pos, ev.Path, "start %q is not a time like 10:30; ignored", raw)
	}
	var start time.Time
	var dayDate programme.Date
	if raw := strings.TrimSpace(ev.Date); raw != "" {
		t, kind := parseDateTime(raw)
		switch kind {
		case dtOffset:
			start = t
			b.checkOffset(ev, t, clk, hasClock)
		case dtLocal:
			start = b.wall(ev, programme.DateOf(t), lenient.ClockOf(t))
			if hasClock && clk != lenient.ClockOf(t) {
				b.r.Warnf("start-mismatch", ev.Pos, ev.Path, "start %s disagrees with date %s; used the date", clk, raw)
			}
		case dtDate:
			dayDate = programme.DateOf(t)
		default:
			b.r.Warnf("date", ev.Pos, ev.Path, "date %q is not a date-time like 2025-02-01T10:30:00+01:00; used the day's date and the start", raw)
		}
	}
	if start.IsZero() {
		if dayDate.IsZero() && day != nil {
			if d, err := programme.ParseDate(strings.TrimSpace(day.Date)); err == nil {
				dayDate = d
			}
		}
		switch {
		case dayDate.IsZero():
			b.r.Errorf(ev.Pos, ev.Path, "event %q has no date: neither a date-time nor an enclosing day with a date", b.name(ev))
			return false
		case !hasClock:
			b.r.Errorf(ev.Pos, ev.Path, "event %q has no start time (start %q)", b.name(ev), ev.Start)
			return false
		}
		if dc, ok := b.dayChange(day); ok && clk.Less(dc) {
			// Before the day-change hour: after midnight, at the end of
			// the conference day the event is listed under.
			dayDate = dayDate.AddDays(1)
		}
		start = b.wall(ev, dayDate, clk)
	}
	s.Start = start.In(b.loc)
	if day != nil {
		// After midnight, an event stays on the conference day it is
		// listed under.
		if d, err := programme.ParseDate(strings.TrimSpace(day.Date)); err == nil && d == programme.DateOf(s.Start).AddDays(-1) {
			s.ConferenceDay = d
		}
	}
	b.end(ev, s)
	return true
}

// checkOffset compares an event's dated start, which carries an offset,
// with the conference zone and with its clock time.
func (b *builder) checkOffset(ev *Event, t time.Time, clk lenient.Clock, hasClock bool) {
	local := t.In(b.loc)
	_, evOff := t.Zone()
	_, zoneOff := local.Zone()
	switch {
	case evOff == zoneOff:
		if hasClock && lenient.ClockOf(t) != clk {
			b.r.Warnf("start-mismatch", ev.Pos, ev.Path, "start %s disagrees with date %s; used the date", clk, ev.Date)
		}
	case hasClock && lenient.ClockOf(local) == clk:
		b.r.Warnf("date-offset", ev.Pos, ev.Path, "date %s is written in UTC%s while start %s is the local time in %s; both are the same instant",
			ev.Date, offsetName(evOff), clk, b.loc)
	case !hasClock || lenient.ClockOf(t) == clk:
		b.r.Warnf("foreign-offset", ev.Pos, ev.Path, "event starts at %s, in UTC%s, not in the programme's zone %s; kept that instant (%s there)",
			ev.Date, offsetName(evOff), b.loc, local.Format("2006-01-02 15:04"))
	default:
		b.r.Warnf("start-mismatch", ev.Pos, ev.Path, "start %s disagrees with date %s; used the date", clk, ev.Date)
	}
}

// dayChange returns the hour at which a conference day begins: the
// declared day_change, or the clock time of a day's end when it ends on
// the next date.
func (b *builder) dayChange(day *Day) (lenient.Clock, bool) {
	if b.hasDayChange {
		return b.dayChangeAt, true
	}
	if day == nil {
		return lenient.Clock{}, false
	}
	d, err := programme.ParseDate(strings.TrimSpace(day.Date))
	if err != nil {
		return lenient.Clock{}, false
	}
	end, kind := parseDateTime(day.End)
	if kind != dtOffset && kind != dtLocal {
		return lenient.Clock{}, false
	}
	if kind == dtOffset {
		end = end.In(b.loc)
	}
	if programme.DateOf(end) == d.AddDays(1) {
		return lenient.ClockOf(end), true
	}
	return lenient.Clock{}, false
}

// end sets s.End from the event's end or duration.
func (b *builder) end(ev *Event, s *programme.Session) {
	if raw := strings.TrimSpace(ev.End); raw != "" {
		t, kind := parseDateTime(raw)
		switch {
		case kind == dtOffset && t.After(s.Start):
			s.End = t.In(b.loc)
		case kind == dtLocal:
			if e := b.wall(ev, programme.DateOf(t), lenient.ClockOf(t)); e.After(s.Start) {
				s.End = e.In(b.loc)
			}
		}
		if s.End.IsZero() {
			b.r.Warnf("end", ev.Pos, ev.Path, "end %q is not a date-time after the start; used the duration", raw)
		}
	}
	raw := strings.TrimSpace(ev.Duration)
	if raw == "" {
		return
	}
	d, err := programme.ParseDuration(raw)
	switch {
	case err != nil:
		b.r.Warnf("duration", ev.Pos, ev.Path, "duration %q is not a duration like 0:45 or 01:30:00; the session is published without an end", raw)
	case d <= 0:
		if s.End.IsZero() {
			b.r.Warnf("zero-duration", ev.Pos, ev.Path, "duration %q is zero; the session is published without an end", raw)
		}
	case s.End.IsZero():
		s.End = s.Start.Add(d)
	case !s.End.Equal(s.Start.Add(d)):
		b.r.Warnf("end-mismatch", ev.Pos, ev.Path, "end %s and duration %s disagree; used the end", ev.End, raw)
	}
}

package icalin

import (
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/confcal/confcal/programme"
)

// MaxOccurrences bounds how many sessions one recurring event expands to.
const MaxOccurrences = 1000

// value is a DATE or DATE-TIME property value.
type value struct {
	date    programme.Date
	allDay  bool
	instant time.Time
}

var (
	utcLayouts   = []string{"20060102T150405Z", "20060102T1504Z", "2006-01-02T15:04:05Z"}
	localLayouts = []string{"20060102T150405", "20060102T1504", "2006-01-02T15:04:05", "2006-01-02T15:04"}
)

// when reads a DTSTART, DTEND, RECURRENCE-ID or similar property.
func (b *builder) when(p property) (value, error) {
	v := strings.TrimSpace(p.Value)
	if strings.EqualFold(p.Params["VALUE"], "DATE") || len(v) == 8 && strings.Trim(v, "0123456789") == "" ||
		len(v) == 10 && strings.Count(v, "-") == 2 {
		for _, l := range []string{"20060102", "2006-01-02"} {
			if t, err := time.Parse(l, v); err == nil {
				return value{date: programme.DateOf(t), allDay: true}, nil
			}
		}
		return value{}, fmt.Errorf("%s is not a date like 20250210", describe(p))
	}
	for _, l := range utcLayouts {
		if t, err := time.Parse(l, strings.ToUpper(v)); err == nil {
			return value{instant: t}, nil
		}
	}
	for _, l := range localLayouts {
		t, err := time.Parse(l, v)
		if err != nil {
			continue
		}
		loc := b.loc
		if tzid := p.Params["TZID"]; tzid != "" {
			if loc = b.lookupZone(tzid); loc == nil {
				loc = b.loc
				b.r.Warnf("tzid", b.pos(p.Line), p.Name, "TZID %q is not a time zone confcal knows; read the time in %s", tzid, b.loc)
			}
		}
		w, st := programme.WallClock(programme.DateOf(t), t.Hour(), t.Minute(), t.Second(), loc)
		if st == programme.WallSkipped {
			b.r.Warnf("dst", b.pos(p.Line), p.Name, "%s does not exist in %s (the clocks go forward then); taken as %s", v, loc, w.In(loc).Format("15:04"))
		}
		return value{instant: w}, nil
	}
	return value{}, fmt.Errorf("%s is not a date-time like 20250210T093000 or 20250210T083000Z", describe(p))
}

// instant reads a property as an instant, a date being its midnight in the
// programme's zone.
func (b *builder) instant(p property) (time.Time, bool) {
	v, err := b.when(p)
	if err != nil {
		return time.Time{}, false
	}
	if v.allDay {
		return v.date.In(b.loc), true
	}
	return v.instant, true
}

// times sets the session's start and end from DTSTART, DTEND and DURATION.
func (b *builder) times(ev *component, s *programme.Session) bool {
	pos := b.pos(ev.Line)
	dp, ok := ev.get("DTSTART")
	if !ok {
		b.r.Errorf(pos, "VEVENT", "event %q has no DTSTART", s.Title.In(""))
		return false
	}
	start, err := b.when(dp)
	if err != nil {
		b.r.Errorf(b.pos(dp.Line), "DTSTART", "%v", err)
		return false
	}
	var end value
	hasEnd := false
	if ep, ok := ev.get("DTEND"); ok {
		if end, err = b.when(ep); err != nil {
			b.r.Warnf("end", b.pos(ep.Line), "DTEND", "%v; the session is published without an end", err)
		} else {
			hasEnd = true
		}
	} else if du, ok := ev.get("DURATION"); ok {
		d, err := programme.ParseDuration(strings.TrimSpace(du.Value))
		if err != nil || d < 0 {
			b.r.Warnf("end", b.pos(du.Line), "DURATION", "DURATION %q is not a duration like PT1H30M; the session is published without an end", strings.TrimSpace(du.Value))
		} else if start.allDay {
			end, hasEnd = value{date: start.date.AddDays(int(d / (24 * time.Hour))), allDay: true}, true
		} else {
			end, hasEnd = value{instant: start.instant.Add(d)}, true
		}
	}
	if start.allDay {
		s.AllDay, s.StartDate, s.EndDate = true, start.date, start.date
		if hasEnd {
			last := end.date.AddDays(-1) // DTEND of a date is exclusive
			if !end.allDay {
				last = programme.DateOf(end.instant.In(b.loc))
			}
			if last.After(start.date) {
				s.EndDate = last
			}
		}
		return true
	}
	s.Start = start.instant.In(b.loc)
	switch {
	case !hasEnd:
		b.r.Warnf("no-end", pos, "VEVENT", "event %q has no DTEND or DURATION; it is published without an end", s.Title.In(""))
	case end.allDay:
		b.r.Warnf("end", pos, "DTEND", "event %q starts at a time but ends on a date; it is published without an end", s.Title.In(""))
	case end.instant.After(start.instant):
		s.End = end.instant.In(b.loc)
	case end.instant.Equal(start.instant):
		b.r.Warnf("zero-duration", pos, "DTEND", "event %q ends when it starts; it is published without an end", s.Title.In(""))
	default:
		b.r.Warnf("end", pos, "DTEND", "event %q ends before it starts; it is published without an end", s.Title.In(""))
	}
	return true
}

// expand lists the starts of a recurring event: RRULE and RDATE less
// EXDATE. It refuses rules that never end.
func (b *builder) expand(ev *component, s *programme.Session, rule property, hasRule bool) (starts []time.Time, ok bool) {
	pos := b.pos(ev.Line)
	defer func() {
		if r := recover(); r != nil {
			b.r.Errorf(pos, "RRULE", "cannot expand %s: %v", describe(rule), r)
			starts, ok = nil, false
		}
	}()
	first := s.Start
	if s.AllDay {
		first = s.StartDate.In(b.loc)
	}
	set := &rrule.Set{}
	set.DTStart(first)
	if hasRule {
		opt, err := rrule.StrToROptionInLocation(strings.TrimSpace(rule.Value), b.loc)
		if err != nil {
			b.r.Errorf(b.pos(rule.Line), "RRULE", "%s is not a recurrence rule: %v", describe(rule), err)
			return nil, false
		}
		if opt.Count == 0 && opt.Until.IsZero() {
			b.r.Errorf(b.pos(rule.Line), "RRULE", "event %q repeats forever (%s): confcal publishes a programme of single sessions; give the rule a COUNT or an UNTIL, or list the dates with RDATE",
				s.Title.In(""), describe(rule))
			return nil, false
		}
		opt.Dtstart = first
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			b.r.Errorf(b.pos(rule.Line), "RRULE", "%s is not a recurrence rule: %v", describe(rule), err)
			return nil, false
		}
		set.RRule(r)
	} else {
		set.RDate(first)
	}
	for _, key := range []string{"RDATE", "EXDATE"} {
		for _, p := range ev.all(key) {
			for _, part := range strings.Split(p.Value, ",") {
				q := p
				q.Value = part
				t, ok := b.instant(q)
				if !ok {
					b.r.Warnf("recurrence", b.pos(p.Line), key, "%s value %q is not a date or date-time; ignored", key, part)
					continue
				}
				if key == "RDATE" {
					set.RDate(t)
				} else {
					set.ExDate(t)
				}
			}
		}
	}
	next := set.Iterator()
	for {
		t, more := next()
		if !more {
			break
		}
		if len(starts) == MaxOccurrences {
			b.r.Errorf(pos, "RRULE", "event %q repeats more than %d times (%s); confcal refuses to expand it", s.Title.In(""), MaxOccurrences, describe(rule))
			return nil, false
		}
		starts = append(starts, t)
	}
	return starts, true
}

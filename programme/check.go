package programme

import (
	"fmt"
	"sort"
	"time"
)

// Check reports the problems of a programme that no single field shows:
// sessions sharing a UID, impossible times, two sessions in one room at once,
// a speaker in two places at once and sessions outside the programme's
// declared dates. It works on any programme, decoded or imported.
func Check(p *Programme) Diagnostics {
	var ds Diagnostics
	at := func(sev Severity, s *Session, path, format string, args ...any) {
		ds = append(ds, Diagnostic{Severity: sev, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Column,
			Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if p.Source == "" {
		p.Source = "programme"
	}
	uids := map[string]*Session{}
	for _, s := range p.Sessions {
		if s.Pos.File == "" {
			s.Pos.File = p.Source
		}
		path := "session " + s.ID
		if prev, dup := uids[s.UIDKey]; dup {
			at(Error, s, path, "session key %q is used twice (also at line %d)", s.UIDKey, prev.Pos.Line)
		}
		uids[s.UIDKey] = s
		if s.Title.IsZero() {
			at(Error, s, path, "missing title")
		}
		switch {
		case s.AllDay && s.EndDate.Before(s.StartDate):
			at(Error, s, path, "end date %s is before date %s", s.EndDate, s.StartDate)
		case !s.AllDay && s.Start.IsZero():
			at(Error, s, path, "missing start")
		case !s.AllDay && !s.End.IsZero() && !s.End.After(s.Start):
			at(Error, s, path, "end %s is not after start %s", s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
		case !s.AllDay && !writable(s.Start):
			at(Error, s, path, "%s", outsideYears("start", s.Start))
		case !s.AllDay && !s.End.IsZero() && !writable(s.End):
			at(Error, s, path, "%s", outsideYears("end", s.End))
		case s.AllDay && (s.StartDate.Year < minYear || s.EndDate.AddDays(1).Year > maxYear):
			at(Error, s, path, "dates %s to %s are outside the days %04d-01-01 to %04d-12-30 iCalendar can write", s.StartDate, s.EndDate, minYear, maxYear)
		}
		if !p.StartDate.IsZero() && s.Day(p).Before(p.StartDate) ||
			!p.EndDate.IsZero() && lastDay(p, s).After(p.EndDate) {
			at(Warning, s, path, "session on %s is outside the programme's dates %s to %s", s.Day(p), p.StartDate, p.EndDate)
		}
	}
	if ds.HasErrors() {
		return ds
	}
	roomOverlaps(p, at)
	speakerClashes(p, at)
	return ds
}

func lastDay(p *Programme, s *Session) Date {
	if s.AllDay {
		return s.EndDate
	}
	return s.Day(p)
}

type reporter func(sev Severity, s *Session, path, format string, args ...any)

// timed returns the timed sessions with an end that are not cancelled,
// sorted by start.
func timed(ss []*Session) []*Session {
	var out []*Session
	for _, s := range ss {
		if !s.AllDay && !s.End.IsZero() && s.Status != Cancelled {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func roomOverlaps(p *Programme, at reporter) {
	byRoom := map[*Room][]*Session{}
	for _, s := range p.Sessions {
		if s.Room != nil {
			byRoom[s.Room] = append(byRoom[s.Room], s)
		}
	}
	for _, v := range p.Venues {
		for _, r := range v.Rooms {
			ss := timed(byRoom[r])
			for i := 1; i < len(ss); i++ {
				// Compare with every earlier session still running.
				for j := i - 1; j >= 0; j-- {
					if ss[j].End.After(ss[i].Start) {
						at(Warning, ss[i], "session "+ss[i].ID, "overlaps session %q in room %s of %s", ss[j].ID, r.ID, v.ID)
						break
					}
				}
			}
		}
	}
}

func speakerClashes(p *Programme, at reporter) {
	bySpeaker := map[*Speaker][]*Session{}
	for _, s := range p.Sessions {
		for _, sp := range s.Speakers {
			bySpeaker[sp] = append(bySpeaker[sp], s)
		}
	}
	for _, sp := range p.Speakers {
		ss := timed(bySpeaker[sp])
		for i := 1; i < len(ss); i++ {
			prev := ss[i-1]
			if prev.End.After(ss[i].Start) && !samePlace(prev, ss[i]) {
				at(Warning, ss[i], "session "+ss[i].ID, "speaker %s is also in session %q at the same time, elsewhere", sp.Name, prev.ID)
			}
		}
	}
}

func samePlace(a, b *Session) bool {
	if a.Room != nil || b.Room != nil {
		return a.Room == b.Room
	}
	return a.Venue == b.Venue && a.Location == b.Location
}

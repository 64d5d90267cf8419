package icalin

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// events turns every VEVENT into sessions, expanding recurrences.
func (b *builder) events() {
	// Instances replaced by a RECURRENCE-ID event, by UID.
	overridden := map[string]map[time.Time]bool{}
	for _, ev := range b.cal.Components {
		if ev.Name != "VEVENT" {
			continue
		}
		if rid, ok := ev.get("RECURRENCE-ID"); ok {
			uid, _ := ev.get("UID")
			if t, ok := b.instant(rid); ok {
				key := strings.TrimSpace(uid.Value)
				if overridden[key] == nil {
					overridden[key] = map[time.Time]bool{}
				}
				overridden[key][t.UTC()] = true
			}
		}
	}
	uids := map[string]int{}
	for _, ev := range b.cal.Components {
		switch ev.Name {
		case "VEVENT":
			b.event(ev, overridden, uids)
		case "VTIMEZONE", "VTODO", "VJOURNAL", "VFREEBUSY", "VALARM":
		default:
			b.r.Warnf("component", b.pos(ev.Line), "", "component %s is not an event; ignored", ev.Name)
		}
	}
}

func (b *builder) event(ev *component, overridden map[string]map[time.Time]bool, uids map[string]int) {
	pos := b.pos(ev.Line)
	path := "VEVENT"
	s := &programme.Session{Pos: pos, Venue: b.venue, Status: programme.Confirmed}
	title := ""
	if p, ok := ev.get("SUMMARY"); ok {
		title = lenient.Line(unescape(p.Value))
	}
	uidProp, hasUID := ev.get("UID")
	uid := strings.TrimSpace(uidProp.Value)
	if title == "" {
		title = "Untitled"
		b.r.Warnf("title", pos, path, "event %q has no SUMMARY; called it %q", uid, title)
	}
	s.Title = programme.Plain(title)
	if !hasUID || uid == "" {
		b.r.Warnf("uid", pos, path, "event %q has no UID; its id is made from its title", title)
		uid = title
	}
	s.ID = programme.Slugify(uid)
	if s.ID == "" || !lenient.ValidID(s.ID) {
		s.ID = "event"
	}
	if _, isOverride := ev.get("RECURRENCE-ID"); !isOverride {
		if n := uids[uid]; n == 1 {
			b.r.Warnf("duplicate-uid", pos, path, "UID %q is used by more than one event; each gets its own stable UID", uid)
		}
		uids[uid]++
	}
	b.details(ev, s, pos, path, title)
	if !b.times(ev, s) {
		return
	}
	rrule, hasRule := ev.get("RRULE")
	_, hasRDate := ev.get("RDATE")
	if !hasRule && !hasRDate {
		b.p.Sessions = append(b.p.Sessions, s)
		return
	}
	starts, ok := b.expand(ev, s, rrule, hasRule)
	if !ok {
		return
	}
	skip := overridden[strings.TrimSpace(uidProp.Value)]
	n := 0
	for _, start := range starts {
		if skip[start.UTC()] {
			continue
		}
		b.p.Sessions = append(b.p.Sessions, occurrence(s, start, b.loc))
		n++
	}
	b.r.Warnf("recurrence", pos, path, "recurring event %q expanded into %d sessions", title, n)
}

// details reads what an event says beyond its title and times: its
// description, room, tracks, speakers, URL and status.
func (b *builder) details(ev *component, s *programme.Session, pos programme.Pos, path, title string) {
	if p, ok := ev.get("DESCRIPTION"); ok {
		desc := lenient.Text(unescape(p.Value))
		if lenient.LooksLikeHTML(desc) {
			desc = lenient.HTMLToText(desc)
			b.r.Routine("html", "HTML turned into plain text in the DESCRIPTION of %d events; the first is here", pos, path,
				"HTML in the DESCRIPTION of %q turned into plain text", title)
		}
		s.Description = programme.Plain(desc)
	}
	if p, ok := ev.get("LOCATION"); ok {
		s.Room = b.room(lenient.Line(unescape(p.Value)))
	}
	for _, p := range ev.all("CATEGORIES") {
		for _, c := range splitText(p.Value) {
			s.Tracks = append(s.Tracks, lenient.Track(b.p, b.tracks, c))
		}
	}
	for _, p := range ev.all("ATTENDEE") {
		if cn := lenient.Line(p.Params["CN"]); cn != "" {
			s.Speakers = append(s.Speakers, &programme.Speaker{Name: cn, Inline: true})
		}
	}
	if p, ok := ev.get("URL"); ok {
		if s.URL = lenient.URL(p.Value, ""); s.URL == "" && strings.TrimSpace(p.Value) != "" {
			b.r.Warnf("url", b.pos(p.Line), path, "URL %q is not an http(s) URL; dropped", strings.TrimSpace(p.Value))
		}
	}
	if p, ok := ev.get("STATUS"); ok {
		switch strings.ToUpper(strings.TrimSpace(p.Value)) {
		case "CANCELLED", "CANCELED":
			s.Status = programme.Cancelled
		case "TENTATIVE":
			s.Status = programme.Tentative
		}
	}
}

// occurrence returns a copy of s moved to start.
func occurrence(s *programme.Session, start time.Time, loc *time.Location) *programme.Session {
	c := *s
	c.Speakers = append([]*programme.Speaker(nil), s.Speakers...)
	if s.AllDay {
		d := programme.DateOf(start)
		days := 0
		for x := s.StartDate; x.Before(s.EndDate); x = x.AddDays(1) {
			days++
		}
		c.StartDate, c.EndDate = d, d.AddDays(days)
		return &c
	}
	c.Start = start.In(loc)
	if !s.End.IsZero() {
		c.End = c.Start.Add(s.End.Sub(s.Start))
	}
	return &c
}

// splitText splits a list value at unescaped commas.
func splitText(v string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			cur.WriteByte(v[i])
			cur.WriteByte(v[i+1])
			i++
		case v[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(v[i])
		}
	}
	out = append(out, cur.String())
	var clean []string
	for _, s := range out {
		if s = lenient.Line(unescape(s)); s != "" {
			clean = append(clean, s)
		}
	}
	return clean
}

func (b *builder) room(name string) *programme.Room {
	if name == "" {
		return nil
	}
	if r := b.rooms[name]; r != nil {
		return r
	}
	used := map[string]bool{}
	for _, r := range b.venue.Rooms {
		used[r.ID] = true
	}
	r := &programme.Room{ID: lenient.Unique(programme.Slugify(name), used), Name: programme.Plain(name), Venue: b.venue}
	b.rooms[name] = r
	b.venue.Rooms = append(b.venue.Rooms, r)
	return r
}

func describe(p property) string {
	var params []string
	for k, v := range p.Params {
		params = append(params, k+"="+v)
	}
	sort.Strings(params)
	if len(params) == 0 {
		return fmt.Sprintf("%s:%s", p.Name, strings.TrimSpace(p.Value))
	}
	return fmt.Sprintf("%s;%s:%s", p.Name, strings.Join(params, ";"), strings.TrimSpace(p.Value))
}

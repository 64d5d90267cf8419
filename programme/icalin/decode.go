package icalin

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// Options tune how an iCalendar file is read.
type Options struct {
	// TimeZone is the IANA zone of the programme. It is needed when the
	// file has floating times and names no zone, and it overrides the
	// zone the file names.
	TimeZone string
	// Details keeps an Info finding for each routine clean-up (HTML
	// turned into plain text), besides the one warning that counts them.
	Details bool
}

// Decode reads an iCalendar file and returns the programme it holds, with
// a warning for every oddity fixed. It ends with programme.Normalize but
// does not run programme.Check; the source package does.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	r := &lenient.Reporter{File: name, Details: opts.Details}
	top, problems := parse(data)
	for _, pr := range problems {
		r.Warnf("syntax", programme.Pos{File: name, Line: pr.line, Column: 1}, "", "%s", pr.msg)
	}
	var cals []*component
	for _, c := range top {
		if c.Name == "VCALENDAR" {
			cals = append(cals, c)
		}
	}
	if len(cals) == 0 {
		r.Errorf(programme.Pos{File: name, Line: 1, Column: 1}, "", "not an iCalendar file: no BEGIN:VCALENDAR")
		return r.Finish(nil)
	}
	cal := cals[0]
	for _, c := range cals[1:] {
		r.Warnf("calendars", programme.Pos{File: name, Line: c.Line, Column: 1}, "", "a second VCALENDAR; its events are read with the first's")
		cal.Components = append(cal.Components, c.Components...)
	}
	b := &builder{r: r, file: name, cal: cal, zones: map[string]*time.Location{}, rooms: map[string]*programme.Room{},
		tracks: map[string]*programme.Track{}}
	if !b.zone(opts) {
		return r.Finish(nil)
	}
	b.programme()
	b.events()
	return r.Finish(b.p)
}

type builder struct {
	r      *lenient.Reporter
	file   string
	cal    *component
	p      *programme.Programme
	loc    *time.Location
	zones  map[string]*time.Location // TZID to location, nil when unknown
	venue  *programme.Venue
	rooms  map[string]*programme.Room
	tracks map[string]*programme.Track
}

func (b *builder) pos(line int) programme.Pos {
	return programme.Pos{File: b.file, Line: line, Column: 1}
}

func (b *builder) programme() {
	cal := b.cal
	name := ""
	for _, key := range []string{"NAME", "X-WR-CALNAME"} {
		if p, ok := cal.get(key); ok && strings.TrimSpace(p.Value) != "" {
			name = lenient.Line(unescape(p.Value))
			break
		}
	}
	base := strings.TrimSuffix(filepath.Base(b.file), filepath.Ext(b.file))
	if name == "" {
		name = base
		if b.file == "<stdin>" {
			name = "Programme"
		}
	}
	id, _ := lenient.ID(name)
	if id == "" {
		id = "programme"
	}
	p := &programme.Programme{ID: id, Name: programme.Plain(name), Source: b.file, TimeZone: b.loc.String(), Location: b.loc}
	for _, key := range []string{"DESCRIPTION", "X-WR-CALDESC"} {
		if d, ok := cal.get(key); ok {
			p.Description = programme.Plain(lenient.Text(unescape(d.Value)))
			break
		}
	}
	for _, key := range []string{"URL", "SOURCE"} {
		if u, ok := cal.get(key); ok {
			if p.URL = lenient.URL(u.Value, ""); p.URL != "" {
				break
			}
		}
	}
	b.venue = &programme.Venue{ID: "venue", Name: programme.Plain(name), Location: b.loc}
	p.Venues = []*programme.Venue{b.venue}
	b.p = p
}

// zone settles the programme's zone: --timezone, the calendar's
// X-WR-TIMEZONE, or the zone most events name.
func (b *builder) zone(opts Options) bool {
	for _, vt := range b.cal.Components {
		if vt.Name != "VTIMEZONE" {
			continue
		}
		id, _ := vt.get("TZID")
		tzid := strings.TrimSpace(id.Value)
		loc := resolveZone(tzid)
		if loc == nil {
			if x, ok := vt.get("X-LIC-LOCATION"); ok {
				loc = resolveZone(strings.TrimSpace(x.Value))
			}
		}
		b.zones[tzid] = loc
	}
	if opts.TimeZone != "" {
		loc, err := programme.LoadLocation(opts.TimeZone)
		if err != nil {
			b.r.Errorf(programme.Pos{}, "", "unknown time zone %q: give an IANA name such as Europe/Paris", opts.TimeZone)
			return false
		}
		if p, ok := b.cal.get("X-WR-TIMEZONE"); ok && strings.TrimSpace(p.Value) != opts.TimeZone {
			b.r.Warnf("zone", b.pos(p.Line), "", "the calendar declares time zone %q; used %q as asked", strings.TrimSpace(p.Value), opts.TimeZone)
		}
		b.loc = loc
		return true
	}
	for _, key := range []string{"X-WR-TIMEZONE", "TIMEZONE-ID", "VTIMEZONE"} {
		p, ok := b.cal.get(key)
		if !ok {
			continue
		}
		if loc := resolveZone(strings.TrimSpace(p.Value)); loc != nil {
			if key == "VTIMEZONE" {
				b.r.Warnf("zone", b.pos(p.Line), "", "VTIMEZONE is written as a property, not a component; read %q as the calendar's zone", strings.TrimSpace(p.Value))
			}
			b.loc = loc
			return true
		}
		b.r.Warnf("zone", b.pos(p.Line), "", "%s %q is not a time zone confcal knows; ignored", key, strings.TrimSpace(p.Value))
	}
	count := map[string]int{}
	best, floating, utc := "", 0, 0
	for _, ev := range b.cal.Components {
		if ev.Name != "VEVENT" {
			continue
		}
		p, ok := ev.get("DTSTART")
		if !ok {
			continue
		}
		v := strings.TrimSpace(p.Value)
		switch tzid := p.Params["TZID"]; {
		case tzid != "" && b.lookupZone(tzid) != nil:
			count[tzid]++
			if count[tzid] > count[best] || count[tzid] == count[best] && tzid < best {
				best = tzid
			}
		case strings.HasSuffix(strings.ToUpper(v), "Z"):
			utc++
		case len(v) > 8:
			floating++
		}
	}
	switch {
	case best != "":
		b.loc = b.lookupZone(best)
		return true
	case floating > 0:
		b.r.Errorf(b.pos(b.cal.Line), "", "no time zone: the calendar names none and %d events have floating local times; give the programme's zone with --timezone, for example --timezone Europe/Paris", floating)
		return false
	}
	b.loc = time.UTC
	if utc > 0 {
		b.r.Warnf("zone", b.pos(b.cal.Line), "", "the calendar names no zone and its times are in UTC; the programme uses UTC: give the local zone with --timezone so that days and times read as on site")
	}
	return true
}

// lookupZone returns the location a TZID names: an IANA name, the
// location of the file's VTIMEZONE of that id, or nil.
func (b *builder) lookupZone(tzid string) *time.Location {
	tzid = strings.Trim(strings.TrimSpace(tzid), `"`)
	if loc := b.zones[tzid]; loc != nil {
		return loc
	}
	return resolveZone(tzid)
}

// resolveZone loads an IANA zone, also from ids that end in one, such as
// /freeassociation.sourceforge.net/Tzfile/Europe/Berlin or Europe-Brussels.
func resolveZone(tzid string) *time.Location {
	if tzid == "" {
		return nil
	}
	if loc, err := programme.LoadLocation(tzid); err == nil {
		return loc
	}
	parts := strings.Split(tzid, "/")
	for i := 1; i < len(parts); i++ {
		if loc, err := programme.LoadLocation(strings.Join(parts[i:], "/")); err == nil {
			return loc
		}
	}
	if i := strings.IndexByte(tzid, '-'); i > 0 && !strings.Contains(tzid, "/") {
		if loc, err := programme.LoadLocation(tzid[:i] + "/" + tzid[i+1:]); err == nil {
			return loc
		}
	}
	return nil
}

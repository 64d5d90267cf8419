package caldav

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/confcal/confcal/ics"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
)

// The X- properties that carry confcal's marker (sync.Marker) on the
// VEVENT, and the zone of an event written in UTC.
const (
	PropOwner      = "X-CONFCAL-OWNER"
	PropSource     = "X-CONFCAL-SOURCE"
	PropUID        = "X-CONFCAL-UID"
	PropHash       = "X-CONFCAL-HASH"
	PropSchema     = "X-CONFCAL-SCHEMA"
	PropGeneration = "X-CONFCAL-GENERATION"
	PropTimeZone   = "X-CONFCAL-TZID"
)

// ProductID is the PRODID of the objects confcal writes.
const ProductID = "-//confcal//confcal sync//EN"

const (
	dateFormat  = "20060102"
	localFormat = "20060102T150405"
	utcFormat   = "20060102T150405Z"
)

// encodeObject returns the calendar object for it. With base, the object
// as last read, it rewrites only the fields confcal manages and keeps
// everything else: the user's alarms, categories, colour and other
// properties, and notes (the text below the notes line, passed in notes).
func encodeObject(it calsync.Item, notes string, now time.Time, base []byte) ([]byte, error) {
	var cal *ical.Calendar
	var ev *ical.Component
	if base != nil {
		if c, err := decode(base); err == nil {
			if e := mainEvent(c, it.Marker.UID); e != nil {
				cal, ev = c, e
			}
		}
	}
	fresh := ev == nil
	if fresh {
		cal = ical.NewCalendar()
		setRaw(cal.Component, ical.PropVersion, "2.0")
		setRaw(cal.Component, ical.PropCalendarScale, "GREGORIAN")
		ev = ical.NewComponent(ical.CompEvent)
		cal.Children = append(cal.Children, ev)
	}
	setText(cal.Component, ical.PropProductID, ProductID)

	now = now.UTC().Truncate(time.Second)
	setText(ev, ical.PropUID, it.Marker.UID)
	setUTC(ev, ical.PropDateTimeStamp, now)
	setUTC(ev, ical.PropLastModified, now)
	if fresh {
		setUTC(ev, ical.PropCreated, now)
	} else {
		seq := 0
		if p := ev.Props.Get(ical.PropSequence); p != nil {
			seq, _ = strconv.Atoi(strings.TrimSpace(p.Value))
		}
		setRaw(ev, ical.PropSequence, strconv.Itoa(seq+1))
	}
	f := it.Fields
	zone, err := setTimes(ev, f)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", it.ID, err)
	}
	setText(ev, ical.PropSummary, ics.Text(f.Title))
	setText(ev, ical.PropDescription, ics.Text(calsync.JoinNotes(f.Description, notes)))
	setText(ev, ical.PropLocation, ics.Text(f.Location))
	setRaw(ev, ical.PropURL, cleanURI(f.URL))
	setRaw(ev, ical.PropStatus, strings.ToUpper(f.Status))
	transp := "OPAQUE"
	if f.Free {
		transp = "TRANSPARENT"
	}
	setRaw(ev, ical.PropTransparency, transp)
	if fresh && it.Reminder > 0 && !f.AllDay {
		// A new event's reminder; later, the alarms are the user's.
		ev.Children = append(ev.Children, reminder(it.Reminder, f.Title))
	}

	m := it.Marker
	setText(ev, PropOwner, m.Tool)
	setText(ev, PropSource, m.Source)
	setText(ev, PropUID, m.UID)
	setText(ev, PropHash, m.Hash)
	setText(ev, PropSchema, m.Schema)
	setRaw(ev, PropGeneration, strconv.Itoa(m.Generation))

	if zone != nil {
		first, last := f.Start, f.End
		if last.Before(first) {
			last = first
		}
		placeZones(cal, zone.String(), vtimezone(zone, first, last))
	} else {
		placeZones(cal, "", nil)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("event %s: %w", it.ID, err)
	}
	return fold(buf.Bytes()), nil
}

// setTimes writes DTSTART and DTEND (or DURATION:PT0S for a session
// whose end is not published) and returns the zone the times refer to,
// nil for dates and UTC. Local times carry their zone's TZID, except
// those that a change of offset repeats or skips, which no reader agrees
// on: they are written in UTC, with the zone in X-CONFCAL-TZID.
func setTimes(ev *ical.Component, f calsync.Fields) (*time.Location, error) {
	for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDuration, PropTimeZone} {
		ev.Props.Del(name)
	}
	if f.AllDay {
		start, err := time.Parse(time.DateOnly, f.StartDate)
		if err != nil {
			return nil, fmt.Errorf("start date %q: %w", f.StartDate, err)
		}
		end := start.AddDate(0, 0, 1)
		if f.EndDate != "" {
			if end, err = time.Parse(time.DateOnly, f.EndDate); err != nil {
				return nil, fmt.Errorf("end date %q: %w", f.EndDate, err)
			}
		}
		for name, d := range map[string]time.Time{ical.PropDateTimeStart: start, ical.PropDateTimeEnd: end} {
			p := ical.NewProp(name)
			p.Params.Set(ical.ParamValue, string(ical.ValueDate))
			p.Value = d.Format(dateFormat)
			ev.Props.Set(p)
		}
		return nil, nil
	}
	if f.Start.IsZero() {
		return nil, fmt.Errorf("no start time")
	}
	start, end := f.Start, f.End
	if end.Before(start) {
		end = start
	}
	loc := zoneOf(f.TimeZone)
	if loc == nil || ambiguous(start, loc) || ambiguous(end, loc) {
		setUTC(ev, ical.PropDateTimeStart, start)
		if !end.Equal(start) {
			setUTC(ev, ical.PropDateTimeEnd, end)
		}
		if f.TimeZone != "" {
			setText(ev, PropTimeZone, f.TimeZone)
		}
		loc = nil
	} else {
		setLocal(ev, ical.PropDateTimeStart, start, loc)
		if !end.Equal(start) {
			setLocal(ev, ical.PropDateTimeEnd, end, loc)
		}
	}
	if end.Equal(start) {
		setRaw(ev, ical.PropDuration, "PT0S")
	}
	return loc, nil
}

// reminder is a display alarm d before the start.
func reminder(d time.Duration, title string) *ical.Component {
	a := ical.NewComponent(ical.CompAlarm)
	setRaw(a, ical.PropAction, "DISPLAY")
	setText(a, ical.PropDescription, ics.Text(title))
	setRaw(a, ical.PropTrigger, "-"+ics.Duration(d))
	return a
}

// zoneOf loads the zone named name for local times; nil for UTC, for no
// zone and for a zone this system does not know.
func zoneOf(name string) *time.Location {
	switch name {
	case "", "UTC", "Local":
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || loc == time.UTC {
		return nil
	}
	return loc
}

// ambiguous reports whether the wall-clock time of t in loc happens twice
// or never, so that a local time would not name t exactly.
func ambiguous(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	u, st := programme.WallClock(programme.DateOf(l), l.Hour(), l.Minute(), l.Second(), loc)
	return st != programme.WallOK || !u.Equal(t.Truncate(time.Second))
}

// placeZones makes the object's VTIMEZONEs the ones its components refer
// to: tz (freshly generated) for the zone named name, the object's own for
// any other zone the user's additions use. VTIMEZONEs come first.
func placeZones(cal *ical.Calendar, name string, tz *ical.Component) {
	used := map[string]bool{}
	var others []*ical.Component
	old := map[string]*ical.Component{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			if p := c.Props.Get(ical.PropTimezoneID); p != nil {
				old[p.Value] = c
			}
			continue
		}
		others = append(others, c)
		collectZones(c, used)
	}
	var zones []*ical.Component
	if tz != nil {
		zones = append(zones, tz)
	}
	for _, id := range slices.Sorted(maps.Keys(used)) {
		if id == name {
			continue
		}
		if c, ok := old[id]; ok {
			zones = append(zones, c)
		}
	}
	cal.Children = append(zones, others...)
}

func collectZones(c *ical.Component, used map[string]bool) {
	for _, props := range c.Props {
		for _, p := range props {
			if id := p.Params.Get(ical.PropTimezoneID); id != "" {
				used[id] = true
			}
		}
	}
	for _, child := range c.Children {
		collectZones(child, used)
	}
}

// parseObject reads a calendar object. An object confcal cannot read, or
// without an event, comes back with no marker: foreign, never written to.
func parseObject(id, version string, data []byte) calsync.Remote {
	r := calsync.Remote{ID: id, Version: version, Raw: data}
	cal, err := decode(data)
	if err != nil {
		return r
	}
	ev := mainEvent(cal, "")
	if ev == nil {
		return r
	}
	r.Marker = readMarker(ev)
	r.Fields, r.Notes = readFields(ev)
	return r
}

// readMarker reads confcal's marker. A marker whose UID is not the
// event's is no marker: ownership needs both to agree.
func readMarker(ev *ical.Component) calsync.Marker {
	m := calsync.Marker{
		Tool:   text(ev, PropOwner),
		Source: text(ev, PropSource),
		UID:    text(ev, PropUID),
		Hash:   text(ev, PropHash),
		Schema: text(ev, PropSchema),
	}
	if m.Tool == "" {
		return calsync.Marker{}
	}
	if g := text(ev, PropGeneration); g != "" {
		n, err := strconv.Atoi(g)
		if err != nil {
			return calsync.Marker{}
		}
		m.Generation = n
	}
	if m.UID != text(ev, ical.PropUID) {
		return calsync.Marker{}
	}
	return m
}

// readFields reads the fields confcal manages, and the user's notes.
func readFields(ev *ical.Component) (calsync.Fields, string) {
	var f calsync.Fields
	f.Title = text(ev, ical.PropSummary)
	var notes string
	f.Description, notes = calsync.SplitNotes(text(ev, ical.PropDescription))
	f.Location = text(ev, ical.PropLocation)
	if p := ev.Props.Get(ical.PropURL); p != nil {
		f.URL = p.Value
	}
	if p := ev.Props.Get(ical.PropStatus); p != nil {
		f.Status = strings.ToLower(p.Value)
	}
	if p := ev.Props.Get(ical.PropTransparency); p != nil {
		f.Free = strings.EqualFold(p.Value, "TRANSPARENT")
	}
	readTimes(ev, &f)
	return f, notes
}

func readTimes(ev *ical.Component, f *calsync.Fields) {
	start := ev.Props.Get(ical.PropDateTimeStart)
	if start == nil {
		return
	}
	end := ev.Props.Get(ical.PropDateTimeEnd)
	var dur time.Duration
	if p := ev.Props.Get(ical.PropDuration); p != nil {
		dur, _ = p.Duration()
	}
	if isDate(start) {
		d, err := time.Parse(dateFormat, start.Value)
		if err != nil {
			return
		}
		f.AllDay = true
		f.StartDate = d.Format(time.DateOnly)
		last := d.AddDate(0, 0, 1)
		switch {
		case end != nil:
			if e, err := time.Parse(dateFormat, end.Value); err == nil {
				last = e
			}
		case dur > 0:
			last = d.Add(dur)
		}
		f.EndDate = last.Format(time.DateOnly)
		return
	}
	f.TimeZone = start.Params.Get(ical.PropTimezoneID)
	if f.TimeZone == "" {
		f.TimeZone = text(ev, PropTimeZone)
	}
	f.Start = readTime(start, f.TimeZone)
	switch {
	case end != nil:
		f.End = readTime(end, f.TimeZone)
	default:
		f.End = f.Start.Add(dur)
	}
	if tz := zoneOf(canonicalZone(f.TimeZone)); tz != nil {
		f.TimeZone = tz.String()
		f.Start, f.End = f.Start.In(tz), f.End.In(tz)
	}
}

func isDate(p *ical.Prop) bool {
	return strings.EqualFold(p.Params.Get(ical.ParamValue), string(ical.ValueDate)) || len(p.Value) == len(dateFormat)
}

// readTime reads a DATE-TIME in UTC, in its TZID's zone, or (floating) in
// zone.
func readTime(p *ical.Prop, zone string) time.Time {
	v := strings.TrimSpace(p.Value)
	if strings.HasSuffix(v, "Z") {
		t, _ := time.Parse(utcFormat, v)
		return t
	}
	name := p.Params.Get(ical.PropTimezoneID)
	if name == "" {
		name = zone
	}
	loc := zoneOf(canonicalZone(name))
	if loc == nil {
		loc = time.UTC
	}
	t, _ := time.ParseInLocation(localFormat, v, loc)
	return t
}

// canonicalZone turns the TZIDs some servers and clients write for IANA
// zones ("/freeassociation.sourceforge.net/Europe/Paris",
// "/mozilla.org/20050126_1/Europe/Paris") into the zone's name.
func canonicalZone(tzid string) string {
	if !strings.HasPrefix(tzid, "/") {
		return tzid
	}
	parts := strings.Split(strings.Trim(tzid, "/"), "/")
	for i := range parts {
		if cand := strings.Join(parts[i:], "/"); zoneOf(cand) != nil {
			return cand
		}
	}
	return tzid
}

// decode parses an object. The parser is third-party code reading what
// any client may have written; a panic in it is an error here.
func decode(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("parse calendar object: %v", r)
		}
	}()
	return ical.NewDecoder(bytes.NewReader(data)).Decode()
}

// mainEvent returns the VEVENT with uid (any uid when ""), not an
// override of one occurrence.
func mainEvent(cal *ical.Calendar, uid string) *ical.Component {
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent || c.Props.Get(ical.PropRecurrenceID) != nil {
			continue
		}
		if uid == "" || text(c, ical.PropUID) == uid {
			return c
		}
	}
	return nil
}

// text reads a TEXT property leniently: unknown escapes keep the escaped
// character, and commas do not split.
func text(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	v := p.Value
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			b.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// setText sets a TEXT property, or removes it when v is empty.
func setText(c *ical.Component, name, v string) {
	if v == "" {
		c.Props.Del(name)
		return
	}
	p := ical.NewProp(name)
	p.SetText(v)
	p.Params.Del(ical.ParamValue) // TEXT is the default, X- properties included
	c.Props.Set(p)
}

// setRaw sets a property to a value that needs no escaping, or removes it
// when v is empty.
func setRaw(c *ical.Component, name, v string) {
	if v == "" {
		c.Props.Del(name)
		return
	}
	p := ical.NewProp(name)
	p.Value = v
	c.Props.Set(p)
}

func setUTC(c *ical.Component, name string, t time.Time) {
	setRaw(c, name, t.UTC().Format(utcFormat))
}

func setLocal(c *ical.Component, name string, t time.Time, loc *time.Location) {
	p := ical.NewProp(name)
	p.Params.Set(ical.PropTimezoneID, loc.String())
	p.Value = t.In(loc).Format(localFormat)
	c.Props.Set(p)
}

// cleanURI drops what a URI value cannot hold: controls and spaces.
func cleanURI(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// fold folds content lines longer than 75 octets (RFC 5545 §3.1), which
// go-ical's encoder leaves whole, never inside a UTF-8 sequence.
func fold(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/70*3)
	for len(b) > 0 {
		line := b
		i := bytes.Index(b, []byte("\r\n"))
		if i >= 0 {
			line, b = b[:i], b[i+2:]
		} else {
			b = nil
		}
		limit := 75
		for len(line) > limit {
			n := limit
			for n > 0 && !utf8.RuneStart(line[n]) {
				n--
			}
			out.Write(line[:n])
			out.WriteString("\r\n ")
			line = line[n:]
			limit = 74
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

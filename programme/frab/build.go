package frab

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// Options tune how a schedule is read.
type Options struct {
	// TimeZone is the IANA zone of the programme. It is needed when the
	// schedule declares none and its times carry no UTC offset, and it
	// overrides the zone a schedule declares.
	TimeZone string
	// Details keeps an Info finding for each routine clean-up (HTML
	// turned into plain text), besides the one warning that counts them.
	Details bool
}

type builder struct {
	s    *Schedule
	r    *lenient.Reporter
	opts Options
	p    *programme.Programme
	loc  *time.Location

	hasDayChange bool
	dayChangeAt  lenient.Clock

	venue    *programme.Venue
	rooms    map[string]*programme.Room
	roomIDs  map[string]bool
	tracks   map[string]*programme.Track
	trackIDs map[string]bool
	ids      map[string]*Event
	short    map[*programme.Session]string // the id a person types, when it is not the UID's
	derived  []*programme.Session          // sessions of events with no identifier, in file order
}

// Build turns a decoded schedule into a programme, reporting to r every
// oddity it fixes and everything it cannot understand. It returns nil when
// the schedule cannot be placed in time at all. Sessions have their final
// ids and UID keys: the UID key from the event's guid (else its id, code
// or slug), the id from its id (else its code, slug or guid), unique in
// the programme.
func Build(s *Schedule, name string, opts Options, r *lenient.Reporter) *programme.Programme {
	b := &builder{s: s, r: r, opts: opts,
		rooms: map[string]*programme.Room{}, roomIDs: map[string]bool{},
		tracks: map[string]*programme.Track{}, trackIDs: map[string]bool{},
		ids: map[string]*Event{}, short: map[*programme.Session]string{}}
	if !b.zone() {
		return nil
	}
	b.programme(name)
	for _, t := range s.Tracks {
		b.track(t.Name, t.Slug, t.Color)
	}
	for _, room := range s.Rooms {
		b.room(room.Name, room.Slug)
	}
	for i := range s.Days {
		day := &s.Days[i]
		for j := range day.Rooms {
			room := &day.Rooms[j]
			r := b.room(room.Name, room.Slug)
			for k := range room.Events {
				ev := &room.Events[k]
				if r == nil {
					b.event(ev, day, nil, b.room(ev.Room, ""))
					continue
				}
				b.event(ev, day, room, r)
			}
		}
	}
	for i := range s.Events {
		ev := &s.Events[i]
		b.event(ev, nil, nil, b.room(ev.Room, ""))
	}
	b.extendDates()
	if !r.HasErrors() {
		b.settleIDs()
	}
	return b.p
}

func (b *builder) programme(file string) {
	c := b.s.Conference
	p := &programme.Programme{Source: file, TimeZone: b.loc.String(), Location: b.loc}
	b.p = p
	id, _ := lenient.ID(c.Acronym)
	if id == "" {
		id, _ = lenient.ID(c.Title)
	}
	if id == "" {
		id, _ = lenient.ID(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	}
	if id == "" {
		id = "programme"
	}
	p.ID = id
	title := lenient.Line(c.Title)
	if title == "" {
		title = lenient.Line(c.Acronym)
	}
	if title == "" {
		title = id
		b.r.Warnf("title", c.Pos, c.Path, "the conference has no title; named it %q", id)
	}
	p.Name = programme.Plain(title)
	desc, _ := b.text(c.Description)
	p.Description = programme.Plain(desc)
	p.URL = lenient.URL(c.URL, "")
	if p.URL == "" {
		p.URL = lenient.URL(c.BaseURL, "")
	}
	if c.DayChange != "" {
		if dc, ok := lenient.ParseClock(c.DayChange); ok {
			b.hasDayChange, b.dayChangeAt = true, dc
		} else {
			b.r.Warnf("day-change", c.Pos, c.Path, "day_change %q is not a time like 04:00; ignored", c.DayChange)
		}
	}
	p.StartDate = b.confDate(c.Start)
	p.EndDate = b.confDate(c.End)
	if !p.StartDate.IsZero() && !p.EndDate.IsZero() && p.EndDate.Before(p.StartDate) {
		b.r.Warnf("dates", c.Pos, c.Path, "the conference ends (%s) before it starts (%s); dates ignored", p.EndDate, p.StartDate)
		p.StartDate, p.EndDate = programme.Date{}, programme.Date{}
	}
	venueName := lenient.Line(c.Venue)
	v := &programme.Venue{ID: "venue", Name: programme.Plain(title), Location: b.loc, Address: lenient.Line(c.City)}
	if venueName != "" {
		v.Name = programme.Plain(venueName)
		if vid, _ := lenient.ID(venueName); vid != "" {
			v.ID = vid
		}
	}
	b.venue = v
	p.Venues = []*programme.Venue{v}
}

// confDate reads the conference's start or end, a date or a date-time.
func (b *builder) confDate(s string) programme.Date {
	t, kind := parseDateTime(s)
	switch kind {
	case dtDate, dtLocal:
		return programme.DateOf(t)
	case dtOffset:
		return programme.DateOf(t.In(b.loc))
	}
	if strings.TrimSpace(s) != "" {
		c := b.s.Conference
		b.r.Warnf("dates", c.Pos, c.Path, "conference date %q is not a date; ignored", s)
	}
	return programme.Date{}
}

// zone settles the programme's time zone: --timezone, the declared one,
// or one inferred from the offsets the times carry.
func (b *builder) zone() bool {
	c := b.s.Conference
	declared := strings.TrimSpace(c.TimeZoneName)
	if tz := b.opts.TimeZone; tz != "" {
		loc, err := programme.LoadLocation(tz)
		if err != nil {
			b.r.Errorf(programme.Pos{}, "", "unknown time zone %q: give an IANA name such as Europe/Berlin", tz)
			return false
		}
		if declared != "" && declared != tz {
			b.r.Warnf("zone", c.Pos, c.Path, "the schedule declares time zone %q; used %q as asked", declared, tz)
		}
		b.loc = loc
		return true
	}
	if declared != "" {
		loc, err := programme.LoadLocation(declared)
		if err == nil {
			b.loc = loc
			return true
		}
		b.r.Warnf("zone", c.Pos, c.Path, "unknown time zone %q declared; ignored", declared)
	}
	off, n, ok := b.commonOffset()
	if !ok {
		b.r.Errorf(c.Pos, c.Path, "no time zone: the schedule declares none (no time_zone_name) and its times carry no UTC offset; give the programme's zone with --timezone, for example --timezone Europe/Brussels")
		return false
	}
	name, ok := etcZone(off)
	if !ok {
		b.r.Errorf(c.Pos, c.Path, "no time zone: the schedule declares none and its times are in UTC%s; give the programme's zone with --timezone", offsetName(off))
		return false
	}
	loc, err := programme.LoadLocation(name)
	if err != nil {
		b.r.Errorf(c.Pos, c.Path, "no time zone: the schedule declares none; give the programme's zone with --timezone")
		return false
	}
	b.loc = loc
	b.r.Warnf("zone", c.Pos, c.Path, "no time zone declared; %d times carry the offset UTC%s, so the programme uses %s, which has no daylight-saving rules: give the real zone with --timezone, for example --timezone Europe/Berlin",
		n, offsetName(off), name)
	return true
}

// commonOffset returns the UTC offset most event dates carry.
func (b *builder) commonOffset() (off, n int, ok bool) {
	count := map[int]int{}
	var order []int
	add := func(ev *Event) {
		if t, kind := parseDateTime(ev.Date); kind == dtOffset {
			_, o := t.Zone()
			if count[o] == 0 {
				order = append(order, o)
			}
			count[o]++
		}
	}
	for _, d := range b.s.Days {
		for _, r := range d.Rooms {
			for i := range r.Events {
				add(&r.Events[i])
			}
		}
	}
	for i := range b.s.Events {
		add(&b.s.Events[i])
	}
	for _, o := range order {
		if count[o] > n {
			off, n = o, count[o]
		}
	}
	return off, n, n > 0
}

// room returns the room called name in the venue, adding it if new.
func (b *builder) room(name, slug string) *programme.Room {
	name = lenient.Line(name)
	if name == "" {
		return nil
	}
	if r := b.rooms[name]; r != nil {
		return r
	}
	id, _ := lenient.ID(slug)
	if id == "" {
		id = programme.Slugify(name)
	}
	r := &programme.Room{ID: lenient.Unique(id, b.roomIDs), Name: programme.Plain(name), Venue: b.venue}
	b.rooms[name] = r
	b.venue.Rooms = append(b.venue.Rooms, r)
	return r
}

// track returns the track called name, adding it if new.
func (b *builder) track(name, slug, colour string) *programme.Track {
	name = lenient.Line(name)
	if name == "" {
		return nil
	}
	key := strings.ToLower(name)
	if t := b.tracks[key]; t != nil {
		if t.Colour == "" {
			t.Colour = lenient.Colour(colour)
		}
		return t
	}
	id, _ := lenient.ID(slug)
	if id == "" {
		id = programme.Slugify(name)
	}
	t := &programme.Track{ID: lenient.Unique(id, b.trackIDs), Name: programme.Plain(name), Colour: lenient.Colour(colour)}
	b.tracks[key] = t
	b.p.Tracks = append(b.p.Tracks, t)
	return t
}

// name returns how an event is called in messages: by the id a person
// types, else its title.
func (b *builder) name(ev *Event) string {
	for _, s := range []string{ev.ID, ev.Code, ev.Slug, ev.GUID, lenient.Line(ev.Title)} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "?"
}

// event adds one event to the programme.
func (b *builder) event(ev *Event, day *Day, room *Room, r *programme.Room) {
	s := &programme.Session{Pos: ev.Pos, Venue: b.venue, Room: r, Status: programme.Confirmed}
	identified := b.sessionID(ev, s)
	title := lenient.Line(ev.Title)
	if title == "" {
		title = lenient.Line(ev.Slug)
		if title == "" {
			_, id, _ := firstID(ev.ID, ev.Code, ev.GUID)
			title = cmp.Or(id, "Untitled")
		}
		b.r.Warnf("title", ev.Pos, ev.Path, "event %q has no title; called it %q", b.name(ev), title)
	}
	s.Title = programme.Plain(title)
	s.Subtitle = programme.Plain(lenient.Line(ev.Subtitle))
	s.Description = programme.Plain(b.description(ev))
	s.Type = lenient.Line(ev.Type)
	if room != nil && ev.Room != "" && lenient.Line(ev.Room) != lenient.Line(room.Name) {
		b.r.Warnf("room", ev.Pos, ev.Path, "the event's room %q is not the room it is listed in, %q; used %q",
			lenient.Line(ev.Room), lenient.Line(room.Name), lenient.Line(room.Name))
	}
	if t := b.track(ev.Track, ev.TrackSlug, ""); t != nil {
		s.Tracks = []*programme.Track{t}
	}
	if raw := strings.TrimSpace(ev.Language); raw != "" {
		s.Language = lenient.Language(raw)
		if s.Language != raw {
			b.r.Warnf("language", ev.Pos, ev.Path, "language %q is not one language tag; used %q", raw, s.Language)
		}
	}
	if raw := strings.TrimSpace(ev.URL); raw != "" {
		s.URL = lenient.URL(raw, b.base())
		if s.URL == "" {
			b.r.Warnf("url", ev.Pos, ev.Path, "url %q is not an http(s) URL; dropped", raw)
		}
	}
	s.Status = b.status(ev)
	seen := map[string]bool{}
	for _, name := range ev.Persons {
		name = lenient.Line(name)
		if name == "" || seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		s.Speakers = append(s.Speakers, &programme.Speaker{Name: name, Inline: true})
	}
	if !b.times(ev, day, s) {
		return
	}
	if !identified {
		b.derived = append(b.derived, s)
	}
	b.p.Sessions = append(b.p.Sessions, s)
}

// sessionID gives s the id its UID key is made from, as it always has
// been: the event's guid, else its id, code or slug, made acceptable to
// the native format. It records apart the id a person types, the first
// of its id, code, slug and guid (b.short), which replaces it once the
// UID keys are settled. An event with none of these gets an id made from
// its title and start when the whole schedule has been read: sessionID
// reports false for it.
func (b *builder) sessionID(ev *Event, s *programme.Session) bool {
	raw, id, changed := firstID(ev.GUID, ev.ID, ev.Code, ev.Slug)
	if id == "" {
		return false
	}
	if changed {
		b.r.Warnf("id", ev.Pos, ev.Path, "event id %q is not a valid id; used %q", raw, id)
	}
	if first, dup := b.ids[id]; dup {
		b.r.Warnf("duplicate-id", ev.Pos, ev.Path, "event id %q is also used by the event at %s; each occurrence gets its own stable UID",
			id, where(first))
	} else {
		b.ids[id] = ev
	}
	s.ID = id
	if _, short, _ := firstID(ev.ID, ev.Code, ev.Slug, ev.GUID); short != id {
		b.short[s] = short
	}
	return true
}

// firstID returns the first of raws that makes an id, that id, and
// whether the raw value had to be changed to make it.
func firstID(raws ...string) (raw, id string, changed bool) {
	for _, raw := range raws {
		if raw = strings.TrimSpace(raw); raw != "" {
			if id, changed := lenient.ID(raw); id != "" {
				return raw, id, changed
			}
		}
	}
	return "", "", false
}

// settleIDs gives the sessions their final ids once every event is read:
// the UID keys are fixed from the ids sessionID gave (so that they stay
// what they have always been), then each session takes the id a person
// types, unique in the programme.
func (b *builder) settleIDs() {
	b.deriveIDs()
	programme.Normalize(b.p)
	for _, s := range b.p.Sessions {
		if id := b.short[s]; id != "" {
			s.ID = id
		}
	}
	lenient.UniqueIDs(b.p)
}

// deriveIDs gives the events that carry no guid, id, code or slug an id
// made from their title and local start; of two with the same, the one in
// the room first by name keeps it and the other adds its room, then a
// number. It warns once, with the count: such an id, and the UID made
// from it, change when the title or the start does.
func (b *builder) deriveIDs() {
	if len(b.derived) == 0 {
		return
	}
	used := map[string]bool{}
	for _, s := range b.p.Sessions {
		used[s.ID] = true
	}
	groups := map[string][]*programme.Session{}
	var bases []string
	for _, s := range b.derived {
		base := titleSlug(s.Title.In("")) + "-" + s.Start.In(b.loc).Format("20060102T1504")
		if groups[base] == nil {
			bases = append(bases, base)
		}
		groups[base] = append(groups[base], s)
	}
	for _, base := range bases {
		group := groups[base]
		slices.SortStableFunc(group, func(x, y *programme.Session) int { return strings.Compare(roomID(x), roomID(y)) })
		for i, s := range group {
			id := base
			if i > 0 && roomID(s) != "" {
				id += "-" + roomID(s)
			}
			s.ID = lenient.Unique(id, used)
		}
	}
	first, events := b.derived[0], fmt.Sprintf("%d events have", len(b.derived))
	if len(b.derived) == 1 {
		events = "1 event has"
	}
	b.r.Warnf("derived-id", first.Pos, "", "%s no guid, id, code or slug: each got an id made from its title and start, such as %q; a new title or start gives it a new id and a new UID",
		events, first.ID)
}

// titleSlug makes the first words of a title into an id, "event" when it
// has no letters or digits to make one from.
func titleSlug(title string) string {
	slug := programme.Slugify(title)
	if len(slug) > 40 {
		slug = slug[:40]
		if cut := strings.LastIndexByte(slug, '-'); cut > 0 {
			slug = slug[:cut]
		}
	}
	if slug == "" {
		return "event"
	}
	return slug
}

func roomID(s *programme.Session) string {
	if s.Room == nil {
		return ""
	}
	return s.Room.ID
}

func where(ev *Event) string {
	if ev.Pos.Line > 0 {
		return "line " + strconv.Itoa(ev.Pos.Line)
	}
	return ev.Path
}

func (b *builder) base() string {
	if u := lenient.URL(b.s.Conference.BaseURL, ""); u != "" {
		return u
	}
	return b.p.URL
}

// status maps a schedule2 state to a session status.
func (b *builder) status(ev *Event) programme.Status {
	switch st := strings.ToUpper(strings.TrimSpace(ev.State)); st {
	case "", "CONFIRMED", "ACCEPTED":
		return programme.Confirmed
	case "CANCELED", "CANCELLED", "REJECTED", "WITHDRAWN", "DELETED":
		return programme.Cancelled
	case "DRAFT", "SUBMITTED", "DELAYED":
		return programme.Tentative
	default:
		b.r.Warnf("state", ev.Pos, ev.Path, "unknown state %q; taken as confirmed", ev.State)
		return programme.Confirmed
	}
}

// description joins the abstract and the description, as plain text.
func (b *builder) description(ev *Event) string {
	abstract, h1 := b.text(ev.Abstract)
	desc, h2 := b.text(ev.Description)
	if h1 || h2 {
		b.r.Routine("html", "HTML turned into plain text in the texts of %d events; the first is here", ev.Pos, ev.Path,
			"HTML in the text of event %q turned into plain text", b.name(ev))
	}
	switch {
	case abstract == "" || strings.Contains(desc, abstract):
		return desc
	case desc == "" || strings.Contains(abstract, desc):
		return abstract
	}
	return abstract + "\n\n" + desc
}

// text cleans a piece of text, turning HTML into plain text, and reports
// whether it did.
func (b *builder) text(s string) (string, bool) {
	s = lenient.Text(s)
	if lenient.LooksLikeHTML(s) {
		return lenient.HTMLToText(s), true
	}
	return s, false
}

// extendDates widens the declared end date to cover sessions held after
// midnight at the end of the last conference day.
func (b *builder) extendDates() {
	p := b.p
	if p.EndDate.IsZero() {
		return
	}
	dc := lenient.Clock{H: 6}
	if b.hasDayChange {
		dc = b.dayChangeAt
	}
	next := p.EndDate.AddDays(1)
	for _, s := range p.Sessions {
		local := s.Start.In(b.loc)
		if programme.DateOf(local) == next && lenient.ClockOf(local).Less(dc) {
			p.EndDate = next
			return
		}
	}
}

package page

import (
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// The timeline grid of the discovery page: one grid per day, time down
// the side in slots of slotMinutes, one column per room (or venue, when a
// session names no room) across, sessions placed by their start and end.
// Overlapping sessions in one room get side-by-side lanes. Sessions without
// a clock time sit in a row of their own above the times.
const (
	slotMinutes = 5
	// noEndMinutes is how tall a session without a published end is drawn.
	noEndMinutes = 15
	// maxDayMinutes clips sessions that run far past the day they start
	// on, so that one long session cannot make the grid endless.
	maxDayMinutes = 36 * 60
)

type pageDay struct {
	date  programme.Date
	Date  string // YYYY-MM-DD, also the section's id
	Title string
	Short string // "Thu 6 Feb", for the row of days
	Feed  string // the day feed's path
	Count string // "4 sessions"
	// Tracks are the day's counts per track, for the track filter; Keys
	// the class names of the tracks the day has (k0 k2).
	Tracks  []pageCount
	Keys    string
	Grid    template.CSS
	Columns []pageColumn
	AllDay  []pageCell
	Hours   []pageHour
	Items   []pageSession
}

type pageColumn struct {
	Name, Venue string
	Pos         template.CSS
}

// pageCell holds the sessions without a clock time of one column.
type pageCell struct {
	Pos   template.CSS
	Items []pageSession
}

// pageCount is the count of a day's sessions in track I.
type pageCount struct {
	I     int
	Count string
}

type pageHour struct {
	Label string
	Pos   template.CSS
}

type pageSession struct {
	ID, Key, Title, Subtitle string
	// Keys are the class names of the session's tracks (k0 k2), for the
	// track filter; Start and End its span (RFC 3339), for "now / next".
	Keys, Start, End      string
	When, Place, Speakers string
	Tracks                []pageTrack
	Colour                template.CSS // the first track's colour, validated
	Cancelled, Tentative  bool
	Ghost                 bool // removed from the programme: no checkbox
	Elsewhere             bool // in no venue: the column does not say where
	Pos                   template.CSS
	Link                  string // session/KEY.ics
}

type pageTrack struct {
	Name   string
	Colour template.CSS
}

// timedItem is a timed session placed in minutes from midnight of its day.
type timedItem struct {
	ev         *feed.Event
	start, end int
	col        string
	lane       int
}

// hexColour is the one form of colour programme data may give the page.
var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// safeColour returns c as CSS when it is a #rrggbb colour, and "" for
// anything else, so that programme data never reaches a style attribute
// unchecked.
func safeColour(c string) template.CSS {
	if hexColour.MatchString(c) {
		return template.CSS(strings.ToLower(c))
	}
	return ""
}

// layout is what laying out the days of a set needs.
type layout struct {
	set   *feed.Set
	w     *words
	track map[string]int // track id -> index in the programme's tracks
}

// timeline lays out every day of the set.
func timeline(set *feed.Set, w *words) []pageDay {
	p := set.Programme
	l := &layout{set: set, w: w, track: map[string]int{}}
	for i, t := range p.Tracks {
		l.track[t.ID] = i
	}
	byDay := map[programme.Date][]*feed.Event{}
	for _, ev := range set.Events {
		for _, d := range ev.Session.Days(p) {
			byDay[d] = append(byDay[d], ev)
		}
	}
	days := make([]programme.Date, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	out := make([]pageDay, 0, len(days))
	for _, d := range days {
		out = append(out, l.day(d, byDay[d]))
	}
	return out
}

// columnKey names the column a session sits in: VENUE/ROOM, VENUE, or ""
// for sessions with no venue.
func columnKey(s *programme.Session) string {
	switch {
	case s.Venue == nil:
		return ""
	case s.Room == nil:
		return s.Venue.ID
	}
	return s.Venue.ID + "/" + s.Room.ID
}

// column is one column of a day's grid: a room, a venue, or "Elsewhere".
type column struct {
	key, name, venue string
	lanes, at        int
}

// dayItems are a day's sessions sorted out for its grid.
type dayItems struct {
	timed       []*timedItem
	allDay      map[string][]*feed.Event // by column
	used        map[string]bool          // columns with a session
	first, last int                      // minutes of the first start and last end; first < 0 when none is timed
}

func (l *layout) day(d programme.Date, events []*feed.Event) pageDay {
	set := l.set
	day := pageDay{date: d, Date: d.String(), Title: feed.DayTitle(d, set.Lang), Short: l.w.shortDay(d),
		Count: l.w.count(l.w.Session, len(events))}
	if f := set.Feed("day/" + d.String()); f != nil {
		day.Feed = f.Path()
	}
	day.Tracks, day.Keys = l.trackCounts(events)
	items := placeItems(set.Programme, d, events)
	cols := columns(set, items.used, l.w.Elsewhere)
	byKey := map[string]*column{}
	for _, c := range cols {
		byKey[c.key] = c
		c.lanes = 1
	}
	total := assignLanes(items.timed, cols, byKey)

	// Rows: 1 the column names, 2 the sessions without a clock time (when
	// there are any), then one row per slot.
	row0 := 2
	if len(items.allDay) > 0 {
		row0 = 3
	}
	gridStart, last := 0, items.last
	if items.first >= 0 {
		gridStart = items.first / 60 * 60
		last = (last + 59) / 60 * 60
	}
	day.Grid = template.CSS(fmt.Sprintf("grid-template-columns:4.2rem repeat(%d,minmax(9rem,1fr))", total))
	for _, c := range cols {
		day.Columns = append(day.Columns, pageColumn{Name: c.name, Venue: c.venue,
			Pos: template.CSS(fmt.Sprintf("grid-row:1;grid-column:%d/span %d", c.at, c.lanes))})
		if evs := items.allDay[c.key]; len(evs) > 0 {
			cell := pageCell{Pos: template.CSS(fmt.Sprintf("grid-row:2;grid-column:%d/span %d", c.at, c.lanes))}
			for _, ev := range evs {
				cell.Items = append(cell.Items, l.session(ev, ""))
			}
			day.AllDay = append(day.AllDay, cell)
		}
	}
	if items.first >= 0 {
		for m := gridStart; m < last; m += 60 {
			day.Hours = append(day.Hours, pageHour{Label: fmt.Sprintf("%02d:00", m/60%24),
				Pos: template.CSS(fmt.Sprintf("grid-row:%d/span %d;grid-column:1", row0+(m-gridStart)/slotMinutes, 60/slotMinutes))})
		}
	}
	day.Items = l.placeTimed(items.timed, byKey, row0, gridStart, (last-gridStart)/slotMinutes)
	return day
}

// trackCounts counts a day's events per track, in programme order, and
// returns the class names of the tracks it has.
func (l *layout) trackCounts(events []*feed.Event) ([]pageCount, string) {
	n := make([]int, len(l.set.Programme.Tracks))
	for _, ev := range events {
		for _, i := range l.trackIndexes(ev.Session) {
			n[i]++
		}
	}
	var counts []pageCount
	var keys []string
	for i, c := range n {
		if c > 0 {
			counts = append(counts, pageCount{I: i, Count: l.w.count(l.w.Session, c)})
			keys = append(keys, fmt.Sprintf("k%d", i))
		}
	}
	return counts, strings.Join(keys, " ")
}

// trackIndexes returns the indexes of s's tracks among the programme's,
// each once.
func (l *layout) trackIndexes(s *programme.Session) []int {
	var out []int
	for _, t := range s.Tracks {
		if i, ok := l.track[t.ID]; ok && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// placeItems sorts a day's events into timed items, in minutes from
// midnight, and those without a clock time, by column.
func placeItems(p *programme.Programme, d programme.Date, events []*feed.Event) dayItems {
	loc := zoneOf(p)
	items := dayItems{allDay: map[string][]*feed.Event{}, used: map[string]bool{}, first: -1}
	for _, ev := range events {
		s := ev.Session
		col := columnKey(s)
		items.used[col] = true
		if s.AllDay {
			items.allDay[col] = append(items.allDay[col], ev)
			continue
		}
		it := &timedItem{ev: ev, col: col, start: minutesInto(s.Start.In(loc), d)}
		if s.End.IsZero() {
			it.end = it.start + noEndMinutes
		} else {
			it.end = minutesInto(s.End.In(loc), d)
		}
		it.end = max(it.end, it.start+slotMinutes)
		it.end = min(it.end, maxDayMinutes)
		it.start = min(it.start, it.end-slotMinutes)
		items.timed = append(items.timed, it)
		if items.first < 0 || it.start < items.first {
			items.first = it.start
		}
		items.last = max(items.last, it.end)
	}
	return items
}

// columns returns the columns in use, in programme order: each venue, then
// its rooms; venues or rooms that only a removed session names; sessions
// with no venue last.
func columns(set *feed.Set, used map[string]bool, elsewhere string) []*column {
	var cols []*column
	known := map[string]bool{}
	for _, v := range set.Programme.Venues {
		vname := set.Text(v.Name)
		if used[v.ID] {
			cols = append(cols, &column{key: v.ID, name: vname})
		}
		known[v.ID] = true
		for _, r := range v.Rooms {
			k := v.ID + "/" + r.ID
			if used[k] {
				cols = append(cols, &column{key: k, name: set.Text(r.Name), venue: vname})
			}
			known[k] = true
		}
	}
	var extra []string
	for k := range used {
		if !known[k] && k != "" {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		cols = append(cols, &column{key: k, name: k})
	}
	if used[""] {
		cols = append(cols, &column{key: "", name: elsewhere})
	}
	return cols
}

// assignLanes gives each timed session the first lane of its column that
// is free at its start, places the columns side by side, and returns how
// many grid columns they take.
func assignLanes(timed []*timedItem, cols []*column, byKey map[string]*column) int {
	sort.SliceStable(timed, func(i, j int) bool {
		if timed[i].start != timed[j].start {
			return timed[i].start < timed[j].start
		}
		return timed[i].end > timed[j].end
	})
	busy := map[string][]int{} // column -> end minute of each lane
	for _, it := range timed {
		lanes := busy[it.col]
		it.lane = len(lanes)
		for i, end := range lanes {
			if end <= it.start {
				it.lane = i
				break
			}
		}
		if it.lane == len(lanes) {
			lanes = append(lanes, it.end)
		} else {
			lanes[it.lane] = it.end
		}
		busy[it.col] = lanes
		byKey[it.col].lanes = max(byKey[it.col].lanes, len(lanes))
	}
	at, total := 2, 0 // grid column 1 holds the times
	for _, c := range cols {
		c.at = at
		at += c.lanes
		total += c.lanes
	}
	return total
}

// placeTimed returns the timed sessions in reading order (by start, then
// column, so that the page reads as a list where the grid does not fit),
// each with its place in the grid.
func (l *layout) placeTimed(timed []*timedItem, byKey map[string]*column, row0, gridStart, slots int) []pageSession {
	sort.SliceStable(timed, func(i, j int) bool {
		if timed[i].start != timed[j].start {
			return timed[i].start < timed[j].start
		}
		return byKey[timed[i].col].at+timed[i].lane < byKey[timed[j].col].at+timed[j].lane
	})
	out := make([]pageSession, 0, len(timed))
	for _, it := range timed {
		r := row0 + (it.start-gridStart)/slotMinutes
		span := max(1, (it.end-it.start+slotMinutes-1)/slotMinutes)
		if r+span > row0+slots {
			span = max(1, row0+slots-r)
		}
		pos := fmt.Sprintf("grid-row:%d/span %d;grid-column:%d", r, span, byKey[it.col].at+it.lane)
		out = append(out, l.session(it.ev, pos))
	}
	return out
}

// minutesInto returns the wall-clock minutes of t counted from midnight
// of d: 90 for 01:30 on d, 1530 for 01:30 the day after.
func minutesInto(t time.Time, d programme.Date) int {
	days := int(programme.DateOf(t).In(time.UTC).Sub(d.In(time.UTC)).Hours()) / 24
	return days*24*60 + t.Hour()*60 + t.Minute()
}

// session describes one session for the page; pos is its place in the
// grid, empty for sessions without a clock time.
func (l *layout) session(ev *feed.Event, pos string) pageSession {
	set := l.set
	p := set.Programme
	s := ev.Session
	ps := pageSession{ID: s.ID, Key: s.UIDKey, Title: set.Text(s.Title), Subtitle: set.Text(s.Subtitle),
		Cancelled: s.Status == programme.Cancelled || ev.Ghost, Tentative: s.Status == programme.Tentative,
		Ghost: ev.Ghost, Link: "session/" + s.UIDKey + ".ics", When: l.w.when(p, s)}
	ps.Start, ps.End = span(p, s)
	var keys []string
	for _, i := range l.trackIndexes(s) {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	ps.Keys = strings.Join(keys, " ")
	if ps.Title == "" {
		ps.Title = s.ID
	}
	switch {
	case s.Room != nil && s.Venue != nil:
		ps.Place = set.Text(s.Room.Name) + ", " + set.Text(s.Venue.Name)
	case s.Venue != nil:
		ps.Place = set.Text(s.Venue.Name)
	default:
		ps.Place, ps.Elsewhere = s.Location, true
	}
	names := make([]string, len(s.Speakers))
	for i, sp := range s.Speakers {
		names[i] = sp.Name
	}
	ps.Speakers = strings.Join(names, ", ")
	for _, t := range s.Tracks {
		c := safeColour(t.Colour)
		ps.Tracks = append(ps.Tracks, pageTrack{Name: set.Text(t.Name), Colour: c})
		if ps.Colour == "" {
			ps.Colour = c
		}
	}
	style := pos
	if ps.Colour != "" {
		if style != "" {
			style += ";"
		}
		style += "--t:" + string(ps.Colour)
	}
	ps.Pos = template.CSS(style)
	return ps
}

// span returns when s is happening, as RFC 3339 instants, for the
// script's "now / next": a session without a published end lasts, there
// as on the grid, noEndMinutes.
func span(p *programme.Programme, s *programme.Session) (start, end string) {
	a, b := s.Interval(p)
	if !s.AllDay && s.End.IsZero() {
		b = a.Add(noEndMinutes * time.Minute)
	}
	loc := zoneOf(p)
	return a.In(loc).Format(time.RFC3339), b.In(loc).Format(time.RFC3339)
}

// when says when a session is, in the programme's zone.
func (w *words) when(p *programme.Programme, s *programme.Session) string {
	if s.AllDay {
		if s.EndDate.After(s.StartDate) {
			return w.AllDay + ", " + w.shortDay(s.StartDate) + " – " + w.shortDay(s.EndDate)
		}
		return w.AllDay
	}
	loc := zoneOf(p)
	start := s.Start.In(loc)
	if s.End.IsZero() {
		return w.FromTime + " " + start.Format("15:04")
	}
	end := s.End.In(loc)
	if programme.DateOf(end) != programme.DateOf(start) {
		return start.Format("15:04") + "–" + w.days[end.Weekday()] + " " + end.Format("15:04")
	}
	return start.Format("15:04") + "–" + end.Format("15:04")
}

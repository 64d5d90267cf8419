// Package programme is confcal's domain model: a Programme of Sessions held
// at Venues, grouped in Tracks and given by Speakers, together with the
// native YAML/JSON decoder, validation and the selection language shared by
// the CLI, the feed server and sync.
package programme

import (
	"net/url"
	"sort"
	"strings"
	"time"
)

// Programme is one event programme: a conference, a summit week, a festival.
type Programme struct {
	ID       string // slug, used in UIDs and state paths
	Name     Text
	TimeZone string         // IANA name
	Location *time.Location // loaded from TimeZone
	URL      string
	// SessionURLTemplate is the web page of a session that has no URL of
	// its own, with {id} standing for the session's id.
	SessionURLTemplate string
	Description        Text
	Organiser          Organiser
	Domain             string   // right-hand side of every UID
	Languages          []string // first is the default feed language
	Updated            time.Time
	StartDate          Date // optional declared first day
	EndDate            Date // optional declared last day (inclusive)
	Refresh            time.Duration
	// DayChange is the clock time a conference day begins at: a session
	// starting earlier (after midnight) belongs to the previous day.
	// Zero means midnight.
	DayChange time.Duration

	Venues   []*Venue
	Tracks   []*Track
	Speakers []*Speaker
	Sessions []*Session

	// Source names where the programme came from, for messages.
	Source string
}

// Organiser is who publishes the programme.
type Organiser struct {
	Name  string
	Email string
	URL   string
}

// Geo is a WGS84 position.
type Geo struct {
	Lat, Lon float64
}

// Venue is a place sessions happen in.
type Venue struct {
	ID          string
	Name        Text
	Address     string
	Geo         *Geo
	URL         string
	TimeZone    string         // empty: the programme's zone
	Location    *time.Location // always set after decoding
	Description Text
	Rooms       []*Room
}

// Room is a room inside a venue.
type Room struct {
	ID    string
	Name  Text
	Venue *Venue
}

// Track is a thematic strand of the programme.
type Track struct {
	ID          string
	Name        Text
	Colour      string // CSS colour, #rrggbb
	Description Text
}

// Speaker is a person giving sessions.
type Speaker struct {
	ID          string
	Name        string
	Affiliation string
	URL         string
	Inline      bool // named only inside a session
}

// Status is a session's publication status.
type Status string

// The statuses a session may have.
const (
	Confirmed Status = "confirmed"
	Tentative Status = "tentative"
	Cancelled Status = "cancelled"
)

// Session is one item of the programme. A session is either timed (Start
// set, End set unless the end is not published) or dated (AllDay, from
// StartDate to EndDate inclusive) when no clock time is published.
type Session struct {
	ID string
	// UIDKey is the key the session's iCalendar UID is made from. It is the
	// ID, unless the session gives a uid (an imported session keeps the
	// key its source's guid made) or a source repeats one ID at several
	// times; then each occurrence gets its own stable key.
	UIDKey string
	// keyBase is the id UIDKey was made from when the source gave none.
	keyBase string

	Title       Text
	Subtitle    Text
	Description Text

	Start time.Time // in the venue's (or programme's) location
	End   time.Time // zero when the end is not published
	// AllDay sessions have no clock time: they run from StartDate to
	// EndDate, both inclusive.
	AllDay    bool
	StartDate Date
	EndDate   Date
	// ConferenceDay is the day a source lists the session under, when that
	// is the day before its start date (a session after midnight); zero
	// otherwise.
	ConferenceDay Date

	Venue      *Venue
	Room       *Room
	Location   string // free-text place when no venue is known
	Tracks     []*Track
	Type       string
	Speakers   []*Speaker
	URL        string
	Livestream string
	Tags       []string
	Language   string
	Status     Status

	Pos Pos // where the session was declared
}

// Pos is a position in a source file.
type Pos struct {
	File   string
	Line   int
	Column int
}

// KeyBase returns the id the session's UID key was made from when its
// source gave none: the key is then the id itself, or for a later
// occurrence of a repeated id the id and its start time. It is "" when the
// source gave the key (a uid field). A history of earlier builds uses it
// to give each occurrence the key it was first published with.
func (s *Session) KeyBase() string { return s.keyBase }

// Zone returns the location the session's local times are in.
func (s *Session) Zone(p *Programme) *time.Location {
	if s.Venue != nil && s.Venue.Location != nil {
		return s.Venue.Location
	}
	if p.Location != nil {
		return p.Location
	}
	return time.UTC
}

// HasEnd reports whether the session has a published end.
func (s *Session) HasEnd() bool { return s.AllDay || !s.End.IsZero() }

// Day returns the programme-local date the session belongs to: the day it
// starts on, or the day before for a session after midnight that its
// source lists under that day, or that starts before the programme's
// day-change hour.
func (s *Session) Day(p *Programme) Date {
	if s.AllDay {
		return s.StartDate
	}
	local := s.Start.In(p.Location)
	date := DateOf(local)
	if !s.ConferenceDay.IsZero() && s.ConferenceDay == date.AddDays(-1) {
		return s.ConferenceDay
	}
	if p.DayChange > 0 && local.Sub(date.In(p.Location)) < p.DayChange {
		return date.AddDays(-1)
	}
	return date
}

// Days returns every programme-local date the session touches, at least one.
func (s *Session) Days(p *Programme) []Date {
	if !s.AllDay {
		return []Date{s.Day(p)}
	}
	var out []Date
	for d := s.StartDate; !d.After(s.EndDate); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// Interval returns the session's span as absolute instants. All-day
// sessions span their dates in the session's zone; sessions without a
// published end are instants.
func (s *Session) Interval(p *Programme) (start, end time.Time) {
	if s.AllDay {
		loc := s.Zone(p)
		return s.StartDate.In(loc), s.EndDate.AddDays(1).In(loc)
	}
	if s.End.IsZero() {
		return s.Start, s.Start
	}
	return s.Start, s.End
}

// SessionURL returns the web page of s: its own URL, or else the
// programme's SessionURLTemplate with {id} replaced by the session's id,
// escaped for a URL path, or else "".
func (p *Programme) SessionURL(s *Session) string {
	if s.URL != "" || p.SessionURLTemplate == "" {
		return s.URL
	}
	return strings.ReplaceAll(p.SessionURLTemplate, "{id}", url.PathEscape(s.ID))
}

// Venue returns the venue with the given id, or nil.
func (p *Programme) Venue(id string) *Venue {
	for _, v := range p.Venues {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// Track returns the track with the given id, or nil.
func (p *Programme) Track(id string) *Track {
	for _, t := range p.Tracks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Speaker returns the speaker with the given id, or nil.
func (p *Programme) Speaker(id string) *Speaker {
	for _, s := range p.Speakers {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Session returns the first session with the given id, or nil.
func (p *Programme) Session(id string) *Session {
	for _, s := range p.Sessions {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Room returns the room with the given id in venue v, or nil.
func (v *Venue) Room(id string) *Room {
	for _, r := range v.Rooms {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Lang returns the default language for output: the first declared.
func (p *Programme) Lang() string {
	if len(p.Languages) > 0 {
		return p.Languages[0]
	}
	return ""
}

// Days returns every programme-local date that has a session, sorted.
func (p *Programme) Days() []Date {
	seen := map[Date]bool{}
	for _, s := range p.Sessions {
		for _, d := range s.Days(p) {
			seen[d] = true
		}
	}
	out := make([]Date, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Bounds returns the first start and the last end of all sessions.
func (p *Programme) Bounds() (first, last time.Time) {
	for i, s := range p.Sessions {
		a, b := s.Interval(p)
		if i == 0 || a.Before(first) {
			first = a
		}
		if i == 0 || b.After(last) {
			last = b
		}
	}
	return first, last
}

// SortSessions orders sessions by start, then end, then id: the canonical
// order of every output.
func (p *Programme) SortSessions() {
	sort.SliceStable(p.Sessions, func(i, j int) bool {
		return Less(p, p.Sessions[i], p.Sessions[j])
	})
}

// Less orders two sessions of p by start instant, end instant, then key.
func Less(p *Programme, a, b *Session) bool {
	as, ae := a.Interval(p)
	bs, be := b.Interval(p)
	if !as.Equal(bs) {
		return as.Before(bs)
	}
	if a.AllDay != b.AllDay {
		return a.AllDay // all-day first within the same start
	}
	if !ae.Equal(be) {
		return ae.Before(be)
	}
	return a.UIDKey < b.UIDKey
}

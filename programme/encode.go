package programme

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Encode writes p in the native YAML format, so that DecodeBytes reads
// back the same programme. The output is deterministic: the same programme
// always gives the same bytes. Texts in one language are written as plain
// strings, texts in several as a mapping of language to text. Sessions are
// written in the canonical order under their ids, with their UID keys as
// uid where these differ (an imported session keeps the UID its source's
// guid made); a session whose id others share is written under its UID
// key, which is unique.
func Encode(w io.Writer, p *Programme) error {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{encodeProgramme(p)}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode programme: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode programme: %w", err)
	}
	return nil
}

// mapping builds a YAML mapping, leaving out empty values.
type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapping) flow() mapping { m.n.Style = yaml.FlowStyle; return m }

func (m mapping) add(key string, v *yaml.Node) {
	if v == nil {
		return
	}
	m.n.Content = append(m.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func (m mapping) str(key, v string) {
	if v != "" {
		m.add(key, scalar(v))
	}
}

func scalar(v string) *yaml.Node {
	// YAML holds only valid UTF-8; a programme built in code may not.
	v = strings.ToValidUTF8(v, "\uFFFD")
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	if strings.Contains(v, "\n") {
		n.Style = yaml.LiteralStyle
		if strings.HasSuffix(v, "\n") || strings.HasPrefix(v, " ") || strings.Contains(v, " \n") || strings.Contains(v, "\t") {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	return n
}

// plain writes a date or a date-time unquoted, as people write them.
func (m mapping) plain(key, v string) {
	if v != "" {
		m.add(key, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
}

func number(v float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'f', -1, 64)}
}

func list(items []*yaml.Node) *yaml.Node {
	if len(items) == 0 {
		return nil
	}
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func strList(vs []string) *yaml.Node {
	var items []*yaml.Node
	for _, v := range vs {
		items = append(items, scalar(v))
	}
	n := list(items)
	if n != nil {
		n.Style = yaml.FlowStyle
	}
	return n
}

// text writes a Text as a plain string, or as a mapping of language to
// text when it holds several languages.
func text(t Text) *yaml.Node {
	var keys []string
	for k, v := range t {
		if v != "" {
			keys = append(keys, k)
		}
	}
	switch len(keys) {
	case 0:
		return nil
	case 1:
		return scalar(t[keys[0]])
	}
	sort.Strings(keys)
	m := newMapping()
	for _, k := range keys {
		key := k
		if key == "" {
			// An untagged text beside tagged ones has no key of its own
			// in the native format; it is kept under "und" (undetermined).
			key = "und"
		}
		m.str(key, t[k])
	}
	return m.n
}

func encodeProgramme(p *Programme) *yaml.Node {
	m := newMapping()
	m.str("id", p.ID)
	m.add("name", text(p.Name))
	m.str("timezone", p.TimeZone)
	m.str("url", p.URL)
	m.str("session_url", p.SessionURLTemplate)
	m.add("description", text(p.Description))
	if o := p.Organiser; o != (Organiser{}) {
		om := newMapping().flow()
		om.str("name", o.Name)
		om.str("email", o.Email)
		om.str("url", o.URL)
		m.add("organiser", om.n)
	}
	m.str("domain", p.Domain)
	m.add("languages", strList(p.Languages))
	if !p.Updated.IsZero() {
		m.plain("updated", p.Updated.UTC().Format(time.RFC3339))
	}
	if !p.StartDate.IsZero() {
		m.plain("start_date", p.StartDate.String())
	}
	if !p.EndDate.IsZero() {
		m.plain("end_date", p.EndDate.String())
	}
	if p.Refresh > 0 {
		m.str("refresh", formatDuration(p.Refresh))
	}
	if p.DayChange > 0 {
		m.str("day_change", fmt.Sprintf("%02d:%02d", int(p.DayChange.Hours()), int(p.DayChange.Minutes())%60))
	}
	var venues, tracks, speakers, sessions []*yaml.Node
	for _, v := range p.Venues {
		venues = append(venues, encodeVenue(p, v))
	}
	for _, t := range p.Tracks {
		tm := newMapping()
		tm.str("id", t.ID)
		tm.add("name", text(t.Name))
		tm.str("colour", t.Colour)
		tm.add("description", text(t.Description))
		tracks = append(tracks, tm.n)
	}
	for _, s := range p.Speakers {
		sm := newMapping().flow()
		sm.str("id", s.ID)
		sm.str("name", s.Name)
		sm.str("affiliation", s.Affiliation)
		sm.str("url", s.URL)
		speakers = append(speakers, sm.n)
	}
	count := map[string]int{}
	for _, s := range p.Sessions {
		count[s.ID]++
	}
	for _, s := range p.Sessions {
		sessions = append(sessions, encodeSession(p, s, count[s.ID] > 1))
	}
	m.add("venues", list(venues))
	m.add("tracks", list(tracks))
	m.add("speakers", list(speakers))
	m.add("sessions", list(sessions))
	return m.n
}

func encodeVenue(p *Programme, v *Venue) *yaml.Node {
	m := newMapping()
	m.str("id", v.ID)
	m.add("name", text(v.Name))
	m.str("address", v.Address)
	if v.Geo != nil {
		g := newMapping().flow()
		g.add("lat", number(v.Geo.Lat))
		g.add("lon", number(v.Geo.Lon))
		m.add("geo", g.n)
	}
	m.str("url", v.URL)
	if v.TimeZone != "" && v.TimeZone != p.TimeZone {
		m.str("timezone", v.TimeZone)
	}
	m.add("description", text(v.Description))
	var rooms []*yaml.Node
	for _, r := range v.Rooms {
		rm := newMapping().flow()
		rm.str("id", r.ID)
		rm.add("name", text(r.Name))
		rooms = append(rooms, rm.n)
	}
	m.add("rooms", list(rooms))
	return m.n
}

func encodeSession(p *Programme, s *Session, shared bool) *yaml.Node {
	m := newMapping()
	id, uid := s.ID, s.UIDKey
	if shared || id == "" {
		id = uid
	}
	m.str("id", id)
	if uid != id {
		m.str("uid", uid)
	}
	m.add("title", text(s.Title))
	m.add("subtitle", text(s.Subtitle))
	if s.AllDay {
		m.plain("date", s.StartDate.String())
		if s.EndDate != s.StartDate {
			m.plain("end_date", s.EndDate.String())
		}
	} else {
		loc := s.Zone(p)
		m.plain("start", formatLocal(s.Start, loc))
		if !s.End.IsZero() {
			m.plain("end", formatLocal(s.End, loc))
		}
		if !s.ConferenceDay.IsZero() {
			m.plain("day", s.ConferenceDay.String())
		}
	}
	if s.Venue != nil {
		m.str("venue", s.Venue.ID)
	}
	if s.Room != nil {
		m.str("room", s.Room.ID)
	}
	m.str("location", s.Location)
	switch len(s.Tracks) {
	case 0:
	case 1:
		m.str("track", s.Tracks[0].ID)
	default:
		var ids []string
		for _, t := range s.Tracks {
			ids = append(ids, t.ID)
		}
		m.add("tracks", strList(ids))
	}
	m.str("type", s.Type)
	var speakers []string
	for _, sp := range s.Speakers {
		speakers = append(speakers, sp.ID)
	}
	m.add("speakers", strList(speakers))
	m.str("url", s.URL)
	m.str("livestream", s.Livestream)
	m.add("tags", strList(s.Tags))
	m.str("language", s.Language)
	if s.Status != "" && s.Status != Confirmed {
		m.str("status", string(s.Status))
	}
	m.add("description", text(s.Description))
	return m.n
}

// formatLocal writes an instant as a local date-time in loc, or with its
// offset when the local time alone would be ambiguous or would not exist.
func formatLocal(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	layout := "2006-01-02T15:04"
	if l.Second() != 0 {
		layout = "2006-01-02T15:04:05"
	}
	if back, st := WallClock(DateOf(l), l.Hour(), l.Minute(), l.Second(), loc); st != WallOK || !back.Equal(t) {
		return l.Format(layout + "Z07:00")
	}
	return l.Format(layout)
}

// formatDuration writes d as Go does, without zero units: 1h, 90m → 1h30m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

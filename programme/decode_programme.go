package programme

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var programmeFields = newFieldSet("id", "name", "timezone", "url", "session_url", "description", "organiser", "domain",
	"languages", "updated", "start_date", "end_date", "refresh", "day_change", "venues", "tracks", "speakers", "sessions", "$schema")

func (d *decoder) programme(root *yaml.Node) *Programme {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			d.errf(doc, "", "empty programme")
			return nil
		}
		doc = doc.Content[0]
	}
	p := &Programme{Source: d.file}
	d.p = p
	fs, ok := d.object(doc, "", programmeFields)
	if !ok {
		return nil
	}
	d.header(doc, fs)
	d.dates(fs)
	d.venueList(fs.get("venues"))
	d.trackList(fs.get("tracks"))
	d.speakerList(fs.get("speakers"))
	d.sessionList(fs.get("sessions"))
	d.unknownSpeakers()
	Normalize(p)
	return p
}

// header reads the programme's own fields but its dates and lists.
func (d *decoder) header(doc *yaml.Node, fs fields) {
	p := d.p
	p.ID, _ = d.id(fs.get("id"))
	if fs.get("id").val == nil {
		d.errf(doc, "id", "missing programme id (a short slug such as ai-action-summit-2025)")
	}
	p.Name = d.text(fs.get("name"))
	if p.Name.IsZero() {
		d.errf(doc, "name", "missing programme name")
	}
	p.TimeZone, p.Location = d.zone(fs.get("timezone"))
	if fs.get("timezone").val == nil {
		d.errf(doc, "timezone", "missing time zone: give the IANA name of the programme's zone, such as Europe/Paris")
	}
	if p.Location == nil {
		p.Location = time.UTC
	}
	p.URL = d.url(fs.get("url"))
	p.SessionURLTemplate = d.sessionURL(fs.get("session_url"))
	p.Description = d.text(fs.get("description"))
	if f := fs.get("organiser"); f.val != nil {
		d.organiser(f)
	}
	p.Domain, _ = d.str(fs.get("domain"))
	if p.Domain != "" && !domainPattern.MatchString(p.Domain) {
		d.errf(fs.get("domain").val, "domain", "%q is not a domain name", p.Domain)
	}
	p.Languages = d.strs(fs.get("languages"))
	for i, l := range p.Languages {
		if !langPattern.MatchString(l) {
			d.errf(fs.get("languages").val, fmt.Sprintf("languages[%d]", i), "%q is not a language tag", l)
		}
	}
	if f := fs.get("refresh"); f.val != nil {
		p.Refresh = d.duration(f)
		if p.Refresh != 0 && p.Refresh < time.Minute {
			d.errf(f.val, f.path(), "refresh interval must be at least a minute")
		}
	}
	if f := fs.get("day_change"); f.val != nil {
		if raw, ok := d.str(f); ok {
			c, ok := parseClock(raw)
			if !ok || c.h >= 12 {
				d.errf(f.val, f.path(), "day_change %q must be a clock time before noon, like \"04:00\"", raw)
			} else {
				p.DayChange = time.Duration(c.h)*time.Hour + time.Duration(c.m)*time.Minute + time.Duration(c.s)*time.Second
			}
		}
	}
}

var organiserFields = newFieldSet("name", "email", "url")

func (d *decoder) organiser(f field) {
	of, ok := d.object(f.val, f.path(), organiserFields)
	if !ok {
		return
	}
	o := &d.p.Organiser
	o.Name, _ = d.str(of.get("name"))
	o.Email, _ = d.str(of.get("email"))
	o.URL = d.url(of.get("url"))
	if o.Email != "" && !strings.Contains(o.Email, "@") {
		d.errf(of.get("email").val, of.get("email").path(), "%q is not an email address", o.Email)
	}
}

// sessionURL reads the template of the sessions' web pages.
func (d *decoder) sessionURL(f field) string {
	s, ok := d.str(f)
	if !ok || s == "" {
		return ""
	}
	probe := strings.ReplaceAll(s, "{id}", "x")
	switch err := checkURL(probe); {
	case probe == s:
		d.errf(f.val, f.path(), "session_url %q has no {id} to put each session's id in, as in https://example.org/talks/{id}", s)
	case strings.ContainsAny(probe, "{}"):
		d.errf(f.val, f.path(), "session_url %q: {id} is the only placeholder it may hold", s)
	case err != nil:
		d.errf(f.val, f.path(), "session_url %q is not an http(s) URL with {id} in it", s)
	default:
		return s
	}
	return ""
}

// dates reads the programme's last change and declared dates.
func (d *decoder) dates(fs fields) {
	p := d.p
	if f := fs.get("updated"); f.val != nil {
		if s, ok := d.str(f); ok {
			t, err := time.Parse(time.RFC3339, s)
			switch {
			case err != nil:
				d.errf(f.val, f.path(), "%q is not a timestamp like 2025-01-31T18:00:00Z", s)
			case !writable(t):
				d.errf(f.val, f.path(), "%s", outsideYears("updated", t))
			}
			p.Updated = t.UTC()
		}
	}
	p.StartDate = d.dayDate(fs.get("start_date"))
	p.EndDate = d.dayDate(fs.get("end_date"))
	if !p.StartDate.IsZero() && !p.EndDate.IsZero() && p.EndDate.Before(p.StartDate) {
		d.errf(fs.get("end_date").val, "end_date", "end_date %s is before start_date %s", p.EndDate, p.StartDate)
	}
}

var domainPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

func (d *decoder) date(f field) Date {
	s, ok := d.str(f)
	if !ok {
		return Date{}
	}
	v, err := ParseDate(s)
	if err != nil {
		d.errf(f.val, f.path(), "%s", impossibleDate(s, err))
	}
	return v
}

// dayDate reads a date that must be in the years iCalendar can write.
func (d *decoder) dayDate(f field) Date {
	v := d.date(f)
	if !v.IsZero() && v.Year < minYear {
		d.errf(f.val, f.path(), "%s is before %04d-01-01, the first day iCalendar can write", v, minYear)
		return Date{}
	}
	return v
}

func impossibleDate(s string, err error) string {
	if _, perr := time.Parse("2006-1-2", s); perr == nil || looksLikeDate.MatchString(s) {
		return fmt.Sprintf("%q is not a real date", s)
	}
	return err.Error()
}

var looksLikeDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (d *decoder) venueList(f field) {
	d.venues, d.rooms = map[string]*Venue{}, map[string][]*Room{}
	for i, n := range d.list(f) {
		v := d.venue(n, fmt.Sprintf("venues[%d]", i))
		if v == nil {
			continue
		}
		if d.venues[v.ID] != nil {
			d.errf(n, fmt.Sprintf("venues[%d].id", i), "duplicate venue id %q", v.ID)
			continue
		}
		d.venues[v.ID] = v
		for _, r := range v.Rooms {
			d.rooms[r.ID] = append(d.rooms[r.ID], r)
		}
		d.p.Venues = append(d.p.Venues, v)
	}
}

func (d *decoder) trackList(f field) {
	d.tracks = map[string]*Track{}
	for i, n := range d.list(f) {
		t := d.track(n, fmt.Sprintf("tracks[%d]", i))
		if t == nil {
			continue
		}
		if d.tracks[t.ID] != nil {
			d.errf(n, fmt.Sprintf("tracks[%d].id", i), "duplicate track id %q", t.ID)
			continue
		}
		d.tracks[t.ID] = t
		d.p.Tracks = append(d.p.Tracks, t)
	}
}

func (d *decoder) speakerList(f field) {
	d.speakers = map[string]*Speaker{}
	for i, n := range d.list(f) {
		s := d.speaker(n, fmt.Sprintf("speakers[%d]", i))
		if s == nil {
			continue
		}
		if d.speakers[s.ID] != nil {
			d.errf(n, fmt.Sprintf("speakers[%d].id", i), "duplicate speaker id %q", s.ID)
			continue
		}
		d.speakers[s.ID] = s
		d.p.Speakers = append(d.p.Speakers, s)
	}
}

func (d *decoder) sessionList(f field) {
	nodes := d.list(f)
	ids := make(map[string]*yaml.Node, len(nodes))
	d.p.Sessions = make([]*Session, 0, len(nodes))
	for i, n := range nodes {
		path := fmt.Sprintf("sessions[%d]", i)
		s := d.session(n, path)
		if s == nil {
			continue
		}
		if prev, dup := ids[s.ID]; dup {
			d.errf(n, path+".id", "duplicate session id %q (first at line %d)", s.ID, prev.Line)
			continue
		}
		ids[s.ID] = n
		d.p.Sessions = append(d.p.Sessions, s)
	}
}

var venueFields = newFieldSet("id", "name", "address", "geo", "url", "timezone", "description", "rooms")

// venue reads a venue; like the other parts, it reads and checks every
// field even when the id is wrong, and returns nil then.
func (d *decoder) venue(n *yaml.Node, path string) *Venue {
	fs, ok := d.object(n, path, venueFields)
	if !ok {
		return nil
	}
	id, idOK := d.id(fs.get("id"))
	v := &Venue{ID: id}
	if fs.get("id").val == nil {
		d.errf(n, path+".id", "missing venue id")
	}
	v.Name = d.text(fs.get("name"))
	if v.Name.IsZero() {
		v.Name = Plain(v.ID)
	}
	v.Address, _ = d.str(fs.get("address"))
	v.URL = d.url(fs.get("url"))
	v.Description = d.text(fs.get("description"))
	v.TimeZone, v.Location = d.zone(fs.get("timezone"))
	if v.Location == nil {
		v.Location = d.p.Location
	}
	if f := fs.get("geo"); f.val != nil && !isNull(f.val) {
		v.Geo = d.geo(f)
	}
	for i, rn := range d.list(fs.get("rooms")) {
		rp := fmt.Sprintf("%s.rooms[%d]", path, i)
		r := d.room(rn, rp)
		if r == nil {
			continue
		}
		if v.Room(r.ID) != nil {
			d.errf(rn, rp+".id", "duplicate room id %q in venue %q", r.ID, v.ID)
			continue
		}
		r.Venue = v
		v.Rooms = append(v.Rooms, r)
	}
	if !idOK {
		return nil
	}
	return v
}

var geoFields = newFieldSet("lat", "lon")

func (d *decoder) geo(f field) *Geo {
	var lat, lon float64
	var okLat, okLon bool
	switch f.val.Kind {
	case yaml.SequenceNode:
		if len(f.val.Content) != 2 {
			d.errf(f.val, f.path(), "geo must be [lat, lon] or {lat: …, lon: …}")
			return nil
		}
		lat, okLat = d.number(field{val: resolve(f.val.Content[0]), at: f.path(), item: 1})
		lon, okLon = d.number(field{val: resolve(f.val.Content[1]), at: f.path(), item: 2})
	default:
		gs, ok := d.object(f.val, f.path(), geoFields)
		if !ok {
			return nil
		}
		lat, okLat = d.number(gs.get("lat"))
		lon, okLon = d.number(gs.get("lon"))
	}
	if !okLat || !okLon {
		d.errf(f.val, f.path(), "geo needs both lat and lon")
		return nil
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		d.errf(f.val, f.path(), "geo %g,%g is outside -90..90, -180..180", lat, lon)
		return nil
	}
	return &Geo{Lat: lat, Lon: lon}
}

var roomFields = newFieldSet("id", "name")

func (d *decoder) room(n *yaml.Node, path string) *Room {
	if n.Kind == yaml.ScalarNode {
		id, ok := d.id(field{val: n, at: path})
		if !ok {
			return nil
		}
		return &Room{ID: id, Name: Plain(id)}
	}
	fs, ok := d.object(n, path, roomFields)
	if !ok {
		return nil
	}
	id, idOK := d.id(fs.get("id"))
	r := &Room{ID: id, Name: d.text(fs.get("name"))}
	if fs.get("id").val == nil {
		d.errf(n, path+".id", "missing room id")
	}
	if !idOK {
		return nil
	}
	if r.Name.IsZero() {
		r.Name = Plain(r.ID)
	}
	return r
}

var (
	colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	trackFields   = newFieldSet("id", "name", "colour", "color", "description")
)

func (d *decoder) track(n *yaml.Node, path string) *Track {
	fs, ok := d.object(n, path, trackFields)
	if !ok {
		return nil
	}
	id, idOK := d.id(fs.get("id"))
	t := &Track{ID: id, Name: d.text(fs.get("name")), Description: d.text(fs.get("description"))}
	if fs.get("id").val == nil {
		d.errf(n, path+".id", "missing track id")
	}
	if t.Name.IsZero() {
		t.Name = Plain(t.ID)
	}
	cf := fs.get("colour")
	if cf.val == nil {
		cf = fs.get("color")
	}
	if c, ok := d.str(cf); ok && c != "" {
		if !colourPattern.MatchString(c) {
			d.errf(cf.val, cf.path(), "colour %q must be of the form #rrggbb", c)
		} else {
			t.Colour = strings.ToLower(c)
		}
	}
	if !idOK {
		return nil
	}
	return t
}

var speakerFields = newFieldSet("id", "name", "affiliation", "url")

func (d *decoder) speaker(n *yaml.Node, path string) *Speaker {
	fs, ok := d.object(n, path, speakerFields)
	if !ok {
		return nil
	}
	id, idOK := d.id(fs.get("id"))
	s := &Speaker{ID: id}
	s.Name, _ = d.str(fs.get("name"))
	s.Affiliation, _ = d.str(fs.get("affiliation"))
	s.URL = d.url(fs.get("url"))
	if fs.get("id").val == nil {
		d.errf(n, path+".id", "missing speaker id")
	}
	if s.Name == "" {
		d.errf(n, path+".name", "missing speaker name")
	}
	if !idOK {
		return nil
	}
	return s
}

func venueIDs(p *Programme) []string {
	out := make([]string, len(p.Venues))
	for i, v := range p.Venues {
		out[i] = v.ID
	}
	return out
}

func trackIDs(p *Programme) []string {
	out := make([]string, len(p.Tracks))
	for i, t := range p.Tracks {
		out[i] = t.ID
	}
	return out
}

func speakerIDs(p *Programme) []string {
	out := make([]string, 0, len(p.Speakers))
	for _, s := range p.Speakers {
		out = append(out, s.ID)
	}
	slices.Sort(out)
	return out
}

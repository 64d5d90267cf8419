package programme

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MaxSourceSize bounds how much of a programme source is read.
const MaxSourceSize = 64 << 20

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// Decode reads a programme in the native format, YAML or JSON (JSON is read
// as YAML, which it is a subset of), from r. name is used in messages.
//
// It returns every finding at once. When any of them is an error the
// programme is nil and err is an *InvalidError holding them all.
func Decode(r io.Reader, name string) (*Programme, Diagnostics, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSourceSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSourceSize {
		return nil, nil, fmt.Errorf("read %s: larger than %d MiB", name, MaxSourceSize>>20)
	}
	return DecodeBytes(data, name)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(data []byte, name string) (p *Programme, diags Diagnostics, err error) {
	d := &decoder{file: name}
	defer func() {
		// The YAML library has panicked on hostile input in the past; a
		// programme file must never crash confcal.
		if r := recover(); r != nil {
			p, diags = nil, Diagnostics{{Severity: Error, File: name, Message: fmt.Sprintf("cannot parse: %v", r)}}
			err = &InvalidError{Diagnostics: diags}
		}
	}()
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			d.diags = append(d.diags, Diagnostic{Severity: Error, File: name, Line: 1, Column: 1, Message: "empty programme"})
		} else {
			d.diags = append(d.diags, yamlError(name, err))
		}
		return nil, d.diags, &InvalidError{Diagnostics: d.diags}
	}
	p = d.programme(&root)
	if !d.diags.HasErrors() {
		d.diags = append(d.diags, Check(p)...)
	}
	d.diags.Sort()
	if d.diags.HasErrors() {
		return nil, d.diags, &InvalidError{Diagnostics: d.diags}
	}
	return p, d.diags, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: (.*)`)

func yamlError(file string, err error) Diagnostic {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	d := Diagnostic{Severity: Error, File: file, Message: "syntax: " + msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Column, _ = strconv.Atoi(m[2])
		if d.Column == 0 {
			d.Column = 1
		}
		d.Message = "syntax: " + m[3]
	}
	return d
}

type decoder struct {
	file  string
	diags Diagnostics
	p     *Programme
}

func (d *decoder) report(sev Severity, n *yaml.Node, path, format string, args ...any) {
	diag := Diagnostic{Severity: sev, File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		diag.Line, diag.Column = n.Line, n.Column
	}
	d.diags = append(d.diags, diag)
}

func (d *decoder) errf(n *yaml.Node, path, format string, args ...any) {
	d.report(Error, n, path, format, args...)
}

func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.report(Warning, n, path, format, args...)
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "an unknown value"
}

type field struct {
	key  *yaml.Node
	val  *yaml.Node
	path string
}

// object checks that n is a mapping whose keys are all in known, and
// returns its fields by key. Unknown and repeated keys are reported.
func (d *decoder) object(n *yaml.Node, path string, known ...string) map[string]field {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errf(n, path, "expected a mapping, got %s", kindName(n))
		return nil
	}
	out := make(map[string]field, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		fp := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.errf(k, path, "keys must be strings")
			continue
		}
		if !contains(known, k.Value) {
			d.errf(k, fp, "unknown field %q%s", k.Value, didYouMean(k.Value, known))
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errf(k, fp, "field %q given twice", k.Value)
			continue
		}
		out[k.Value] = field{key: k, val: resolve(v), path: fp}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str returns a scalar as a string. Numbers are accepted (ids like 367);
// booleans, lists and mappings are type errors.
func (d *decoder) str(f field) (string, bool) {
	if f.val == nil || isNull(f.val) {
		return "", false
	}
	n := f.val
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
		d.errf(n, f.path, "expected a string, got %s", kindName(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

func (d *decoder) id(f field) string {
	s, ok := d.str(f)
	if !ok {
		return ""
	}
	if !idPattern.MatchString(s) {
		d.errf(f.val, f.path, "%q is not a valid id: use letters, digits, '.', '_', '-' and '~', starting with a letter or digit", s)
		return ""
	}
	return s
}

// text reads a string or a mapping of language tag to string.
func (d *decoder) text(f field) Text {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	n := f.val
	switch n.Kind {
	case yaml.ScalarNode:
		s, ok := d.str(f)
		if !ok || s == "" {
			return nil
		}
		return Text{"": s}
	case yaml.MappingNode:
		t := Text{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
			lp := join(f.path, k.Value)
			if !langPattern.MatchString(k.Value) {
				d.errf(k, lp, "%q is not a language tag (like en, fr or pt-BR)", k.Value)
				continue
			}
			s, ok := d.str(field{key: k, val: v, path: lp})
			if ok && s != "" {
				t[k.Value] = s
			}
		}
		return t
	}
	d.errf(n, f.path, "expected a string or a mapping of language to text, got %s", kindName(n))
	return nil
}

var langPattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// strs reads a list of strings, or a single string as a list of one.
func (d *decoder) strs(f field) []string {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	if f.val.Kind == yaml.ScalarNode {
		if s, ok := d.str(f); ok && s != "" {
			return []string{s}
		}
		return nil
	}
	if f.val.Kind != yaml.SequenceNode {
		d.errf(f.val, f.path, "expected a list of strings, got %s", kindName(f.val))
		return nil
	}
	var out []string
	for i, item := range f.val.Content {
		if s, ok := d.str(field{val: resolve(item), path: fmt.Sprintf("%s[%d]", f.path, i)}); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) list(f field) []*yaml.Node {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	if f.val.Kind != yaml.SequenceNode {
		d.errf(f.val, f.path, "expected a list, got %s", kindName(f.val))
		return nil
	}
	out := make([]*yaml.Node, len(f.val.Content))
	for i, n := range f.val.Content {
		out[i] = resolve(n)
	}
	return out
}

func (d *decoder) number(f field) (float64, bool) {
	if f.val == nil || isNull(f.val) {
		return 0, false
	}
	if f.val.Kind != yaml.ScalarNode || (f.val.Tag != "!!int" && f.val.Tag != "!!float" && f.val.Tag != "!!str") {
		d.errf(f.val, f.path, "expected a number, got %s", kindName(f.val))
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(f.val.Value), 64)
	if err != nil {
		d.errf(f.val, f.path, "%q is not a number", f.val.Value)
		return 0, false
	}
	return v, true
}

func (d *decoder) url(f field) string {
	s, ok := d.str(f)
	if !ok || s == "" {
		return ""
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		d.errf(f.val, f.path, "%q is not an http(s) URL", s)
		return ""
	}
	if strings.ContainsAny(s, " \t\r\n\"<>") {
		d.errf(f.val, f.path, "URL %q contains spaces or characters that must be escaped", s)
		return ""
	}
	return s
}

func (d *decoder) zone(f field) (string, *time.Location) {
	s, ok := d.str(f)
	if !ok || s == "" {
		return "", nil
	}
	loc, err := LoadLocation(s)
	if err != nil {
		d.errf(f.val, f.path, "unknown time zone %q: use an IANA name such as Europe/Paris", s)
		return "", nil
	}
	return s, loc
}

// LoadLocation loads an IANA time zone, refusing the empty name and
// "Local", whose meaning depends on the machine.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

var programmeFields = []string{"id", "name", "timezone", "url", "description", "organiser", "domain",
	"languages", "updated", "start_date", "end_date", "refresh", "day_change", "venues", "tracks", "speakers", "sessions", "$schema"}

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
	fs := d.object(doc, "", programmeFields...)
	if fs == nil {
		return nil
	}
	p.ID = d.id(fs["id"])
	if p.ID == "" && fs["id"].val == nil {
		d.errf(doc, "id", "missing programme id (a short slug such as ai-action-summit-2025)")
	}
	p.Name = d.text(fs["name"])
	if p.Name.IsZero() {
		d.errf(doc, "name", "missing programme name")
	}
	p.TimeZone, p.Location = d.zone(fs["timezone"])
	if f := fs["timezone"]; f.val == nil {
		d.errf(doc, "timezone", "missing time zone: give the IANA name of the programme's zone, such as Europe/Paris")
	}
	if p.Location == nil {
		p.Location = time.UTC
	}
	p.URL = d.url(fs["url"])
	p.Description = d.text(fs["description"])
	if f := fs["organiser"]; f.val != nil {
		of := d.object(f.val, f.path, "name", "email", "url")
		if of != nil {
			p.Organiser.Name, _ = d.str(of["name"])
			p.Organiser.Email, _ = d.str(of["email"])
			p.Organiser.URL = d.url(of["url"])
			if e := p.Organiser.Email; e != "" && !strings.Contains(e, "@") {
				d.errf(of["email"].val, of["email"].path, "%q is not an email address", e)
			}
		}
	}
	p.Domain, _ = d.str(fs["domain"])
	if p.Domain != "" && !domainPattern.MatchString(p.Domain) {
		d.errf(fs["domain"].val, "domain", "%q is not a domain name", p.Domain)
	}
	p.Languages = d.strs(fs["languages"])
	for i, l := range p.Languages {
		if !langPattern.MatchString(l) {
			d.errf(fs["languages"].val, fmt.Sprintf("languages[%d]", i), "%q is not a language tag", l)
		}
	}
	if f := fs["updated"]; f.val != nil {
		if s, ok := d.str(f); ok {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				d.errf(f.val, f.path, "%q is not a timestamp like 2025-01-31T18:00:00Z", s)
			}
			p.Updated = t.UTC()
		}
	}
	p.StartDate = d.date(fs["start_date"])
	p.EndDate = d.date(fs["end_date"])
	if !p.StartDate.IsZero() && !p.EndDate.IsZero() && p.EndDate.Before(p.StartDate) {
		d.errf(fs["end_date"].val, "end_date", "end_date %s is before start_date %s", p.EndDate, p.StartDate)
	}
	if f := fs["refresh"]; f.val != nil {
		p.Refresh = d.duration(f)
		if p.Refresh != 0 && p.Refresh < time.Minute {
			d.errf(f.val, f.path, "refresh interval must be at least a minute")
		}
	}
	if f := fs["day_change"]; f.val != nil {
		if raw, ok := d.str(f); ok {
			c, ok := parseClock(raw)
			if !ok || c.h >= 12 {
				d.errf(f.val, f.path, "day_change %q must be a clock time before noon, like \"04:00\"", raw)
			} else {
				p.DayChange = time.Duration(c.h)*time.Hour + time.Duration(c.m)*time.Minute + time.Duration(c.s)*time.Second
			}
		}
	}
	for i, n := range d.list(fs["venues"]) {
		if v := d.venue(n, fmt.Sprintf("venues[%d]", i)); v != nil {
			if p.Venue(v.ID) != nil {
				d.errf(n, fmt.Sprintf("venues[%d].id", i), "duplicate venue id %q", v.ID)
				continue
			}
			p.Venues = append(p.Venues, v)
		}
	}
	for i, n := range d.list(fs["tracks"]) {
		if t := d.track(n, fmt.Sprintf("tracks[%d]", i)); t != nil {
			if p.Track(t.ID) != nil {
				d.errf(n, fmt.Sprintf("tracks[%d].id", i), "duplicate track id %q", t.ID)
				continue
			}
			p.Tracks = append(p.Tracks, t)
		}
	}
	for i, n := range d.list(fs["speakers"]) {
		if s := d.speaker(n, fmt.Sprintf("speakers[%d]", i)); s != nil {
			if p.Speaker(s.ID) != nil {
				d.errf(n, fmt.Sprintf("speakers[%d].id", i), "duplicate speaker id %q", s.ID)
				continue
			}
			p.Speakers = append(p.Speakers, s)
		}
	}
	ids := map[string]*yaml.Node{}
	for i, n := range d.list(fs["sessions"]) {
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
		p.Sessions = append(p.Sessions, s)
	}
	Normalize(p)
	return p
}

var domainPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

func (d *decoder) date(f field) Date {
	s, ok := d.str(f)
	if !ok {
		return Date{}
	}
	v, err := ParseDate(s)
	if err != nil {
		d.errf(f.val, f.path, "%s", impossibleDate(s, err))
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

func (d *decoder) venue(n *yaml.Node, path string) *Venue {
	fs := d.object(n, path, "id", "name", "address", "geo", "url", "timezone", "description", "rooms")
	if fs == nil {
		return nil
	}
	v := &Venue{ID: d.id(fs["id"])}
	if v.ID == "" {
		if fs["id"].val == nil {
			d.errf(n, path+".id", "missing venue id")
		}
		return nil
	}
	v.Name = d.text(fs["name"])
	if v.Name.IsZero() {
		v.Name = Plain(v.ID)
	}
	v.Address, _ = d.str(fs["address"])
	v.URL = d.url(fs["url"])
	v.Description = d.text(fs["description"])
	v.TimeZone, v.Location = d.zone(fs["timezone"])
	if v.Location == nil {
		v.Location = d.p.Location
	}
	if f := fs["geo"]; f.val != nil && !isNull(f.val) {
		v.Geo = d.geo(f)
	}
	for i, rn := range d.list(fs["rooms"]) {
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
	return v
}

func (d *decoder) geo(f field) *Geo {
	var lat, lon float64
	var okLat, okLon bool
	switch f.val.Kind {
	case yaml.SequenceNode:
		if len(f.val.Content) != 2 {
			d.errf(f.val, f.path, "geo must be [lat, lon] or {lat: …, lon: …}")
			return nil
		}
		lat, okLat = d.number(field{val: resolve(f.val.Content[0]), path: f.path + "[0]"})
		lon, okLon = d.number(field{val: resolve(f.val.Content[1]), path: f.path + "[1]"})
	default:
		gs := d.object(f.val, f.path, "lat", "lon")
		if gs == nil {
			return nil
		}
		lat, okLat = d.number(gs["lat"])
		lon, okLon = d.number(gs["lon"])
	}
	if !okLat || !okLon {
		d.errf(f.val, f.path, "geo needs both lat and lon")
		return nil
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		d.errf(f.val, f.path, "geo %g,%g is outside -90..90, -180..180", lat, lon)
		return nil
	}
	return &Geo{Lat: lat, Lon: lon}
}

func (d *decoder) room(n *yaml.Node, path string) *Room {
	if n.Kind == yaml.ScalarNode {
		id := d.id(field{val: n, path: path})
		if id == "" {
			return nil
		}
		return &Room{ID: id, Name: Plain(id)}
	}
	fs := d.object(n, path, "id", "name")
	if fs == nil {
		return nil
	}
	r := &Room{ID: d.id(fs["id"]), Name: d.text(fs["name"])}
	if r.ID == "" {
		if fs["id"].val == nil {
			d.errf(n, path+".id", "missing room id")
		}
		return nil
	}
	if r.Name.IsZero() {
		r.Name = Plain(r.ID)
	}
	return r
}

var colourPattern = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

func (d *decoder) track(n *yaml.Node, path string) *Track {
	fs := d.object(n, path, "id", "name", "colour", "color", "description")
	if fs == nil {
		return nil
	}
	t := &Track{ID: d.id(fs["id"]), Name: d.text(fs["name"]), Description: d.text(fs["description"])}
	if t.ID == "" {
		if fs["id"].val == nil {
			d.errf(n, path+".id", "missing track id")
		}
		return nil
	}
	if t.Name.IsZero() {
		t.Name = Plain(t.ID)
	}
	cf := fs["colour"]
	if cf.val == nil {
		cf = fs["color"]
	}
	if c, ok := d.str(cf); ok && c != "" {
		if !colourPattern.MatchString(c) {
			d.errf(cf.val, cf.path, "colour %q must be of the form #rrggbb", c)
		} else {
			t.Colour = strings.ToLower(c)
		}
	}
	return t
}

func (d *decoder) speaker(n *yaml.Node, path string) *Speaker {
	fs := d.object(n, path, "id", "name", "affiliation", "url")
	if fs == nil {
		return nil
	}
	s := &Speaker{ID: d.id(fs["id"])}
	s.Name, _ = d.str(fs["name"])
	s.Affiliation, _ = d.str(fs["affiliation"])
	s.URL = d.url(fs["url"])
	if s.ID == "" {
		if fs["id"].val == nil {
			d.errf(n, path+".id", "missing speaker id")
		}
		return nil
	}
	if s.Name == "" {
		d.errf(n, path+".name", "missing speaker name")
	}
	return s
}

var sessionFields = []string{"id", "uid", "title", "subtitle", "description", "date", "end_date", "start", "end",
	"duration", "day", "venue", "room", "location", "track", "tracks", "type", "speakers", "url", "livestream",
	"tags", "language", "status"}

func (d *decoder) session(n *yaml.Node, path string) *Session {
	fs := d.object(n, path, sessionFields...)
	if fs == nil {
		return nil
	}
	p := d.p
	s := &Session{Pos: Pos{File: d.file, Line: n.Line, Column: n.Column}}
	s.ID = d.id(fs["id"])
	if s.ID == "" {
		if fs["id"].val == nil {
			d.errf(n, path+".id", "missing session id (a stable id keeps the event's UID the same across builds)")
		}
		return nil
	}
	if f := fs["uid"]; f.val != nil {
		s.UIDKey = d.id(f)
	}
	s.Title = d.text(fs["title"])
	if s.Title.IsZero() {
		d.errf(n, path+".title", "missing title")
	}
	s.Subtitle = d.text(fs["subtitle"])
	s.Description = d.text(fs["description"])
	s.URL = d.url(fs["url"])
	s.Livestream = d.url(fs["livestream"])
	s.Type, _ = d.str(fs["type"])
	s.Tags = d.strs(fs["tags"])
	s.Language, _ = d.str(fs["language"])
	if s.Language != "" && !langPattern.MatchString(s.Language) {
		d.errf(fs["language"].val, path+".language", "%q is not a language tag", s.Language)
	}
	s.Location, _ = d.str(fs["location"])
	s.Status = Confirmed
	if st, ok := d.str(fs["status"]); ok && st != "" {
		switch Status(strings.ToLower(st)) {
		case Confirmed, Tentative, Cancelled:
			s.Status = Status(strings.ToLower(st))
		case "canceled":
			s.Status = Cancelled
		default:
			d.errf(fs["status"].val, path+".status", "unknown status %q: use confirmed, tentative or cancelled", st)
		}
	}

	// References.
	if f := fs["venue"]; f.val != nil {
		if id, ok := d.str(f); ok && id != "" {
			if s.Venue = p.Venue(id); s.Venue == nil {
				d.errf(f.val, f.path, "unknown venue %q%s", id, didYouMean(id, venueIDs(p)))
			}
		}
	}
	if f := fs["room"]; f.val != nil {
		if id, ok := d.str(f); ok && id != "" {
			s.Room = d.findRoom(f, id, s)
		}
	}
	trackF := fs["tracks"]
	if trackF.val == nil {
		trackF = fs["track"]
	} else if fs["track"].val != nil {
		d.errf(fs["track"].key, path+".track", "give either track or tracks, not both")
	}
	for i, id := range d.strs(trackF) {
		t := p.Track(id)
		if t == nil {
			d.errf(trackF.val, fmt.Sprintf("%s[%d]", trackF.path, i), "unknown track %q%s", id, didYouMean(id, trackIDs(p)))
			continue
		}
		s.Tracks = append(s.Tracks, t)
	}
	if f := fs["speakers"]; f.val != nil {
		for i, sn := range d.list(f) {
			if sp := d.sessionSpeaker(sn, fmt.Sprintf("%s.speakers[%d]", path, i)); sp != nil {
				s.Speakers = append(s.Speakers, sp)
			}
		}
	}
	d.times(n, path, fs, s)
	return s
}

func (d *decoder) findRoom(f field, id string, s *Session) *Room {
	p := d.p
	if s.Venue != nil {
		if r := s.Venue.Room(id); r != nil {
			return r
		}
		var names []string
		for _, r := range s.Venue.Rooms {
			names = append(names, r.ID)
		}
		d.errf(f.val, f.path, "unknown room %q in venue %q%s", id, s.Venue.ID, didYouMean(id, names))
		return nil
	}
	var found []*Room
	var names []string
	for _, v := range p.Venues {
		for _, r := range v.Rooms {
			names = append(names, r.ID)
			if r.ID == id {
				found = append(found, r)
			}
		}
	}
	switch len(found) {
	case 1:
		s.Venue = found[0].Venue
		return found[0]
	case 0:
		d.errf(f.val, f.path, "unknown room %q%s", id, didYouMean(id, names))
	default:
		d.errf(f.val, f.path, "room %q exists in several venues: name the venue too", id)
	}
	return nil
}

func (d *decoder) sessionSpeaker(n *yaml.Node, path string) *Speaker {
	p := d.p
	if n.Kind == yaml.ScalarNode {
		s, ok := d.str(field{val: n, path: path})
		if !ok || s == "" {
			return nil
		}
		if sp := p.Speaker(s); sp != nil {
			return sp
		}
		if idPattern.MatchString(s) && strings.ToLower(s) == s && !strings.ContainsAny(s, " ") && len(p.Speakers) > 0 {
			d.errf(n, path, "unknown speaker %q%s; to name a speaker inline, write {name: …}", s, didYouMean(s, speakerIDs(p)))
			return nil
		}
		return &Speaker{Name: s, Inline: true}
	}
	fs := d.object(n, path, "id", "name", "affiliation", "url")
	if fs == nil {
		return nil
	}
	if f := fs["id"]; f.val != nil {
		id, _ := d.str(f)
		sp := p.Speaker(id)
		if sp == nil {
			d.errf(f.val, f.path, "unknown speaker %q%s", id, didYouMean(id, speakerIDs(p)))
		}
		return sp
	}
	sp := &Speaker{Inline: true}
	sp.Name, _ = d.str(fs["name"])
	sp.Affiliation, _ = d.str(fs["affiliation"])
	sp.URL = d.url(fs["url"])
	if sp.Name == "" {
		d.errf(n, path+".name", "an inline speaker needs a name")
		return nil
	}
	return sp
}

// times reads date/end_date/start/end/duration into s.
func (d *decoder) times(n *yaml.Node, path string, fs map[string]field, s *Session) {
	loc := s.Zone(d.p)
	date := d.date(fs["date"])
	endDate := d.date(fs["end_date"])
	startF, endF, durF := fs["start"], fs["end"], fs["duration"]
	if startF.val == nil || isNull(startF.val) {
		if endF.val != nil && !isNull(endF.val) || durF.val != nil && !isNull(durF.val) {
			d.errf(n, path+".start", "end or duration given without a start")
			return
		}
		if date.IsZero() {
			if fs["date"].val == nil {
				d.errf(n, path+".start", "missing start (or date, for a session with no published time)")
			}
			return
		}
		if f := fs["day"]; f.val != nil {
			d.errf(f.key, f.path, "day is only for sessions with a start time")
		}
		s.AllDay, s.StartDate, s.EndDate = true, date, date
		if !endDate.IsZero() {
			if endDate.Before(date) {
				d.errf(fs["end_date"].val, path+".end_date", "end_date %s is before date %s", endDate, date)
				return
			}
			s.EndDate = endDate
		}
		return
	}
	if !endDate.IsZero() {
		d.errf(fs["end_date"].val, path+".end_date", "end_date is only for sessions without a start time; use end")
	}
	start, ok := d.instant(startF, date, loc)
	if !ok {
		return
	}
	s.Start = start
	if f := fs["day"]; f.val != nil {
		day := d.date(f)
		switch startDay := DateOf(start.In(d.p.Location)); {
		case day.IsZero():
		case day == startDay:
		case day == startDay.AddDays(-1):
			s.ConferenceDay = day
		default:
			d.errf(f.val, f.path, "day %s must be the start's date (%s) or the day before, for a session after midnight", day, startDay)
		}
	}
	switch {
	case endF.val != nil && !isNull(endF.val) && durF.val != nil && !isNull(durF.val):
		d.errf(durF.key, durF.path, "give either end or duration, not both")
	case endF.val != nil && !isNull(endF.val):
		end, ok := d.instantAfter(endF, start, loc)
		if !ok {
			return
		}
		if !end.After(start) {
			d.errf(endF.val, endF.path, "end %s is not after start %s", end.Format("2006-01-02 15:04 MST"), start.Format("2006-01-02 15:04 MST"))
			return
		}
		s.End = end
	case durF.val != nil && !isNull(durF.val):
		dur := d.duration(durF)
		if dur <= 0 {
			if dur < 0 || durF.val.Value != "" {
				d.errf(durF.val, durF.path, "duration must be positive")
			}
			return
		}
		s.End = start.Add(dur)
	}
}

// instant parses a start time: a full local or offset date-time, or a
// clock time on date.
func (d *decoder) instant(f field, date Date, loc *time.Location) (time.Time, bool) {
	raw, ok := d.str(f)
	if !ok {
		return time.Time{}, false
	}
	if clock, ok := parseClock(raw); ok {
		if date.IsZero() {
			d.errf(f.val, f.path, "start %q is a clock time: give a date too, or write 2025-02-10T%s", raw, raw)
			return time.Time{}, false
		}
		return d.local(f, date, clock, loc)
	}
	t, local, err := parseDateTime(raw, loc)
	if err != nil {
		d.errf(f.val, f.path, "%v", err)
		return time.Time{}, false
	}
	if !local {
		return t.In(loc), true
	}
	return d.local(f, DateOf(t), clockOf(t), loc)
}

// instantAfter parses an end: like instant, except that a bare clock time
// is on the start's date, or the next day when it is not after the start
// (a session across midnight).
func (d *decoder) instantAfter(f field, start time.Time, loc *time.Location) (time.Time, bool) {
	raw, ok := d.str(f)
	if !ok {
		return time.Time{}, false
	}
	if clock, ok := parseClock(raw); ok {
		day := DateOf(start.In(loc))
		t, ok := d.local(f, day, clock, loc)
		if ok && !t.After(start) {
			t, ok = d.local(f, day.AddDays(1), clock, loc)
		}
		return t, ok
	}
	return d.instant(f, Date{}, loc)
}

type clock struct{ h, m, s int }

func clockOf(t time.Time) clock { return clock{t.Hour(), t.Minute(), t.Second()} }

func parseClock(s string) (clock, bool) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return clockOf(t), true
		}
	}
	return clock{}, false
}

var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}
var offsetLayouts = []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00", "2006-01-02 15:04:05Z07:00"}

func parseDateTime(s string, loc *time.Location) (t time.Time, local bool, err error) {
	for _, layout := range localLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	if looksLikeDate.MatchString(s) {
		return time.Time{}, false, fmt.Errorf("%q is a date, not a time: use date for sessions without a clock time, or add a time (%sT09:00)", s, s)
	}
	if len(s) >= 10 && looksLikeDate.MatchString(s[:10]) {
		if _, err := ParseDate(s[:10]); err != nil {
			return time.Time{}, false, fmt.Errorf("%q is not a real date", s[:10])
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time: write 2025-02-10T09:30 (local), 2025-02-10T09:30+01:00, or 09:30 with a date", s)
}

// local builds a wall-clock time in loc, refusing times skipped by a DST
// change and taking the first occurrence of repeated ones, as RFC 5545
// §3.3.5 says, with a warning.
func (d *decoder) local(f field, date Date, c clock, loc *time.Location) (time.Time, bool) {
	t, status := WallClock(date, c.h, c.m, c.s, loc)
	switch status {
	case WallSkipped:
		d.errf(f.val, f.path, "%s %02d:%02d does not exist in %s (the clocks go forward then)", date, c.h, c.m, loc)
		return time.Time{}, false
	case WallRepeated:
		d.warnf(f.val, f.path, "%s %02d:%02d happens twice in %s (the clocks go back); taken as the first, %s; write an explicit offset to choose", date, c.h, c.m, loc, t.Format("-07:00"))
	}
	return t, true
}

// WallStatus says whether a wall-clock time exists once, never or twice.
type WallStatus int

// The results of WallClock.
const (
	WallOK WallStatus = iota
	WallSkipped
	WallRepeated
)

// WallClock returns the instant at which clocks in loc show date h:m:s.
// When that happens twice it returns the first; when it never happens it
// reports WallSkipped.
func WallClock(date Date, h, m, s int, loc *time.Location) (time.Time, WallStatus) {
	t := time.Date(date.Year, date.Month, date.Day, h, m, s, 0, loc)
	same := func(u time.Time) bool {
		u = u.In(loc)
		y, mo, dd := u.Date()
		return y == date.Year && mo == date.Month && dd == date.Day && u.Hour() == h && u.Minute() == m && u.Second() == s
	}
	if !same(t) {
		return t, WallSkipped
	}
	var matches []time.Time
	for delta := -3 * time.Hour; delta <= 3*time.Hour; delta += 15 * time.Minute {
		if delta != 0 && same(t.Add(delta)) {
			matches = append(matches, t.Add(delta))
		}
	}
	if len(matches) == 0 {
		return t, WallOK
	}
	first := t
	for _, u := range matches {
		if u.Before(first) {
			first = u
		}
	}
	return first.In(loc), WallRepeated
}

// ParseDuration reads a duration written as Go does (1h30m, 45m), as
// H:MM or HH:MM:SS, as ISO 8601 (PT1H30M), or as a whole number of minutes.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Minute, nil
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) == 2 || len(parts) == 3 {
			var total time.Duration
			units := []time.Duration{time.Hour, time.Minute, time.Second}
			ok := true
			for i, p := range parts {
				v, err := strconv.Atoi(p)
				if err != nil || v < 0 || (i > 0 && (v > 59 || len(p) != 2)) {
					ok = false
					break
				}
				total += time.Duration(v) * units[i]
			}
			if ok {
				return total, nil
			}
		}
		return 0, fmt.Errorf("%q is not a duration like 1:30 or 01:30:00", s)
	}
	if strings.HasPrefix(strings.ToUpper(s), "PT") || strings.HasPrefix(strings.ToUpper(s), "P") {
		return parseISODuration(s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 45m, 1h30m, 1:30 or PT1H30M", s)
	}
	return v, nil
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(s))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration like PT1H30M", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] != "" {
			v, _ := strconv.Atoi(m[i+1])
			total += time.Duration(v) * u
		}
	}
	return total, nil
}

func (d *decoder) duration(f field) time.Duration {
	s, ok := d.str(f)
	if !ok {
		return 0
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.errf(f.val, f.path, "%v", err)
		return 0
	}
	return v
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
	out := make([]string, len(p.Speakers))
	for i, s := range p.Speakers {
		out[i] = s.ID
	}
	sort.Strings(out)
	return out
}

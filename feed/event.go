package feed

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/programme"
)

// Event is one session rendered as a VEVENT, serialized once and reused in
// every feed that holds it.
type Event struct {
	UID     string
	Session *programme.Session
	Meta    Meta
	// Ghost is set for a session that left the programme and is published
	// as cancelled.
	Ghost bool
	// Zones are the TZIDs the event refers to.
	Zones []string
	Bytes []byte
	// sum is the SHA-256 of Bytes, from which the hash of every feed
	// that holds the event is made.
	sum [sha256.Size]byte
}

// UID returns the iCalendar UID of session s of p: stable across builds
// and unique across programmes sharing a domain.
func UID(p *programme.Programme, s *programme.Session) string {
	return p.ID + "-" + s.UIDKey + "@" + p.Domain
}

var serialConfig = &ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}

const (
	dateTimeLocal = "20060102T150405"
	dateTimeUTC   = "20060102T150405Z"
)

// renderer turns sessions into VEVENTs for one language and one set of
// options.
type renderer struct {
	p     *programme.Programme
	opts  Options
	lang  string
	words labels
}

func (r *renderer) text(t programme.Text) string {
	return t.In(r.lang, r.p.Languages...)
}

func (r *renderer) event(s *programme.Session, meta Meta, ghost bool) (*Event, error) {
	uid := UID(r.p, s)
	ev := ics.NewEvent(uid)
	ev.SetDtStampTime(meta.Modified)
	ev.SetCreatedTime(meta.Created)
	ev.SetModifiedAt(meta.Modified)
	if meta.Sequence > 0 {
		ev.SetSequence(meta.Sequence)
	}
	zones := r.setTimes(ev, s)

	summary := oneLine(r.text(s.Title))
	switch s.Status {
	case programme.Cancelled:
		ev.SetStatus(ics.ObjectStatusCancelled)
		if !r.opts.NoCancelledPrefix {
			summary = r.words.Cancelled + ": " + summary
		}
	case programme.Tentative:
		ev.SetStatus(ics.ObjectStatusTentative)
	default:
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetSummary(summary)
	if d := r.description(s, meta.Was); d != "" {
		ev.SetDescription(d)
	}
	if loc := r.location(s); loc != "" {
		ev.SetLocation(loc)
	}
	if s.Venue != nil && s.Venue.Geo != nil {
		ev.SetProperty(ics.ComponentPropertyGeo, formatGeo(s.Venue.Geo))
	}
	if s.URL != "" {
		ev.SetURL(s.URL)
	}
	for _, c := range r.categories(s) {
		ev.AddCategory(c)
	}
	if s.Livestream != "" {
		ev.AddProperty(ics.ComponentProperty("CONFERENCE"), s.Livestream,
			ics.WithValue("URI"), &ics.KeyValues{Key: "FEATURE", Value: []string{"VIDEO"}},
			&ics.KeyValues{Key: "LABEL", Value: []string{paramValue(r.words.Livestream)}})
	}
	if r.opts.organiser() {
		ev.SetOrganizer("mailto:"+r.p.Organiser.Email, ics.WithCN(paramValue(r.organiserName())))
	}
	if s.AllDay {
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	}
	if r.opts.Alarm > 0 && s.Status != programme.Cancelled && !s.AllDay {
		a := ev.AddAlarm()
		a.SetAction(ics.ActionDisplay)
		a.SetTrigger("-" + isoDuration(r.opts.Alarm))
		a.SetProperty(ics.ComponentPropertyDescription, r.words.Reminder+": "+summary)
	}
	var b bytes.Buffer
	if err := ev.SerializeTo(&b, serialConfig); err != nil {
		return nil, fmt.Errorf("render session %s: %w", s.ID, err)
	}
	return &Event{UID: uid, Session: s, Meta: meta, Ghost: ghost, Zones: zones, Bytes: b.Bytes(), sum: sha256.Sum256(b.Bytes())}, nil
}

func (r *renderer) organiserName() string {
	if r.p.Organiser.Name != "" {
		return r.p.Organiser.Name
	}
	return r.text(r.p.Name)
}

func formatGeo(g *programme.Geo) string {
	return strconv.FormatFloat(g.Lat, 'f', -1, 64) + ";" + strconv.FormatFloat(g.Lon, 'f', -1, 64)
}

// setTimes writes DTSTART/DTEND. Local times carry their zone's TZID; an
// event whose start or end falls in an hour a DST change repeats or skips
// is written in UTC instead, so that no reader can place its end before its
// start.
func (r *renderer) setTimes(ev *ics.VEvent, s *programme.Session) []string {
	if s.AllDay {
		ev.SetProperty(ics.ComponentPropertyDtStart, s.StartDate.Compact(), ics.WithValue("DATE"))
		ev.SetProperty(ics.ComponentPropertyDtEnd, s.EndDate.AddDays(1).Compact(), ics.WithValue("DATE"))
		return nil
	}
	loc := s.Zone(r.p)
	if loc == time.UTC || ambiguous(s.Start, loc) || (!s.End.IsZero() && ambiguous(s.End, loc)) {
		ev.SetProperty(ics.ComponentPropertyDtStart, s.Start.UTC().Format(dateTimeUTC))
		setEnd(ev, s, s.End.UTC().Format(dateTimeUTC))
		return nil
	}
	tzid := ics.WithTZID(loc.String())
	ev.SetProperty(ics.ComponentPropertyDtStart, s.Start.In(loc).Format(dateTimeLocal), tzid)
	setEnd(ev, s, s.End.In(loc).Format(dateTimeLocal), tzid)
	return []string{loc.String()}
}

// setEnd writes DTEND, or, for a session whose end is not published, an
// explicit zero DURATION: RFC 5545 gives a DTSTART alone no length either,
// but some readers invent one hour for it.
func setEnd(ev *ics.VEvent, s *programme.Session, value string, params ...ics.PropertyParameter) {
	if s.End.IsZero() {
		ev.SetProperty(ics.ComponentPropertyDuration, "PT0S")
		return
	}
	ev.SetProperty(ics.ComponentPropertyDtEnd, value, params...)
}

// ambiguous reports whether the wall-clock time of t in loc happens twice
// or never, that is, whether a local time would not name t exactly.
func ambiguous(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	// Far from any change of offset, a wall-clock time is unique.
	if start, end := l.ZoneBounds(); (start.IsZero() || t.Sub(start) > 3*time.Hour) && (end.IsZero() || end.Sub(t) > 3*time.Hour) {
		return false
	}
	u, st := programme.WallClock(programme.DateOf(l), l.Hour(), l.Minute(), l.Second(), loc)
	return st != programme.WallOK || !u.Equal(t.Truncate(time.Second))
}

func (r *renderer) location(s *programme.Session) string {
	var parts []string
	if s.Room != nil {
		parts = append(parts, r.text(s.Room.Name))
	}
	if s.Venue != nil {
		parts = append(parts, r.text(s.Venue.Name))
		if s.Venue.Address != "" {
			parts = append(parts, s.Venue.Address)
		}
	}
	if s.Location != "" {
		parts = append(parts, s.Location)
	}
	return oneLine(strings.Join(dedupe(parts), ", "))
}

func dedupe(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(out) > 0 && strings.Contains(out[len(out)-1], p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (r *renderer) categories(s *programme.Session) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		c = oneLine(c)
		if c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			out = append(out, c)
		}
	}
	for _, t := range s.Tracks {
		add(r.text(t.Name))
	}
	add(s.Type)
	for _, t := range s.Tags {
		add(t)
	}
	return out
}

// description is the plain-text body: subtitle, the session's own text,
// then speakers, tracks, room and links, one per line.
func (r *renderer) description(s *programme.Session, was *Snapshot) string {
	var b strings.Builder
	para := func(text string) {
		text = strings.TrimSpace(cleanText(text))
		if text == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(text)
	}
	if was != nil && s.Status != programme.Cancelled {
		para(r.words.Moved + " " + r.formerly(was) + ".")
	}
	para(r.text(s.Subtitle))
	para(r.text(s.Description))
	var facts []string
	if len(s.Speakers) > 0 {
		names := make([]string, len(s.Speakers))
		for i, sp := range s.Speakers {
			names[i] = sp.Name
			if sp.Affiliation != "" {
				names[i] += " (" + sp.Affiliation + ")"
			}
		}
		facts = append(facts, r.words.Speakers+": "+strings.Join(names, ", "))
	}
	if len(s.Tracks) > 0 {
		names := make([]string, len(s.Tracks))
		for i, t := range s.Tracks {
			names[i] = r.text(t.Name)
		}
		label := r.words.Track
		if len(names) > 1 {
			label = r.words.Tracks
		}
		facts = append(facts, label+": "+strings.Join(names, ", "))
	}
	if s.Room != nil {
		facts = append(facts, r.words.Room+": "+r.text(s.Room.Name))
	}
	if !s.AllDay && s.End.IsZero() {
		facts = append(facts, r.words.NoEnd)
	}
	if s.Livestream != "" {
		facts = append(facts, r.words.Livestream+": "+s.Livestream)
	}
	if s.URL != "" {
		facts = append(facts, r.words.More+": "+s.URL)
	}
	para(strings.Join(facts, "\n"))
	return b.String()
}

// isoDuration formats d as an RFC 5545 duration, e.g. PT10M or P1D.
func isoDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	}
	var b strings.Builder
	b.WriteString("PT")
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s := d % time.Minute / time.Second; s > 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	if b.Len() == 2 {
		return "PT0S"
	}
	return b.String()
}

// formerly describes where and when a moved session used to be.
func (r *renderer) formerly(was *Snapshot) string {
	var parts []string
	switch {
	case was.AllDay && was.StartDate == was.EndDate:
		parts = append(parts, was.StartDate.String())
	case was.AllDay:
		parts = append(parts, was.StartDate.String()+" – "+was.EndDate.String())
	default:
		if t, err := time.Parse(time.RFC3339, was.Start); err == nil {
			if loc, err := programme.LoadLocation(was.Zone); err == nil {
				t = t.In(loc)
			}
			parts = append(parts, t.Format("2006-01-02 15:04"))
		}
	}
	if was.Room != nil {
		parts = append(parts, r.text(was.Room.Name))
	}
	if was.Venue != nil {
		parts = append(parts, r.text(was.Venue.Name))
	} else if was.Location != "" {
		parts = append(parts, was.Location)
	}
	return strings.Join(parts, ", ")
}

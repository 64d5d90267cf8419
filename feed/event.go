package feed

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	goical "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/ics"
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

var serialConfig = &goical.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}

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
	words ics.Words
}

func (r *renderer) text(t programme.Text) string {
	return t.In(r.lang, r.p.Languages...)
}

func (r *renderer) event(s *programme.Session, meta Meta, ghost bool) (*Event, error) {
	uid := r.p.UID(s)
	ev := goical.NewEvent(uid)
	ev.SetDtStampTime(meta.Modified)
	ev.SetCreatedTime(meta.Created)
	ev.SetModifiedAt(meta.Modified)
	if meta.Sequence > 0 {
		ev.SetSequence(meta.Sequence)
	}
	zones := r.setTimes(ev, s)

	summary := ics.OneLine(r.text(s.Title))
	switch s.Status {
	case programme.Cancelled:
		ev.SetStatus(goical.ObjectStatusCancelled)
		if !r.opts.NoCancelledPrefix {
			summary = r.words.Cancelled + ": " + summary
		}
	case programme.Tentative:
		ev.SetStatus(goical.ObjectStatusTentative)
	default:
		ev.SetStatus(goical.ObjectStatusConfirmed)
	}
	ev.SetSummary(summary)
	if d := r.description(s, meta.Was); d != "" {
		ev.SetDescription(d)
	}
	if loc := ics.Location(r.p, s, r.lang); loc != "" {
		ev.SetLocation(loc)
	}
	if s.Venue != nil && s.Venue.Geo != nil {
		ev.SetProperty(goical.ComponentPropertyGeo, formatGeo(s.Venue.Geo))
	}
	if u := r.p.SessionURL(s); u != "" {
		ev.SetURL(u)
	}
	for _, c := range r.categories(s) {
		ev.AddCategory(c)
	}
	if s.Livestream != "" {
		ev.AddProperty(goical.ComponentProperty("CONFERENCE"), s.Livestream,
			goical.WithValue("URI"), &goical.KeyValues{Key: "FEATURE", Value: []string{"VIDEO"}},
			&goical.KeyValues{Key: "LABEL", Value: []string{ics.Param(r.words.Livestream)}})
	}
	if r.opts.organiser() {
		ev.SetOrganizer("mailto:"+r.p.Organiser.Email, goical.WithCN(ics.Param(r.organiserName())))
	}
	if s.AllDay {
		ev.SetTimeTransparency(goical.TransparencyTransparent)
	}
	if r.opts.Alarm > 0 && s.Status != programme.Cancelled && !s.AllDay {
		a := ev.AddAlarm()
		a.SetAction(goical.ActionDisplay)
		a.SetTrigger("-" + ics.Duration(r.opts.Alarm))
		a.SetProperty(goical.ComponentPropertyDescription, r.words.Reminder+": "+summary)
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
func (r *renderer) setTimes(ev *goical.VEvent, s *programme.Session) []string {
	if s.AllDay {
		ev.SetProperty(goical.ComponentPropertyDtStart, s.StartDate.Compact(), goical.WithValue("DATE"))
		ev.SetProperty(goical.ComponentPropertyDtEnd, s.EndDate.AddDays(1).Compact(), goical.WithValue("DATE"))
		return nil
	}
	loc := s.Zone(r.p)
	if loc == time.UTC || ambiguous(s.Start, loc) || (!s.End.IsZero() && ambiguous(s.End, loc)) {
		ev.SetProperty(goical.ComponentPropertyDtStart, s.Start.UTC().Format(dateTimeUTC))
		setEnd(ev, s, s.End.UTC().Format(dateTimeUTC))
		return nil
	}
	tzid := goical.WithTZID(loc.String())
	ev.SetProperty(goical.ComponentPropertyDtStart, s.Start.In(loc).Format(dateTimeLocal), tzid)
	setEnd(ev, s, s.End.In(loc).Format(dateTimeLocal), tzid)
	return []string{loc.String()}
}

// setEnd writes DTEND, or, for a session whose end is not published, an
// explicit zero DURATION: RFC 5545 gives a DTSTART alone no length either,
// but some readers invent one hour for it.
func setEnd(ev *goical.VEvent, s *programme.Session, value string, params ...goical.PropertyParameter) {
	if s.End.IsZero() {
		ev.SetProperty(goical.ComponentPropertyDuration, "PT0S")
		return
	}
	ev.SetProperty(goical.ComponentPropertyDtEnd, value, params...)
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

func (r *renderer) categories(s *programme.Session) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		c = ics.OneLine(c)
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

// description is the plain-text body: a note if the session moved, then
// its text and facts (ics.Describe).
func (r *renderer) description(s *programme.Session, was *Snapshot) string {
	lead := ""
	if was != nil && s.Status != programme.Cancelled {
		lead = r.words.Moved + " " + r.formerly(was) + "."
	}
	return ics.Describe(r.p, s, r.lang, lead)
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

package csvprog

import (
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

func (b *builder) cell(rw *row, f Field) string { return strings.TrimSpace(rw.cells[f]) }

// session builds the session of one row, or reports why it cannot.
func (b *builder) session(rw *row) *programme.Session {
	s := &programme.Session{Pos: rw.pos, Status: programme.Confirmed}
	title := lenient.Line(b.cell(rw, FieldTitle))
	if title == "" {
		b.r.Errorf(rw.pos, rw.path, "the row has no title")
		return nil
	}
	s.Title = programme.Plain(title)
	raw := b.cell(rw, FieldID)
	id, changed := lenient.ID(raw)
	if raw == "" {
		id = programme.Slugify(title)
	}
	if id == "" {
		id = "session"
	}
	if changed && b.cell(rw, FieldID) != "" {
		b.r.Warnf("id", rw.pos, rw.path, "id %q is not a valid id; used %q", raw, id)
	}
	if b.cell(rw, FieldID) != "" {
		if b.ids[id] {
			b.r.Warnf("duplicate-id", rw.pos, rw.path, "id %q is used by an earlier row too; each row gets its own stable UID", id)
		}
		b.ids[id] = true
	}
	s.ID = id
	s.Subtitle = programme.Plain(lenient.Line(b.cell(rw, FieldSubtitle)))
	desc := lenient.Text(rw.cells[FieldDescription])
	if lenient.LooksLikeHTML(desc) {
		desc = lenient.HTMLToText(desc)
		b.r.Routine("html", "HTML turned into plain text in the descriptions of %d rows; the first is here", rw.pos, rw.path,
			"HTML in the description turned into plain text")
	}
	s.Description = programme.Plain(desc)
	s.Type = lenient.Line(b.cell(rw, FieldType))
	b.place(rw, s)
	for _, name := range splitList(b.cell(rw, FieldTrack)) {
		s.Tracks = append(s.Tracks, lenient.Track(b.p, b.tracks, name))
	}
	seen := map[string]bool{}
	for _, name := range splitList(b.cell(rw, FieldSpeakers)) {
		if !seen[strings.ToLower(name)] {
			seen[strings.ToLower(name)] = true
			s.Speakers = append(s.Speakers, &programme.Speaker{Name: name, Inline: true})
		}
	}
	s.Tags = splitList(b.cell(rw, FieldTags))
	for _, f := range []struct {
		field Field
		dst   *string
	}{{FieldURL, &s.URL}, {FieldLivestream, &s.Livestream}} {
		if raw := b.cell(rw, f.field); raw != "" {
			if *f.dst = lenient.URL(raw, ""); *f.dst == "" {
				b.r.Warnf("url", rw.pos, rw.path, "%s %q is not an http(s) URL; dropped", f.field, raw)
			}
		}
	}
	if raw := b.cell(rw, FieldLanguage); raw != "" {
		if s.Language = lenient.Language(raw); s.Language != raw {
			b.r.Warnf("language", rw.pos, rw.path, "language %q is not one language tag; used %q", raw, s.Language)
		}
	}
	s.Status = b.status(rw)
	if !b.times(rw, s) {
		return nil
	}
	return s
}

// splitList splits a cell holding several names or tags, separated by
// semicolons, vertical bars, commas or new lines.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == ',' || r == '\n' }) {
		if f = lenient.Line(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (b *builder) status(rw *row) programme.Status {
	raw := b.cell(rw, FieldStatus)
	switch strings.ToLower(raw) {
	case "", "confirmed", "accepted", "scheduled", "ok", "yes":
		return programme.Confirmed
	case "cancelled", "canceled", "cancel", "withdrawn", "deleted", "rejected":
		return programme.Cancelled
	case "tentative", "provisional", "tbc", "tbd", "draft", "maybe", "delayed":
		return programme.Tentative
	}
	b.r.Warnf("status", rw.pos, rw.path, "unknown status %q: taken as confirmed (use confirmed, tentative or cancelled)", raw)
	return programme.Confirmed
}

// place sets the session's venue and room.
func (b *builder) place(rw *row, s *programme.Session) {
	venueName, roomName := lenient.Line(b.cell(rw, FieldVenue)), lenient.Line(b.cell(rw, FieldRoom))
	if venueName == "" && roomName == "" {
		return
	}
	v := b.venue(venueName)
	s.Venue = v
	if roomName == "" {
		return
	}
	for _, r := range v.Rooms {
		if r.Name.In("") == roomName {
			s.Room = r
			return
		}
	}
	used := map[string]bool{}
	for _, r := range v.Rooms {
		used[r.ID] = true
	}
	r := &programme.Room{ID: lenient.Unique(programme.Slugify(roomName), used), Name: programme.Plain(roomName), Venue: v}
	v.Rooms = append(v.Rooms, r)
	s.Room = r
}

// venue returns the venue called name, the unnamed default venue for "".
func (b *builder) venue(name string) *programme.Venue {
	if v := b.venues[name]; v != nil {
		return v
	}
	used := map[string]bool{}
	for _, v := range b.p.Venues {
		used[v.ID] = true
	}
	v := &programme.Venue{ID: lenient.Unique(programme.Slugify(name), used), Name: programme.Plain(name), Location: b.loc}
	if name == "" {
		v.ID = lenient.Unique("venue", used)
		v.Name = b.p.Name
	}
	b.venues[name] = v
	b.p.Venues = append(b.p.Venues, v)
	return v
}

// times sets the session's start and end, or its dates for a session
// with no clock time.
func (b *builder) times(rw *row, s *programme.Session) bool {
	cellOf := func(f Field) (when, bool) {
		raw := b.cell(rw, f)
		w, ok := parseWhen(raw)
		if !ok {
			b.r.Errorf(rw.pos, rw.path+"."+string(f), "%s %q is not a date or time like 2025-02-10 09:30 or 10/02/2025 09:30", f, raw)
		}
		return w, ok
	}
	date, ok1 := cellOf(FieldDate)
	start, ok2 := cellOf(FieldStart)
	end, ok3 := cellOf(FieldEnd)
	endDate, ok4 := cellOf(FieldEndDate)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	if date.hasClock && !start.hasClock && !start.hasDate {
		// A single date-and-time column named "date".
		start, date = date, when{date: date.date, hasDate: date.hasDate}
	}
	day := start.date
	if !start.hasDate {
		day = date.date
		if !date.hasDate && !start.hasOffset {
			b.r.Errorf(rw.pos, rw.path, "session %q has no date: give a date column or a start like 2025-02-10 09:30", s.Title.In(""))
			return false
		}
	}
	if !start.hasClock {
		return b.allDay(rw, s, day, end, endDate)
	}
	switch {
	case start.hasOffset:
		s.Start = start.instant.In(b.loc)
	default:
		s.Start = b.wall(rw, day, start.clock)
	}
	switch {
	case end.hasOffset:
		s.End = end.instant.In(b.loc)
	case end.hasClock && end.hasDate:
		s.End = b.wall(rw, end.date, end.clock)
	case end.hasClock:
		// A bare end time is on the start's day, or the next day when it
		// is not after the start (a session across midnight).
		sd := programme.DateOf(s.Start.In(b.loc))
		s.End = b.wall(rw, sd, end.clock)
		if !s.End.After(s.Start) {
			s.End = b.wall(rw, sd.AddDays(1), end.clock)
		}
	case b.cell(rw, FieldDuration) != "":
		raw := b.cell(rw, FieldDuration)
		d, err := programme.ParseDuration(raw)
		if err != nil || d < 0 {
			b.r.Errorf(rw.pos, rw.path+".duration", "duration %q is not a duration like 45, 0:45, 1:30 or 90m", raw)
			return false
		}
		if d == 0 {
			b.r.Warnf("zero-duration", rw.pos, rw.path, "duration %q is zero; the session is published without an end", raw)
		}
		if d > 0 {
			s.End = s.Start.Add(d)
		}
	}
	if !s.End.IsZero() && !s.End.After(s.Start) {
		b.r.Errorf(rw.pos, rw.path+".end", "end %s is not after start %s", s.End.Format("2006-01-02 15:04"), s.Start.Format("2006-01-02 15:04"))
		return false
	}
	return true
}

func (b *builder) allDay(rw *row, s *programme.Session, day programme.Date, end, endDate when) bool {
	s.AllDay, s.StartDate, s.EndDate = true, day, day
	last := endDate
	if !last.hasDate && end.hasDate && !end.hasClock {
		last = end
	}
	if last.hasDate {
		if last.date.Before(day) {
			b.r.Errorf(rw.pos, rw.path+".end_date", "end date %s is before the date %s", last.date, day)
			return false
		}
		s.EndDate = last.date
	}
	return true
}

func (b *builder) wall(rw *row, d programme.Date, c lenient.Clock) time.Time {
	t, st := programme.WallClock(d, c.H, c.M, c.S, b.loc)
	switch st {
	case programme.WallSkipped:
		b.r.Warnf("dst", rw.pos, rw.path, "%s %02d:%02d does not exist in %s (the clocks go forward then); taken as %s", d, c.H, c.M, b.loc, t.In(b.loc).Format("15:04"))
	case programme.WallRepeated:
		b.r.Warnf("dst", rw.pos, rw.path, "%s %02d:%02d happens twice in %s (the clocks go back); taken as the first", d, c.H, c.M, b.loc)
	}
	return t
}

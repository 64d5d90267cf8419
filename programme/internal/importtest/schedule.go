package importtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
)

// ScheduleJSON writes p as a c3voc/pretalx schedule.json on one line, as
// pretalx serves it: days, each mapping a room to its events, every event
// with its guid, id, slug, start, duration, persons and texts. Rooms are
// named after their venue and themselves, so that a programme of several
// venues keeps its rooms apart. Sessions with no clock time are left out,
// as schedule.json cannot hold them.
func ScheduleJSON(p *programme.Programme) []byte {
	lang := p.Lang()
	type event struct {
		GUID        string   `json:"guid"`
		ID          int      `json:"id"`
		Date        string   `json:"date"`
		Start       string   `json:"start"`
		Duration    string   `json:"duration"`
		Room        string   `json:"room"`
		Slug        string   `json:"slug"`
		Title       string   `json:"title"`
		Subtitle    string   `json:"subtitle"`
		Track       *string  `json:"track"`
		Type        string   `json:"type"`
		Language    string   `json:"language"`
		Abstract    string   `json:"abstract"`
		Description string   `json:"description"`
		Persons     []person `json:"persons"`
		URL         string   `json:"url"`
	}
	type day struct {
		Index int                 `json:"index"`
		Date  string              `json:"date"`
		Rooms map[string][]*event `json:"rooms"`
	}
	var days []*day
	byDate := map[programme.Date]*day{}
	for i, s := range p.Sessions {
		if s.AllDay {
			continue
		}
		date := s.Day(p)
		d := byDate[date]
		if d == nil {
			d = &day{Date: date.String(), Rooms: map[string][]*event{}}
			byDate[date] = d
			days = append(days, d)
		}
		local := s.Start.In(s.Zone(p))
		ev := &event{GUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), ID: i + 1,
			Date: local.Format(time.RFC3339), Start: local.Format("15:04"), Room: roomName(s),
			Slug: s.ID, Title: s.Title.In(lang), Subtitle: s.Subtitle.In(lang), Type: s.Type,
			Language: s.Language, Abstract: s.Description.In(lang), URL: s.URL}
		if !s.End.IsZero() {
			d := s.End.Sub(s.Start)
			ev.Duration = fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
		}
		if len(s.Tracks) > 0 {
			name := s.Tracks[0].Name.In(lang)
			ev.Track = &name
		}
		for _, sp := range s.Speakers {
			ev.Persons = append(ev.Persons, person{ID: sp.ID, PublicName: sp.Name})
		}
		d.Rooms[ev.Room] = append(d.Rooms[ev.Room], ev)
	}
	slices.SortFunc(days, func(a, b *day) int { return strings.Compare(a.Date, b.Date) })
	for i, d := range days {
		d.Index = i + 1
	}
	var tracks []map[string]string
	for _, t := range p.Tracks {
		tracks = append(tracks, map[string]string{"name": t.Name.In(lang), "slug": t.ID, "color": t.Colour})
	}
	doc := map[string]any{"schedule": map[string]any{
		"version": "1.0",
		"conference": map[string]any{
			"acronym": p.ID, "title": p.Name.In(lang), "time_zone_name": p.TimeZone,
			"start": p.StartDate.String(), "end": p.EndDate.String(), "tracks": tracks, "days": days,
		},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err) // only maps, slices and strings: cannot fail
	}
	return out
}

type person struct {
	ID         string `json:"id"`
	PublicName string `json:"public_name"`
}

func roomName(s *programme.Session) string {
	switch {
	case s.Room != nil && s.Venue != nil:
		return s.Venue.Name.In("") + " " + s.Room.Name.In("")
	case s.Room != nil:
		return s.Room.Name.In("")
	case s.Venue != nil:
		return s.Venue.Name.In("")
	}
	return "Room"
}

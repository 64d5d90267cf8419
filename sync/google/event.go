package google

import (
	"strconv"
	"strings"
	"time"

	calendar "google.golang.org/api/calendar/v3"

	calsync "github.com/confcal/confcal/sync"
)

// toRemote reads an API event into the engine's terms.
func toRemote(ev *calendar.Event) calsync.Remote {
	r := calsync.Remote{ID: ev.Id, Version: ev.Etag, Deleted: ev.Status == "cancelled", Raw: ev}
	if ev.ExtendedProperties != nil && ev.ExtendedProperties.Private != nil {
		p := ev.ExtendedProperties.Private
		gen, _ := strconv.Atoi(p[calsync.KeyGeneration])
		r.Marker = calsync.Marker{Tool: p[calsync.KeyTool], Source: p[calsync.KeySource], UID: p[calsync.KeyUID],
			Hash: p[calsync.KeyHash], Schema: p[calsync.KeySchema], Generation: gen}
	}
	f := calsync.Fields{Title: ev.Summary, Location: ev.Location, Status: ev.Status, Free: ev.Transparency == "transparent"}
	f.Description, r.Notes = calsync.SplitNotes(ev.Description)
	if ev.Source != nil {
		f.URL = ev.Source.Url
	}
	if ev.Start != nil && ev.Start.Date != "" {
		f.AllDay = true
		f.StartDate = ev.Start.Date
		if ev.End != nil {
			f.EndDate = ev.End.Date
		}
	} else if ev.Start != nil {
		f.TimeZone = ev.Start.TimeZone
		f.Start = parseTime(ev.Start)
		if ev.End != nil {
			f.End = parseTime(ev.End)
		}
	}
	r.Fields = f
	return r
}

func parseTime(t *calendar.EventDateTime) time.Time {
	var loc *time.Location
	if t.TimeZone != "" {
		loc, _ = time.LoadLocation(t.TimeZone)
	}
	at, err := time.Parse(time.RFC3339, t.DateTime)
	if err != nil && loc != nil {
		at, err = time.ParseInLocation("2006-01-02T15:04:05", t.DateTime, loc)
	}
	if err != nil {
		return time.Time{}
	}
	if loc != nil {
		at = at.In(loc)
	}
	return at
}

// toEvent writes it over base (nil for a new event): the managed fields
// and the marker are replaced; everything else base has (reminders,
// colour, attendees, the user's notes and own properties) is kept.
func toEvent(it calsync.Item, base *calendar.Event) *calendar.Event {
	ev := &calendar.Event{}
	notes := ""
	if base != nil {
		c := *base
		ev = &c
		_, notes = calsync.SplitNotes(base.Description)
	}
	f := it.Fields
	ev.Id = it.ID
	ev.Summary = f.Title
	ev.Description = calsync.JoinNotes(f.Description, notes)
	ev.Location = f.Location
	ev.Status = f.Status
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	ev.Transparency = "opaque"
	if f.Free {
		ev.Transparency = "transparent"
	}
	ev.Source = nil
	if strings.HasPrefix(f.URL, "https://") || strings.HasPrefix(f.URL, "http://") {
		ev.Source = &calendar.EventSource{Title: f.Title, Url: f.URL}
	}
	if f.AllDay {
		ev.Start = &calendar.EventDateTime{Date: f.StartDate}
		ev.End = &calendar.EventDateTime{Date: f.EndDate}
	} else {
		ev.Start = &calendar.EventDateTime{DateTime: f.Start.Format(time.RFC3339), TimeZone: f.TimeZone}
		ev.End = &calendar.EventDateTime{DateTime: f.End.Format(time.RFC3339), TimeZone: f.TimeZone}
	}
	props := map[string]string{}
	var shared map[string]string
	if base != nil && base.ExtendedProperties != nil {
		for k, v := range base.ExtendedProperties.Private {
			props[k] = v
		}
		shared = base.ExtendedProperties.Shared
	}
	m := it.Marker
	props[calsync.KeyTool] = m.Tool
	props[calsync.KeySource] = m.Source
	props[calsync.KeyUID] = m.UID
	props[calsync.KeyHash] = m.Hash
	props[calsync.KeySchema] = m.Schema
	props[calsync.KeyGeneration] = strconv.Itoa(m.Generation)
	ev.ExtendedProperties = &calendar.EventExtendedProperties{Private: props, Shared: shared}
	if base == nil && it.Reminder > 0 {
		ev.Reminders = &calendar.EventReminders{
			Overrides:       []*calendar.EventReminder{{Method: "popup", Minutes: int64(it.Reminder / time.Minute)}},
			ForceSendFields: []string{"UseDefault"},
		}
	}
	return ev
}

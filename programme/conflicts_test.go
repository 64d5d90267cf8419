package programme_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
)

// week is a programme at the summit's real venues, which are kilometres
// apart, with times chosen to make every kind of conflict.
const week = `
id: week
name: Week
timezone: Europe/Paris
venues:
  - id: stationf
    geo: {lat: 48.834, lon: 2.371}
    rooms: [{id: a}, {id: b}]
  - id: grandpalais
    geo: {lat: 48.866, lon: 2.312}
  - id: elysee
    geo: {lat: 48.870, lon: 2.317}
  - id: annex
  - id: lyon
    geo: {lat: 45.760, lon: 4.836}
sessions:
  - {id: morning, title: Morning, venue: stationf, room: a, start: 2025-02-11T09:00, end: 2025-02-11T12:00}
  - {id: noon, title: Noon, venue: grandpalais, start: 2025-02-11T12:10, end: 2025-02-11T13:00}
  - {id: later, title: Later, venue: grandpalais, start: 2025-02-11T14:00, end: 2025-02-11T15:00}
  - {id: next-door, title: Next door, venue: elysee, start: 2025-02-11T15:10, end: 2025-02-11T16:00}
  - {id: side, title: Side, venue: stationf, room: b, start: 2025-02-11T11:30, end: 2025-02-11T12:30}
  - {id: back-to-back, title: Back to back, venue: stationf, room: b, start: 2025-02-11T12:00, end: 2025-02-11T12:30}
  - {id: opening, title: Opening, venue: stationf, start: 2025-02-12T09:00}
  - {id: keynote, title: Keynote, venue: grandpalais, start: 2025-02-12T09:20, end: 2025-02-12T10:00}
  - {id: toast, title: Toast, venue: grandpalais, start: 2025-02-12T09:30}
  - {id: toast-too, title: Toast too, venue: elysee, start: 2025-02-12T09:30}
  - {id: unknown-place, title: Unknown place, venue: annex, start: 2025-02-12T10:03, end: 2025-02-12T11:00}
  - {id: forum, title: Forum, venue: grandpalais, date: 2025-02-13}
  - {id: business, title: Business, venue: stationf, date: 2025-02-12, end_date: 2025-02-13}
  - {id: fair, title: Fair, venue: stationf, date: 2025-02-13}
  - {id: lyon-fair, title: Lyon fair, venue: lyon, date: 2025-02-13}
  - {id: lyon-talk, title: Lyon talk, venue: lyon, start: 2025-02-13T10:00, end: 2025-02-13T11:00}
  - {id: somewhere, title: Somewhere, date: 2025-02-13}
  - {id: cancelled, title: Cancelled, venue: grandpalais, status: cancelled, start: 2025-02-11T09:00, end: 2025-02-11T12:00}
`

func describeConflicts(cs []programme.Conflict) []string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%s %s %s %s gap=%s", c.Kind, c.A.ID, c.B.ID, c.Day, c.Gap)
		if c.Kind != programme.ConflictOverlap {
			s += fmt.Sprintf(" km=%.1f travel=%s", c.Distance, c.Travel)
		}
		if c.OpenEnd {
			s += " open"
		}
		if c.Possible() != (c.Kind == programme.ConflictPossibleOverlap) {
			s += " possible=" + fmt.Sprint(c.Possible())
		}
		out = append(out, s)
	}
	return out
}

func TestConflicts(t *testing.T) {
	p, _, err := programme.DecodeBytes([]byte(week), "week.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pick := func(ids ...string) []*programme.Session {
		var out []*programme.Session
		for _, id := range ids {
			s := p.Session(id)
			if s == nil {
				t.Fatalf("no session %s", id)
			}
			out = append(out, s)
		}
		return out
	}
	defaults := programme.ConflictOptions{TravelSpeed: programme.DefaultTravelSpeed, MinGap: programme.DefaultMinGap}
	tests := []struct {
		name string
		ids  []string
		opts programme.ConflictOptions
		want []string
	}{
		{"Station F at 12:00 to the Grand Palais at 12:10", []string{"noon", "morning"}, defaults,
			[]string{"travel morning noon 2025-02-11 gap=10m0s km=5.6 travel=30m0s"}},
		{"the same at 60 km/h leaves time", []string{"morning", "noon"}, programme.ConflictOptions{TravelSpeed: 60, MinGap: 5 * time.Minute}, nil},
		{"at 30 km/h it is still too far", []string{"morning", "noon"}, programme.ConflictOptions{TravelSpeed: 30},
			[]string{"travel morning noon 2025-02-11 gap=10m0s km=5.6 travel=15m0s"}},
		{"two hours are enough", []string{"morning", "later"}, defaults, nil},
		{"close venues need at least the minimum gap", []string{"later", "next-door"}, programme.ConflictOptions{MinGap: 15 * time.Minute},
			[]string{"travel later next-door 2025-02-11 gap=10m0s km=0.6 travel=15m0s"}},
		{"close venues and a short gap are fine", []string{"later", "next-door"}, defaults, nil},
		{"two rooms of one venue at once", []string{"morning", "side"}, defaults,
			[]string{"overlap morning side 2025-02-11 gap=30m0s"}},
		{"overlaps and travel together, in programme order", []string{"noon", "side", "morning"}, defaults,
			[]string{"overlap morning side 2025-02-11 gap=30m0s", "travel morning noon 2025-02-11 gap=10m0s km=5.6 travel=30m0s",
				"overlap side noon 2025-02-11 gap=20m0s"}},
		{"back to back in two rooms of one venue", []string{"morning", "back-to-back"}, defaults, nil},
		{"no end: travel counts from the start", []string{"opening", "keynote"}, defaults,
			[]string{"travel opening keynote 2025-02-12 gap=20m0s km=5.6 travel=30m0s open"}},
		{"no end: an instant inside a session overlaps it", []string{"keynote", "toast"}, defaults,
			[]string{"overlap keynote toast 2025-02-12 gap=0s"}},
		{"no end: two instants at once overlap", []string{"toast", "toast-too"}, defaults,
			[]string{"overlap toast toast-too 2025-02-12 gap=0s"}},
		{"a venue with no position takes the minimum gap", []string{"keynote", "unknown-place"}, defaults,
			[]string{"travel keynote unknown-place 2025-02-12 gap=3m0s km=0.0 travel=5m0s"}},
		{"all day at two venues within reach: a note, not a conflict", []string{"forum", "fair"}, defaults,
			[]string{"possible-overlap fair forum 2025-02-13 gap=0s km=5.6 travel=30m0s"}},
		{"a two-day session meets another on its second day", []string{"business", "forum"}, defaults,
			[]string{"possible-overlap business forum 2025-02-13 gap=0s km=5.6 travel=30m0s"}},
		{"all day at venues more than half a day apart", []string{"forum", "lyon-fair"}, defaults,
			[]string{"same-day forum lyon-fair 2025-02-13 gap=0s km=394.3 travel=34h11m0s"}},
		{"far apart at a car's speed is within reach", []string{"forum", "lyon-fair"}, programme.ConflictOptions{TravelSpeed: 90},
			[]string{"possible-overlap forum lyon-fair 2025-02-13 gap=0s km=394.3 travel=5h42m0s"}},
		{"all day at one venue", []string{"business", "fair"}, defaults, nil},
		{"all day and somewhere unknown", []string{"forum", "somewhere"}, defaults, nil},
		{"timed and all-day at two venues may overlap", []string{"business", "keynote", "toast"}, defaults,
			[]string{"possible-overlap business keynote 2025-02-12 gap=0s km=5.6 travel=30m0s",
				"possible-overlap business toast 2025-02-12 gap=0s km=5.6 travel=30m0s",
				"overlap keynote toast 2025-02-12 gap=0s"}},
		{"timed and all-day far apart is only a note", []string{"forum", "lyon-talk"}, defaults,
			[]string{"possible-overlap forum lyon-talk 2025-02-13 gap=0s km=394.3 travel=34h11m0s"}},
		{"timed and all-day at one venue", []string{"fair", "business", "opening"}, defaults, nil},
		{"cancelled sessions take no time", []string{"cancelled", "morning", "later"}, defaults, nil},
		{"zero options are the defaults but for the gap", []string{"morning", "noon"}, programme.ConflictOptions{},
			[]string{"travel morning noon 2025-02-11 gap=10m0s km=5.6 travel=30m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeConflicts(programme.Conflicts(p, pick(tt.ids...), tt.opts))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// TestConflictsSummit runs conflict detection on the built-in example:
// its venues are real and kilometres apart.
func TestConflictsSummit(t *testing.T) {
	p := loadSummit(t)
	sel := programme.Selection{Tracks: []string{"summit", "business"}, Days: []string{"2025-02-11"}}
	sessions, err := p.Select(sel)
	if err != nil {
		t.Fatal(err)
	}
	got := describeConflicts(programme.Conflicts(p, sessions, programme.ConflictOptions{TravelSpeed: 15, MinGap: 5 * time.Minute}))
	want := []string{"possible-overlap gp-day2-leaders stationf-business-day 2025-02-11 gap=0s km=5.6 travel=30m0s",
		"possible-overlap gp-day2-leaders stationf-business-day-opening 2025-02-11 gap=0s km=5.6 travel=30m0s"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b programme.Geo
		km   float64
	}{
		{"Station F to the Grand Palais", programme.Geo{Lat: 48.834, Lon: 2.371}, programme.Geo{Lat: 48.866, Lon: 2.312}, 5.57},
		{"Paris to London", programme.Geo{Lat: 48.8566, Lon: 2.3522}, programme.Geo{Lat: 51.5074, Lon: -0.1278}, 343.6},
		{"one place", programme.Geo{Lat: 10, Lon: 10}, programme.Geo{Lat: 10, Lon: 10}, 0},
		{"antipodes", programme.Geo{Lat: 0, Lon: 0}, programme.Geo{Lat: 0, Lon: 180}, 20015.1},
	}
	for _, tt := range tests {
		if got := programme.Distance(tt.a, tt.b); math.Abs(got-tt.km) > 0.05 {
			t.Errorf("%s: %.2f km, want %.2f", tt.name, got, tt.km)
		}
	}
	if got := programme.TravelTime(5.57, 15); got != 29*time.Minute {
		t.Errorf("TravelTime(5.57 km, 15 km/h) = %s, want 29m (7.2 km of streets)", got)
	}
	if got := programme.TravelTime(1, 0); got != 6*time.Minute {
		t.Errorf("TravelTime at speed 0 = %s, want the default speed's 6m", got)
	}
}

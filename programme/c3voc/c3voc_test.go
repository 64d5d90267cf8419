package c3voc

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/importtest"
)

func decodeFile(t *testing.T, name string) (*programme.Programme, programme.Diagnostics) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, diags, err := Decode(data, name, Options{})
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return p, diags
}

func TestSchedule(t *testing.T) {
	p, diags := decodeFile(t, "schedule.json")
	if p.ID != "minicamp" || p.TimeZone != "Europe/Berlin" || len(p.Sessions) != 5 {
		t.Fatalf("programme %q in %s with %d sessions", p.ID, p.TimeZone, len(p.Sessions))
	}
	tests := []struct {
		title      string
		n          int
		start, end string
		room       string
	}{
		{"Opening", 0, "2025-12-27T09:30:00Z", "2025-12-27T10:00:00Z", "saal-1"},
		{"After midnight", 0, "2025-12-28T01:00:00Z", "2025-12-28T02:15:00Z", "saal-1"},
		{"Repeated", 0, "2025-12-27T15:10:00Z", "2025-12-27T15:55:00Z", "saal-1"},
		{"Repeated", 1, "2025-12-27T16:15:00Z", "2025-12-27T17:00:00Z", "workshop-dome"},
		{"Intro from New York", 0, "2025-12-27T15:30:00Z", "", "workshop-dome"},
	}
	for _, tt := range tests {
		ss := importtest.ByTitle(p, tt.title)
		if len(ss) <= tt.n {
			t.Errorf("%s #%d missing", tt.title, tt.n)
			continue
		}
		s := ss[tt.n]
		if !s.Start.Equal(importtest.UTC(tt.start)) {
			t.Errorf("%s #%d: start %s, want %s", tt.title, tt.n, s.Start.UTC().Format(time.RFC3339), tt.start)
		}
		if tt.end == "" && !s.End.IsZero() || tt.end != "" && !s.End.Equal(importtest.UTC(tt.end)) {
			t.Errorf("%s #%d: end %v, want %q", tt.title, tt.n, s.End, tt.end)
		}
		if s.Room == nil || s.Room.ID != tt.room {
			t.Errorf("%s #%d: room %v, want %s", tt.title, tt.n, s.Room, tt.room)
		}
		if s.Pos.Line == 0 {
			t.Errorf("%s #%d: no position", tt.title, tt.n)
		}
	}
	open := importtest.ByTitle(p, "Opening")[0]
	var names []string
	for _, sp := range open.Speakers {
		names = append(names, sp.Name)
	}
	if got := strings.Join(names, ", "); got != "bleeptrack, Pretalx Person, pajowu, Plain Name" {
		t.Errorf("persons as names and objects: %s", got)
	}
	if open.Description.In("") != "Power on!" || open.Tracks[0].Colour != "#685b9d" {
		t.Errorf("opening: %q in %+v", open.Description.In(""), open.Tracks)
	}
	rep := importtest.ByTitle(p, "Repeated")
	if rep[0].UIDKey == rep[1].UIDKey {
		t.Errorf("the same guid at two times shares the key %q", rep[0].UIDKey)
	}
	if p.Track("empty") == nil || p.Venues[0].Room("unused-room") == nil {
		t.Error("declared track or room without sessions dropped")
	}
	for _, w := range []string{"is not the room it is listed in", "is also used by", "is zero", "HTML", "not in the programme's zone"} {
		if !importtest.HasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
}

func TestSchedule2(t *testing.T) {
	p, _ := decodeFile(t, "schedule2.json")
	if len(p.Sessions) != 2 {
		t.Fatalf("%d sessions", len(p.Sessions))
	}
	open := importtest.ByTitle(p, "Opening Ceremony")[0]
	if !open.Start.Equal(importtest.UTC("2024-12-27T09:30:00Z")) || !open.End.Equal(importtest.UTC("2024-12-27T10:00:00Z")) {
		t.Errorf("opening at %v..%v", open.Start, open.End)
	}
	if open.Room == nil || open.Room.Name.In("") != "Saal 1" || open.Tracks[0].ID != "ccc" || open.Tracks[0].Colour != "#f2f006" {
		t.Errorf("room %v, tracks %v", open.Room, open.Tracks)
	}
	if open.Description.In("") != "Glad you made it." || open.Speakers[0].Name != "Gabriela Bogk" {
		t.Errorf("abstract %q, speakers %v", open.Description.In(""), open.Speakers)
	}
	cancelled := importtest.ByTitle(p, "Cancelled talk")[0]
	if cancelled.Status != programme.Cancelled || !cancelled.End.Equal(importtest.UTC("2024-12-27T11:40:00Z")) {
		t.Errorf("CANCELED state gave %s, end %v", cancelled.Status, cancelled.End)
	}
}

// TestFlatEventsWithoutIdentifier checks that schedule2 events with no
// guid, id, code or slug are imported, each with an id of its own made
// from its title and start, with one warning for the file.
func TestFlatEventsWithoutIdentifier(t *testing.T) {
	doc := `{"schedule": {"conference": {"title": "Journée", "time_zone_name": "Europe/Paris",
  "rooms": [{"name": "Salle A", "guid": "ra"}, {"name": "Salle B", "guid": "rb"}]},
 "events": [
  {"title": "Déjeuner", "start": "2025-02-10T12:30:00+01:00", "duration": "PT1H", "room": {"guid": "rb"}},
  {"title": "Déjeuner", "start": "2025-02-10T12:30:00+01:00", "duration": "PT1H", "room": {"guid": "ra"}},
  {"title": "Keynote", "guid": "6f9e0c1a-0000-4000-8000-000000000001", "start": "2025-02-10T09:00:00+01:00", "duration": "PT1H"}]}}`
	var ids [2][]string
	for i := range ids {
		p, diags, err := Decode([]byte(doc), "flat.json", Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Sessions {
			ids[i] = append(ids[i], s.ID)
		}
		n := 0
		for _, d := range diags.Warnings() {
			if strings.Contains(d.Message, "no guid, id, code or slug") {
				n++
				if !strings.HasPrefix(d.Message, "2 events") || d.Line != 4 {
					t.Errorf("warning %v, want one for 2 events at line 4", d)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d warnings about events without an identifier, want 1: %v", n, diags)
		}
	}
	want := []string{"6f9e0c1a-0000-4000-8000-000000000001", "dejeuner-20250210T1230", "dejeuner-20250210T1230-salle-b"}
	if !slices.Equal(ids[0], want) || !slices.Equal(ids[1], want) {
		t.Errorf("ids %v then %v, want %v", ids[0], ids[1], want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
		line             int
	}{
		{"syntax", "{\"schedule\": {\n\"conference\": [1,,]}}", "not valid JSON", 2},
		{"not object", "[1, 2]", "not a JSON object", 1},
		{"not a schedule", `{"id": "x", "sessions": []}`, "not a c3voc schedule", 1},
		{"no zone", "{\"schedule\": {\"conference\": {\"title\": \"T\",\n\"days\": [{\"date\": \"2025-01-01\", \"rooms\": {\"A\": [{\"id\": 1, \"title\": \"x\", \"start\": \"10:00\"}]}}]}}}", "--timezone", 1},
		{"no start", "{\"schedule\": {\"conference\": {\"time_zone_name\": \"UTC\", \"days\": [{\"date\": \"2025-01-01\", \"rooms\": {\"A\": [\n{\"id\": 7, \"title\": \"x\"}]}}]}}}", `event "7" has no start time`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := Decode([]byte(tt.json), "bad.json", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			errs := diags.Errors()
			if len(errs) == 0 || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != "bad.json" {
				t.Fatalf("got %v, want an error containing %q", errs, tt.want)
			}
			if errs[0].Line != tt.line {
				t.Errorf("error at line %d, want %d", errs[0].Line, tt.line)
			}
		})
	}
}

func TestWrongTypes(t *testing.T) {
	doc := `{"schedule": {"conference": {"time_zone_name": "UTC", "days": [{"date": "2025-01-01", "rooms": {"A": [
{"id": 1, "title": {"nested": true}, "date": "2025-01-01T10:00:00Z", "duration": "0:30", "persons": "nobody"}]}}]}}}`
	p, diags, err := Decode([]byte(doc), "odd.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sessions) != 1 || !importtest.HasWarning(diags, "not a string") {
		t.Errorf("sessions %d, findings %v", len(p.Sessions), diags)
	}
}

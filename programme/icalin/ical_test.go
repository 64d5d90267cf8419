package icalin

import (
	"os"
	"strings"
	"testing"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/importtest"
)

func TestLenient(t *testing.T) {
	data, err := os.ReadFile("testdata/lenient.ics")
	if err != nil {
		t.Fatal(err)
	}
	p, diags, err := Decode(data, "lenient.ics", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name.In("") != "Lenient Fest" || p.ID != "lenient-fest" || p.TimeZone != "Europe/Paris" {
		t.Errorf("programme %q %q in %s", p.ID, p.Name.In(""), p.TimeZone)
	}
	open := importtest.ByTitle(p, "Opening talk that has a rather long title which gets folded across two lines")
	if len(open) != 1 {
		t.Fatalf("folded SUMMARY not read: %v", p.Sessions)
	}
	o := open[0]
	if !o.Start.Equal(importtest.UTC("2025-02-10T08:00:00Z")) || !o.End.Equal(importtest.UTC("2025-02-10T09:00:00Z")) {
		t.Errorf("TZID without VTIMEZONE: %v..%v", o.Start, o.End)
	}
	if o.Room == nil || o.Room.Name.In("") != "Main hall" || len(o.Tracks) != 2 || o.Speakers[0].Name != "Ana Lima" {
		t.Errorf("room %v tracks %v speakers %v", o.Room, o.Tracks, o.Speakers)
	}
	if o.Description.In("") != "Hello\nworld" || o.URL != "https://example.org/talk-1" {
		t.Errorf("description %q url %q", o.Description.In(""), o.URL)
	}
	first, second := importtest.ByTitle(p, "First with a shared UID")[0], importtest.ByTitle(p, "Second with a shared UID")[0]
	if first.UIDKey == second.UIDKey || !first.End.Equal(importtest.UTC("2025-02-10T13:45:00Z")) {
		t.Errorf("shared UID keys %q %q, DURATION end %v", first.UIDKey, second.UIDKey, first.End)
	}
	if second.Status != programme.Cancelled || !second.End.IsZero() {
		t.Errorf("second: %s, end %v", second.Status, second.End)
	}
	expo := importtest.ByTitle(p, "Exhibition")[0]
	if !expo.AllDay || expo.StartDate.String() != "2025-02-10" || expo.EndDate.String() != "2025-02-12" {
		t.Errorf("DATE event %v %s..%s", expo.AllDay, expo.StartDate, expo.EndDate)
	}
	daily := importtest.ByTitle(p, "Daily standup")
	var starts []string
	for _, s := range daily {
		starts = append(starts, s.Start.UTC().Format("02T15:04"))
	}
	if got := strings.Join(starts, " "); got != "10T07:30 13T07:30" {
		t.Errorf("expanded occurrences %s, want 10T07:30 13T07:30 (11th moved, 12th excluded)", got)
	}
	moved := importtest.ByTitle(p, "Daily standup (moved)")
	if len(moved) != 1 || !moved[0].Start.Equal(importtest.UTC("2025-02-11T08:00:00Z")) {
		t.Errorf("override: %v", moved)
	}
	keys := map[string]bool{}
	for _, s := range p.Sessions {
		if keys[s.UIDKey] {
			t.Errorf("UID key %q used twice", s.UIDKey)
		}
		keys[s.UIDKey] = true
	}
	for _, w := range []string{"more than one event", "no DTEND or DURATION", "HTML", "expanded into 2 sessions"} {
		if !importtest.HasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
}

func TestErrors(t *testing.T) {
	forever, err := os.ReadFile("testdata/forever.ics")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, ics, want string
		line            int
	}{
		{"forever", string(forever), "repeats forever", 7},
		{"not ical", "hello", "no BEGIN:VCALENDAR", 1},
		{"floating", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nDTSTART:20250210T090000\nEND:VEVENT\nEND:VCALENDAR\n", "--timezone", 1},
		{"no start", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", "has no DTSTART", 2},
		{"bad start", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n", "DTSTART:tomorrow is not a date-time", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := Decode([]byte(tt.ics), "bad.ics", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			errs := diags.Errors()
			if len(errs) == 0 || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != "bad.ics" {
				t.Fatalf("got %v, want an error containing %q", errs, tt.want)
			}
			if errs[0].Line != tt.line {
				t.Errorf("error at line %d, want %d", errs[0].Line, tt.line)
			}
		})
	}
}

package ics_test

import (
	"strings"
	"testing"
	"time"

	goical "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/ics"
)

func TestVTimezoneShapes(t *testing.T) {
	from := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		zone      string
		rrules    int
		daylights int
		standards int
	}{
		{"Europe/Paris", 2, 1, 1},
		{"America/New_York", 2, 1, 1},
		{"Australia/Sydney", 2, 1, 1},
		{"Europe/Dublin", 2, 1, 1},
		{"Asia/Tokyo", 0, 0, 1},
		{"America/Santiago", 0, -1, -1}, // Sundays on or after a date: one observance per change
	}
	for _, tt := range tests {
		loc, _ := time.LoadLocation(tt.zone)
		s := ics.VTimezone(loc, from, to).Serialize(&goical.SerializationConfiguration{MaxLength: 75, NewLine: "\r\n"})
		if n := strings.Count(s, "RRULE:"); n != tt.rrules {
			t.Errorf("%s: %d RRULEs, want %d:\n%s", tt.zone, n, tt.rrules, s)
		}
		if tt.daylights >= 0 && strings.Count(s, "BEGIN:DAYLIGHT") != tt.daylights {
			t.Errorf("%s: DAYLIGHT count:\n%s", tt.zone, s)
		}
		if tt.standards >= 0 && strings.Count(s, "BEGIN:STANDARD") != tt.standards {
			t.Errorf("%s: STANDARD count:\n%s", tt.zone, s)
		}
	}
	// Irish winter time is GMT, summer IST: the summer must be DAYLIGHT
	// whatever the zone database's negative-DST flag says.
	dublin, _ := time.LoadLocation("Europe/Dublin")
	s := ics.VTimezone(dublin, from, to).Serialize(&goical.SerializationConfiguration{MaxLength: 75, NewLine: "\r\n"})
	if !strings.Contains(s, "BEGIN:DAYLIGHT\r\nDTSTART:20240331T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100") {
		t.Errorf("Dublin:\n%s", s)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "PT0S", -time.Minute: "PT0S", 10 * time.Minute: "PT10M", 90 * time.Minute: "PT1H30M",
		24 * time.Hour: "P1D", 48 * time.Hour: "P2D", 25 * time.Hour: "PT25H", 90 * time.Second: "PT1M30S",
	} {
		if got := ics.Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestOffset(t *testing.T) {
	for sec, want := range map[int]string{3600: "+0100", -18000: "-0500", 0: "+0000", 561: "+000921", 19800: "+0530"} {
		if got := ics.Offset(sec); got != want {
			t.Errorf("Offset(%d) = %q, want %q", sec, got, want)
		}
	}
}

// TestVTimezoneYearBounds: a span at the edges of the years RFC 5545 can
// write gives observances that start within them, in zones east and
// west of Greenwich.
func TestVTimezoneYearBounds(t *testing.T) {
	for _, zone := range []string{"Europe/Paris", "America/Los_Angeles", "Pacific/Kiritimati"} {
		loc, _ := time.LoadLocation(zone)
		for _, span := range [][2]time.Time{
			{time.Date(1, 1, 1, 12, 0, 0, 0, loc), time.Date(1, 1, 1, 13, 0, 0, 0, loc)},
			{time.Date(9999, 12, 31, 23, 0, 0, 0, loc), time.Date(9999, 12, 31, 23, 30, 0, 0, loc)},
		} {
			for _, obs := range [][]ics.Observance{ics.Observances(loc, span[0], span[1]), ics.Changes(loc, span[0], span[1])} {
				for _, o := range obs {
					if len(o.Start) != len("20060102T150405") || o.Start < "00010101T000000" || o.Start > "99991231T235959" {
						t.Errorf("%s %v: observance starts %q", zone, span[0], o.Start)
					}
				}
			}
		}
	}
}

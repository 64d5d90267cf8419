package feedtest

import (
	"testing"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// ServerProgramme is a small programme with every kind of feed: two
// venues with rooms, tracks, speakers, a cancelled session, and sessions
// on two days.
const ServerProgramme = `id: conf
name: Test Conference
timezone: Europe/Paris
url: https://conf.example.org
updated: 2025-01-01T00:00:00Z
refresh: 30m
venues:
  - id: hall
    name: Main Hall
    rooms: [{id: a, name: Room A}, {id: b, name: Room B}]
  - id: annex
    name: Annex
tracks:
  - {id: science, name: Science, colour: "#1f6feb"}
  - {id: art, name: Art, colour: "#a371f7"}
speakers:
  - {id: ada, name: Ada Lovelace}
  - {id: alan, name: Alan Turing}
sessions:
  - {id: opening, title: Opening, start: 2025-03-10T09:00, end: 2025-03-10T09:30, venue: hall, room: a, track: science, speakers: [ada]}
  - {id: engines, title: Analytical engines, start: 2025-03-10T10:00, end: 2025-03-10T11:00, venue: hall, room: a, track: science, speakers: [ada]}
  - {id: paint, title: Painting with numbers, start: 2025-03-10T10:30, end: 2025-03-10T11:30, venue: hall, room: b, track: art}
  - {id: machines, title: Computing machinery, start: 2025-03-11T09:00, end: 2025-03-11T10:00, venue: annex, track: science, speakers: [alan]}
  - {id: gone, title: Old talk, start: 2025-03-11T11:00, end: 2025-03-11T12:00, venue: annex, track: art, status: cancelled}
`

// Decode decodes a YAML programme or fails the test.
func Decode(t testing.TB, src string) *programme.Programme {
	t.Helper()
	p, _, err := programme.DecodeBytes([]byte(src), "test.yaml")
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return p
}

// BuildSet builds the feed set of a YAML programme or fails the test.
func BuildSet(t testing.TB, src string) *feed.Set {
	t.Helper()
	set, err := feed.Build(Decode(t, src), feed.Options{})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return set
}

package frab

import "github.com/confcal/confcal/programme"

// Schedule is a frab schedule as found in a file, every value still the
// text the file holds, so that Build can judge and report it.
type Schedule struct {
	Version    string
	Conference Conference
	// Tracks are the declared tracks, with or without sessions.
	Tracks []Track
	// Rooms are the declared rooms, with or without sessions.
	Rooms []Room
	Days  []Day
	// Events are sessions given outside any day, as the flat schedule2
	// draft does.
	Events []Event
}

// Conference is the <conference> element or object.
type Conference struct {
	Acronym      string
	Title        string
	Subtitle     string
	Description  string
	Start        string // date or date-time
	End          string
	DayChange    string // HH:MM[:SS], when a conference day begins
	TimeZoneName string
	BaseURL      string
	URL          string
	Venue        string
	City         string
	Pos          programme.Pos
	Path         string
}

// Track is a declared track.
type Track struct {
	Name  string
	Slug  string
	Color string
}

// Day is one conference day: a date and the rooms that have sessions on it.
type Day struct {
	Index string
	Date  string // the conference day, YYYY-MM-DD
	Start string // date-time the day begins
	End   string // date-time the day ends
	Rooms []Room
	Pos   programme.Pos
	Path  string
}

// Room is a room, declared or holding the events of one day.
type Room struct {
	Name   string
	GUID   string
	Slug   string
	Events []Event
	Pos    programme.Pos
	Path   string
}

// Event is one scheduled session.
type Event struct {
	ID, GUID, Code, Slug string
	// Date is the start as an ISO 8601 date-time, with or without an
	// offset, or a bare date; Start is the local clock time HH:MM.
	Date, Start string
	// Duration is H:MM, HH:MM, HH:MM:SS or ISO 8601; End is an ISO 8601
	// date-time and wins over Duration when both are given.
	Duration, End string
	Room          string
	Title         string
	Subtitle      string
	Track         string
	TrackSlug     string
	Type          string
	Language      string
	Abstract      string
	Description   string
	URL           string
	Persons       []string
	// State is the schedule2 state (CONFIRMED, CANCELED, ...), or "".
	State string
	Pos   programme.Pos
	Path  string
}

// Package ics holds the iCalendar (RFC 5545) writing that confcal's feeds
// and its calendar sync share: the VTIMEZONE of a zone, durations, TEXT and
// parameter values, and the text of a session's event (its description
// and location) in the programme's languages.
//
// It knows the programme model and nothing above it: package feed builds
// whole calendars from it, and the sync engine and its CalDAV adapter use
// the same texts and zones, so that an event reads the same wherever it
// is written.
package ics

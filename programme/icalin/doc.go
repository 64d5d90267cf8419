// Package icalin reads a programme published as iCalendar (RFC 5545), so
// that a programme from another tool can be re-published with confcal's
// feeds. It reads leniently what real feeds get wrong: a TZID with no
// VTIMEZONE, long unfolded lines, values with leading spaces, properties
// where they do not belong, events without an end or sharing one UID.
// Recurring events are expanded into one session per occurrence when the
// recurrence ends; one that repeats forever is refused.
package icalin

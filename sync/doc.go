// Package sync is confcal's push engine: it makes a calendar hold exactly
// the chosen sessions of a programme, and nothing else of confcal's.
//
// The engine is backend-neutral. A backend (Google Calendar in sync/google,
// CalDAV in sync/caldav) implements the small Calendar interface in this
// package's own words: list the events with their ownership marker and
// managed-field hash, insert with a caller-chosen id, update and delete with
// a version precondition, and errors classified by Kind.
//
// A sync is four steps, each its own function:
//
//   - Build turns a programme and a selection into a Desired set: one Item
//     per session, with a deterministic event id (EventID), the managed
//     fields and their Hash.
//   - Diff compares the Desired set with the calendar's events and returns a
//     Plan: one Step per session or owned event (add, change, remove, keep),
//     each with a reason. Diff is pure.
//   - Render prints a Plan as aligned text or as JSON. A dry run stops here.
//   - Engine.Apply is the only code that writes. It rate-limits every call,
//     runs a small worker pool, retries what may be retried and resolves
//     conflicts by reading the event again.
//
// Ownership needs two proofs: the event's id is the one EventID derives
// from the marker's programme and session, and the marker names confcal
// and this programme. Events failing either proof are never updated or
// deleted. The brakes (Plan.Check) stop a run that would empty the
// calendar or remove more than max(5, 25%) of confcal's events.
//
// Ids are base32hex (RFC 4648 §7, lower case), which both Google Calendar
// and CalDAV resource names accept, so a retried insert can never create a
// second copy of a session.
//
// Where the standard library's sync package is also needed, import this
// one as calsync.
package sync

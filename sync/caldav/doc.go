// Package caldav is confcal's CalDAV backend for the sync engine: a
// sync.Calendar over one calendar collection on any CalDAV server
// (RFC 4791): Nextcloud, Fastmail, iCloud, mailbox.org, SOGo, Radicale,
// and Google's CalDAV endpoint.
//
// Each session is one calendar object resource, named after the event id
// (sync.EventID, so "<id>.ics"), holding one VCALENDAR with the session's
// VEVENT and the VTIMEZONE it refers to. The VEVENT carries the session's
// UID, the same as in confcal's public feeds, and confcal's marker as X-
// properties (X-CONFCAL-OWNER, -SOURCE, -UID, -HASH, -SCHEMA and
// -GENERATION), which servers keep when they rewrite an object.
//
// Every write is conditional (RFC 4918 §10.4, RFC 7232): a create sends
// If-None-Match: * and an update or a delete sends If-Match with the ETag
// the object was read at, so a retried create never makes a second copy
// and an object someone else changed is never overwritten blindly; the
// server answers 412 and the engine reads the object again. An update
// rewrites only the fields confcal manages and keeps the rest of the
// object: alarms, categories, colours, and the user's notes below the
// notes line.
//
// List is one REPORT calendar-query (RFC 4791 §7.8) that returns every
// event with its ETag and data; a sync with nothing to change writes
// nothing. Objects that cannot be parsed, and events without confcal's
// marker, are reported as foreign and never written to.
//
// Discover finds a user's calendars from the server's root or from
// /.well-known/caldav (RFC 6764): the current-user-principal (RFC 5397),
// its calendar-home-set, then the calendars in it. Discovery uses
// github.com/emersion/go-webdav. Object reads and writes use their own
// requests, because go-webdav's PutCalendarObject cannot send
// If-Match or If-None-Match and its QueryCalendar fails a whole listing on
// one object it cannot parse; the iCalendar data itself goes through
// github.com/emersion/go-ical.
//
// HTTPS certificates are verified unless Options.Insecure is set;
// passwords and tokens never appear in errors.
package caldav

package sync

import (
	"context"
	"time"
)

// Tool is the name confcal writes into the marker of every event it owns.
const Tool = "confcal"

// Schema is the version of the marker and of the managed-field hash.
const Schema = "1"

// Calendar is a remote calendar the engine pushes to. A backend implements
// it with one request per call where it can; the engine rate-limits,
// retries and runs calls concurrently, so implementations must be safe for
// concurrent use and must not retry on their own.
//
// Errors are *Error values (see Kind), so that the engine can tell a
// conflict from a transient fault without knowing the backend.
type Calendar interface {
	// List returns the events that may be confcal's for owner: at least
	// every live event whose marker names owner's source, and every
	// deleted event (tombstone) the backend can still see. It may return
	// other events too (the whole calendar); the engine counts them as
	// foreign and leaves them alone.
	List(ctx context.Context, owner Owner) ([]Remote, error)

	// Get returns the event with id, live or deleted. A missing event
	// is an error of kind NotFound.
	Get(ctx context.Context, id string) (Remote, error)

	// Insert creates the event it.ID. An existing event with that id,
	// even a deleted one, is an error of kind Exists.
	Insert(ctx context.Context, it Item) (Remote, error)

	// Update replaces the managed fields and the marker of base with
	// it's, keeping every other field of base (reminders, colour, the
	// user's notes), on the condition that the event is still at
	// base.Version; otherwise the error is of kind Precondition. A
	// deleted base is brought back.
	Update(ctx context.Context, it Item, base Remote) (Remote, error)

	// Delete removes base on the condition that it is still at
	// base.Version (kind Precondition otherwise). An event already gone
	// is an error of kind NotFound or Gone.
	Delete(ctx context.Context, base Remote) error
}

// Owner says whose events these are: confcal, syncing one programme.
type Owner struct {
	// Source is the programme's stable key (its id).
	Source string `json:"source"`
	// Generation is mixed into every event id; raising it mints fresh
	// ids, for a calendar whose old ids are unusable.
	Generation int `json:"generation"`
}

// Marker is the ownership proof and change record confcal writes into each
// event it owns (Google: private extended properties; CalDAV: X-
// properties).
type Marker struct {
	Tool       string // Tool, or "" on an event without a marker
	Source     string // the programme's key
	UID        string // the session's UID
	Hash       string // Hash of the managed fields last written
	Schema     string
	Generation int
}

// Marker property names, shared by the backends. Keys stay under
// Google's 44-character limit for extended properties.
const (
	KeyTool       = "cc.owner"
	KeySource     = "cc.src"
	KeyUID        = "cc.uid"
	KeyHash       = "cc.hash"
	KeySchema     = "cc.v"
	KeyGeneration = "cc.gen"
)

// Fields are the event fields confcal manages. Everything else on an event
// belongs to the user.
type Fields struct {
	Title       string
	Description string // confcal's text; the user's notes are kept apart
	Location    string
	URL         string

	// Timed events: Start and End in TimeZone (End equals Start when the
	// session has no published end).
	Start, End time.Time
	TimeZone   string

	// All-day events: StartDate and EndDate as YYYY-MM-DD, EndDate
	// exclusive.
	AllDay             bool
	StartDate, EndDate string

	Status string // "confirmed" or "tentative"
	Free   bool   // shown as free time (all-day and cancelled sessions)
}

// Item is one desired event: a chosen session as confcal wants it in the
// calendar.
type Item struct {
	ID        string // EventID of the session
	SessionID string
	Marker    Marker
	Fields    Fields
	// Reminder, when positive, is the reminder a new event gets. It is
	// not a managed field: the user's reminders are kept on update.
	Reminder time.Duration
}

// Remote is one event as a backend read it.
type Remote struct {
	ID      string
	Version string // ETag or equivalent; "" when the backend has none
	Deleted bool   // a tombstone: deleted, its id still taken
	Marker  Marker // zero when the event carries no marker
	Fields  Fields // the managed fields as read (Description without notes)
	Notes   string // the user's notes, kept on update
	// Raw is the backend's own representation, handed back to Update so
	// that fields confcal does not manage survive.
	Raw any
}

// Owns reports whether r passes both proofs of ownership for o: its marker
// names confcal and o's source, and its id is the one derived from that
// marker. A tombstone that lost its marker is not owned.
func (o Owner) Owns(r Remote) bool {
	m := r.Marker
	return m.Tool == Tool && m.Source == o.Source && m.UID != "" &&
		r.ID == EventID(Owner{Source: m.Source, Generation: m.Generation}, m.UID)
}

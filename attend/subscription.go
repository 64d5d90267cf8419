// Package attend keeps attendees' own calendars current: each
// subscription is one attendee's selection of a programme (a feed, or the
// sessions they ticked) pushed into a Google calendar that confcal created
// for them. Every new edition of the programme enqueues a sync for each
// subscription whose events changed; workers run the plans with the push
// engine of package sync (its brakes, ownership marks and deterministic
// ids), within a global and a per-attendee rate limit, and retry with
// backoff. The queue lives in the Store, so that a restart loses no work
// and several servers on one database run each job once.
package attend

import (
	"context"
	"errors"
	"time"

	calsync "github.com/confcal/confcal/sync"
)

// Status is where a subscription stands.
type Status string

// The statuses of a subscription.
const (
	// Active subscriptions are kept current.
	Active Status = "active"
	// Broken subscriptions lost their grant (revoked, expired) or their
	// calendar: no work runs until the attendee reconnects.
	Broken Status = "broken"
	// Stopped subscriptions were stopped by the attendee; the calendar
	// stays theirs, untouched.
	Stopped Status = "stopped"
)

// Subscription is one attendee's push of a selection into a calendar of
// their own.
type Subscription struct {
	// ID is random, and the associated data of the encrypted token, so
	// that a token cannot be moved to another subscription.
	ID        string
	Programme string
	// Selection is what is pushed: "feed=PATH" for a feed of the set
	// (feed=track/science.ics), or an agenda query (session=a,b).
	Selection string
	// Calendar is the id of the calendar confcal created, and
	// CalendarName its name.
	Calendar, CalendarName string
	// Account names the attendee's account, when known, for their
	// manage page.
	Account string
	// Token is the refresh token, encrypted.
	Token []byte
	// ManageHash is the SHA-256 of the secret of the manage link; the
	// secret itself is never stored.
	ManageHash []byte
	Status     Status
	// Reason says why a subscription is broken or stopped.
	Reason  string
	Created time.Time
	// Sync is what the last sync did.
	Sync SyncRecord
}

// SyncRecord is the outcome of a subscription's last sync.
type SyncRecord struct {
	At time.Time
	// Result says what was done ("2 added, 1 changed") or what failed.
	Result string
	OK     bool
	// Desired is the hash of the events last written in full: an edition
	// that leaves it unchanged needs no sync.
	Desired string
	// Journal is the engine's memory of the calendar's tombstones.
	Journal calsync.JournalData
}

// Job is a claimed sync of one subscription.
type Job struct {
	Subscription string
	// Gen counts the times the job was enqueued: Finish removes it only
	// if nobody enqueued it again while it ran.
	Gen int64
	// Attempts counts the failed runs before this one.
	Attempts int
	// Force runs the sync even when the desired events did not change
	// (the attendee's "sync now").
	Force bool
}

// ErrNotFound is returned for a subscription that does not exist.
var ErrNotFound = errors.New("no such subscription")

// Store keeps subscriptions and the queue of their syncs. Every method is
// safe for concurrent use, by several processes too where the store is a
// shared database.
type Store interface {
	Create(ctx context.Context, s *Subscription) error
	Get(ctx context.Context, id string) (*Subscription, error)
	// ByManageHash finds the subscription whose manage secret hashes to
	// hash.
	ByManageHash(ctx context.Context, hash []byte) (*Subscription, error)
	// List returns the subscriptions of a programme, in id order.
	List(ctx context.Context, programme string) ([]*Subscription, error)
	SetSelection(ctx context.Context, id, selection, calendarName string) error
	SetStatus(ctx context.Context, id string, st Status, reason string) error
	// SetToken replaces the encrypted token (a reconnect) and makes the
	// subscription active again.
	SetToken(ctx context.Context, id string, token []byte) error
	RecordSync(ctx context.Context, id string, r SyncRecord) error
	// Delete removes the subscription and its job.
	Delete(ctx context.Context, id string) error

	// Enqueue asks for a sync of subscription id at or after at; a job
	// already pending is moved earlier, never duplicated. force makes it
	// run even if nothing changed.
	Enqueue(ctx context.Context, id string, at time.Time, force bool) error
	// Claim takes the next job due at now that no live lease holds, and
	// leases it until now+lease; nil when there is none.
	Claim(ctx context.Context, now time.Time, lease time.Duration) (*Job, error)
	// Finish removes a job that ran, unless it was enqueued again
	// meanwhile: then it is released to run again.
	Finish(ctx context.Context, j *Job) error
	// Retry releases a job that failed, to run again at at.
	Retry(ctx context.Context, j *Job, at time.Time) error
	// Pending counts the jobs in the queue.
	Pending(ctx context.Context) (int, error)
}

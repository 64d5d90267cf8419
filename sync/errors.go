package sync

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a backend error by what the engine should do about it.
type Kind int

// The kinds of backend errors.
const (
	// Permanent: the request is wrong and retrying will not help.
	Permanent Kind = iota
	// Exists: an insert found the id taken (Google 409, CalDAV 412 on
	// If-None-Match).
	Exists
	// Precondition: the event changed since it was read (HTTP 412).
	Precondition
	// NotFound: no such event (HTTP 404).
	NotFound
	// Gone: the event was deleted, or a sync token expired (HTTP 410).
	Gone
	// Transient: a fault worth retrying (5xx, network errors).
	Transient
	// RateLimited: slow down and retry (429, Google's rate-limit 403s).
	RateLimited
	// Quota: a usage limit that retrying will not lift soon; stop.
	Quota
	// Auth: the credentials are missing, expired or revoked; stop.
	Auth
	// Forbidden: no permission for this calendar or event; stop.
	Forbidden
)

var kindNames = map[Kind]string{
	Permanent: "permanent", Exists: "exists", Precondition: "precondition failed", NotFound: "not found",
	Gone: "gone", Transient: "transient", RateLimited: "rate limited", Quota: "quota exceeded",
	Auth: "not authorised", Forbidden: "forbidden",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Retryable reports whether an error of kind k may succeed when retried.
func (k Kind) Retryable() bool { return k == Transient || k == RateLimited }

// Fatal reports whether an error of kind k must stop the whole run.
func (k Kind) Fatal() bool { return k == Quota || k == Auth || k == Forbidden }

// Error is a classified backend error. Its message must never contain a
// credential.
type Error struct {
	Kind Kind
	Op   string // "list", "insert", ...
	ID   string // the event, if any
	// RetryAfter is how long the server asked us to wait, or 0.
	RetryAfter time.Duration
	// Hint says how to fix it, for Quota, Auth and Forbidden.
	Hint string
	Err  error
}

func (e *Error) Error() string {
	msg := e.Op
	if e.ID != "" {
		msg += " " + e.ID
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	} else {
		msg += ": " + e.Kind.String()
	}
	if e.Hint != "" {
		msg += "\n" + e.Hint
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: the Kind of the first *Error in its
// chain, Transient for a context deadline inside a backend call, and
// Permanent otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Permanent
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// BrakeError is a safety brake that stopped a run before it wrote
// anything.
type BrakeError struct {
	Reason string
}

func (e *BrakeError) Error() string { return e.Reason }

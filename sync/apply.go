package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	stdsync "sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of Options.
const (
	DefaultRate        = 5.0 // calls per second: half of Google's per-user quota
	DefaultWorkers     = 4
	DefaultMaxAttempts = 7
	DefaultBaseDelay   = time.Second
	DefaultMaxDelay    = 32 * time.Second
	maxWorkers         = 16
)

// Options tune an Engine.
type Options struct {
	// Rate is the most calls per second the engine makes (DefaultRate if
	// zero); Burst is how many it may make at once (1 if zero).
	Rate  float64
	Burst int
	// Shared, when set, is a limit every call also waits on: one limiter
	// handed to many engines bounds their calls together (a server
	// syncing many attendees' calendars within one quota).
	Shared *rate.Limiter
	// Workers is how many calls may be in flight at once.
	Workers int
	// MaxAttempts bounds the tries of one call that keeps failing with a
	// retryable error.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the full-jitter exponential backoff.
	BaseDelay, MaxDelay time.Duration
	// Log receives retries and resolutions at debug level; nil discards.
	Log *slog.Logger
	// Sleep waits for d or until ctx ends; nil uses a timer. Tests make
	// it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a random duration in [0, d]; nil uses math/rand.
	Jitter func(d time.Duration) time.Duration
}

// Engine runs calls against a Calendar within a rate limit, with retries.
// Apply is the only code in confcal that writes to a calendar.
type Engine struct {
	cal   Calendar
	opts  Options
	lim   *rate.Limiter
	calls atomic.Int64

	aimd stdsync.Mutex // guards lim's rate changes
	full rate.Limit
}

// New returns an Engine for cal.
func New(cal Calendar, opts Options) *Engine {
	if opts.Rate <= 0 {
		opts.Rate = DefaultRate
	}
	if opts.Burst <= 0 {
		opts.Burst = 1
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	opts.Workers = min(opts.Workers, maxWorkers)
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = DefaultBaseDelay
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Jitter == nil {
		opts.Jitter = func(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(d) + 1)) }
	}
	return &Engine{cal: cal, opts: opts, lim: rate.NewLimiter(rate.Limit(opts.Rate), opts.Burst), full: rate.Limit(opts.Rate)}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Calls returns how many backend calls the engine has made, retries
// included.
func (e *Engine) Calls() int { return int(e.calls.Load()) }

// List reads the calendar's events for owner.
func (e *Engine) List(ctx context.Context, owner Owner) ([]Remote, error) {
	var out []Remote
	err := e.do(ctx, "list", "", func() error {
		var err error
		out, err = e.cal.List(ctx, owner)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the calendar: %w", err)
	}
	return out, nil
}

// wait waits for the engine's own limit, then the shared one.
func (e *Engine) wait(ctx context.Context) error {
	if err := e.lim.Wait(ctx); err != nil {
		return err
	}
	if e.opts.Shared != nil {
		return e.opts.Shared.Wait(ctx)
	}
	return nil
}

// do runs call within the rate limit, retrying retryable errors with
// full-jitter exponential backoff that honours the server's Retry-After.
// Rate-limit errors also halve the rate for the rest of the run, which
// recovers slowly on success.
func (e *Engine) do(ctx context.Context, op, id string, call func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if werr := e.wait(ctx); werr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return werr
		}
		e.calls.Add(1)
		err = call()
		if err == nil {
			e.recover()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k := KindOf(err)
		if !k.Retryable() {
			return err
		}
		if attempt >= e.opts.MaxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		if k == RateLimited {
			e.slowDown()
		}
		delay := e.backoff(attempt, err)
		e.opts.Log.Debug("retrying", "op", op, "id", id, "attempt", attempt, "kind", k.String(), "delay", delay)
		if serr := e.opts.Sleep(ctx, delay); serr != nil {
			return serr
		}
	}
}

func (e *Engine) backoff(attempt int, err error) time.Duration {
	var ce *Error
	if errors.As(err, &ce) && ce.RetryAfter > 0 {
		return min(ce.RetryAfter, 2*e.opts.MaxDelay)
	}
	d := e.opts.BaseDelay << min(attempt-1, 20)
	if d <= 0 || d > e.opts.MaxDelay {
		d = e.opts.MaxDelay
	}
	return e.opts.Jitter(d)
}

func (e *Engine) slowDown() {
	e.aimd.Lock()
	defer e.aimd.Unlock()
	e.lim.SetLimit(max(e.lim.Limit()/2, 0.2))
}

func (e *Engine) recover() {
	if e.lim.Limit() >= e.full {
		return
	}
	e.aimd.Lock()
	defer e.aimd.Unlock()
	e.lim.SetLimit(min(e.lim.Limit()+e.full/20, e.full))
}

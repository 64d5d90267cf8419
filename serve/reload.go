package serve

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

// Settle is how long a programme file must stay quiet before it is read
// again, so that an editor's burst of writes is one reload.
const Settle = 150 * time.Millisecond

// FetchTimeout bounds one fetch of a programme URL.
const FetchTimeout = 30 * time.Second

// Clock is the time a Reloader waits on; tests drive a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// BuildFunc builds the feed set of a programme. The commit function it
// returns, when not nil, is called once the set is served: it keeps the
// history the set was built with (SEQUENCE, cancellations).
type BuildFunc func(ctx context.Context, p *programme.Programme) (set *feed.Set, commit func() error, err error)

// ReloaderOptions tell a Reloader where the programme comes from and how
// to build it.
type ReloaderOptions struct {
	// Name is the programme: a file, "-" for standard input, an http(s)
	// or webcal URL, or source.Builtin.
	Name string
	// Source tunes reading and decoding.
	Source source.Options
	// Build builds each programme read; required.
	Build BuildFunc
	// Poll is how often a URL is fetched again; zero means a minute.
	Poll time.Duration
	// Settle is how long a file must stay quiet before it is read again;
	// zero means Settle.
	Settle time.Duration
	// Client fetches URLs; nil means a client with FetchTimeout.
	Client *http.Client
	// Log receives what happens; nil discards it.
	Log *slog.Logger
	// Clock is waited on; nil means the system's.
	Clock Clock
	// Published, when set, is told of every edition once it is served
	// and its history committed (the attendee sync enqueues its work).
	Published func(ctx context.Context, set *feed.Set)
}

// Reloader loads a programme into a Live, then follows its source: a file
// is watched, a URL polled with conditional requests, and every change
// that decodes and builds replaces the whole edition at once. A change
// that does not is logged with every finding, and the last good edition
// stays served.
type Reloader struct {
	live *Live
	opts ReloaderOptions
	log  *slog.Logger
	poll *poller // set for a URL
	// display names the source in messages.
	display string

	good, bad [sha256.Size]byte // hashes of the last good and the last rejected source
	// pending is a source whose build failed for a reason that may pass
	// (the database unreachable): it is tried again every RetryAfter.
	pending []byte
}

// RetryAfter is how long a Reloader waits before it tries again a build
// that failed with a Retryable error.
const RetryAfter = 5 * time.Second

// Retryable marks err, returned by a BuildFunc, as a failure that may pass
// by itself (a database that is down): the Reloader keeps serving the
// last edition and tries the same source again every RetryAfter.
func Retryable(err error) error { return &retryable{err} }

type retryable struct{ err error }

func (e *retryable) Error() string { return e.err.Error() }
func (e *retryable) Unwrap() error { return e.err }

// NewReloader returns a Reloader that publishes into live.
func NewReloader(live *Live, opts ReloaderOptions) *Reloader {
	if opts.Poll <= 0 {
		opts.Poll = time.Minute
	}
	if opts.Settle <= 0 {
		opts.Settle = Settle
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: FetchTimeout}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rl := &Reloader{live: live, opts: opts, log: log, display: opts.Name}
	if source.IsURL(opts.Name) {
		rl.poll = &poller{url: opts.Name, client: opts.Client}
	}
	return rl
}

// Source names the programme being served, for messages.
func (rl *Reloader) Source() string { return rl.display }

// Load reads, decodes, builds and publishes the programme. It is the first
// load: an error is returned, since there is nothing to fall back on. The
// findings short of errors that the programme raised are returned.
func (rl *Reloader) Load(ctx context.Context) (programme.Diagnostics, error) {
	var data []byte
	var err error
	if rl.poll != nil {
		data, _, err = rl.poll.fetch(ctx)
	} else {
		data, rl.display, err = source.Read(ctx, rl.opts.Name, rl.opts.Source)
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p, diags, err := source.Decode(data, rl.display, rl.opts.Source)
	if err != nil {
		return nil, err
	}
	data = nil // garbage by the time publish collects
	if err := rl.publish(ctx, p); err != nil {
		return nil, err
	}
	rl.good = sum
	return diags, nil
}

// publish builds the feed set of p, swaps it in and commits its history.
func (rl *Reloader) publish(ctx context.Context, p *programme.Programme) error {
	start := time.Now()
	set, commit, err := rl.opts.Build(ctx, p)
	if err != nil {
		return err
	}
	if err := rl.live.Publish(set); err != nil {
		return err
	}
	// A build of a large programme leaves much garbage behind (the
	// decoded source, the previous edition): hand it back now rather
	// than whenever the heap next grows.
	debug.FreeOSMemory()
	if commit != nil {
		if err := commit(); err != nil {
			// The feeds are served; only SEQUENCE history is at risk.
			rl.log.Error("save state", "err", err)
		}
	}
	rl.log.Info("published", "programme", p.ID, "sessions", len(p.Sessions), "feeds", len(set.Feeds),
		"version", rl.live.Version(), "took", time.Since(start).Round(time.Millisecond))
	if rl.opts.Published != nil {
		rl.opts.Published(ctx, set)
	}
	return nil
}

// Reload decodes data and publishes it when it differs from what is
// served, and reports whether a new edition is served. An invalid
// programme is logged with every finding and the current edition stays.
func (rl *Reloader) Reload(ctx context.Context, data []byte) bool {
	sum := sha256.Sum256(data)
	if sum == rl.good || sum == rl.bad {
		return false
	}
	p, diags, err := source.Decode(data, rl.display, rl.opts.Source)
	if err == nil {
		err = rl.publish(ctx, p)
	}
	var retry *retryable
	if errors.As(err, &retry) {
		rl.pending = data
		rl.log.Error("reload failed; still serving the previous programme, trying again", "source", rl.display,
			"err", err, "in", RetryAfter, "version", rl.live.Version())
		return false
	}
	rl.pending = nil
	if err != nil {
		rl.bad = sum
		rl.logFailure(err)
		return false
	}
	for _, d := range diags.Warnings() {
		rl.log.Warn("programme", "finding", d.String())
	}
	rl.good, rl.bad = sum, [sha256.Size]byte{}
	return true
}

func (rl *Reloader) logFailure(err error) {
	var invalid *programme.InvalidError
	if errors.As(err, &invalid) {
		errs := invalid.Diagnostics.Errors()
		for _, d := range errs {
			rl.log.Error("invalid programme", "finding", d.String())
		}
		rl.log.Error("reload failed; still serving the previous programme", "source", rl.display,
			"errors", len(errs), "version", rl.live.Version())
		return
	}
	rl.log.Error("reload failed; still serving the previous programme", "source", rl.display, "err", err,
		"version", rl.live.Version())
}

// Run follows the source until ctx ends: a URL is polled, a file is
// watched, and the built-in example and standard input never change.
func (rl *Reloader) Run(ctx context.Context) {
	switch {
	case rl.poll != nil:
		rl.pollLoop(ctx)
	case rl.opts.Name != source.Builtin && rl.opts.Name != "-":
		if err := rl.watchFile(ctx); err != nil {
			rl.log.Error("watch programme file; changes will not be picked up", "err", err)
		}
	}
}

// watchFile reloads the programme file when it changes. It watches the
// file's directory, not the file: editors that save by writing a
// temporary file and renaming it over the original replace the file the
// watch would be on. Only events that name the file count, and, when the
// file is a symbolic link, events that name the first part of its target
// (deployment tools, Kubernetes among them, swap a "..data" link), so
// that other files written beside it (logs) cost nothing. Once things
// settle the file is read; Reload ignores content it has seen.
func (rl *Reloader) watchFile(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	name := rl.opts.Name
	dir := filepath.Dir(name)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	names := map[string]bool{filepath.Base(name): true}
	if target, err := os.Readlink(name); err == nil && !filepath.IsAbs(target) {
		names[strings.Split(filepath.ToSlash(target), "/")[0]] = true
	}
	rl.log.Debug("watching", "dir", dir)
	// One look right away covers a change made before the watch began.
	due := rl.opts.Clock.After(rl.opts.Settle)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if names[filepath.Base(ev.Name)] {
				rl.log.Debug("file event", "event", ev.String())
				due = rl.opts.Clock.After(rl.opts.Settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			rl.log.Warn("watch", "err", err)
		case <-due:
			due = nil
			data, _, err := source.Read(ctx, name, rl.opts.Source)
			if err != nil {
				// Between a delete and a create; a later event brings it back.
				rl.log.Warn("read programme", "err", err)
				continue
			}
			if rl.Reload(ctx, data); rl.pending != nil {
				due = rl.opts.Clock.After(RetryAfter)
			}
		}
	}
}

func (rl *Reloader) pollLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-rl.opts.Clock.After(rl.opts.Poll):
		}
		if rl.pending != nil {
			rl.Reload(ctx, rl.pending)
		}
		data, changed, err := rl.poll.fetch(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			rl.log.Warn("poll programme; still serving the previous one", "err", err)
		case changed:
			rl.Reload(ctx, data)
		default:
			rl.log.Debug("programme unchanged", "url", rl.poll.url)
		}
	}
}

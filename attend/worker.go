package attend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	stdsync "sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/confcal/confcal/feed"
	calsync "github.com/confcal/confcal/sync"
)

// Defaults of a Worker.
const (
	// DefaultRate is the calls per second of all syncs together; Google
	// grants a project about 10 a second per user and a few thousand a
	// minute in all.
	DefaultRate = 20
	// DefaultUserRate is the calls per second into one attendee's
	// calendar, half of Google's per-user quota.
	DefaultUserRate = 5
	// DefaultWorkers is how many subscriptions sync at once.
	DefaultWorkers = 8
	// DefaultLease is how long a claimed job is a worker's: a worker that
	// dies holding one (kill -9) gives it back when the lease ends. A
	// sync that has not finished by three quarters of it is stopped and
	// retried, so that two workers never run one job at once.
	DefaultLease = time.Minute
	// DefaultPoll is how often an idle worker looks for due jobs (a
	// retry, a job another server enqueued).
	DefaultPoll = 5 * time.Second
	// MaxBackoff bounds the wait before a failed job runs again.
	MaxBackoff = 30 * time.Minute
)

// Connector opens the calendar of a subscription with its token.
type Connector func(ctx context.Context, s *Subscription) (calsync.Calendar, error)

// WorkerOptions configure a Worker.
type WorkerOptions struct {
	Store Store
	// Edition returns the feed set being served; nil while none is.
	Edition func() *feed.Set
	// Connect opens a subscription's calendar.
	Connect Connector
	// Rate and UserRate are calls per second in all and per
	// subscription; Workers the syncs at once; Lease and Poll as their
	// defaults say.
	Rate, UserRate float64
	Workers        int
	Lease, Poll    time.Duration
	// Engine tunes the engine of each sync (retries, sleep); its Rate
	// and Shared are set from Rate and UserRate.
	Engine calsync.Options
	Now    func() time.Time
	Log    *slog.Logger
}

// Worker runs the queue of a Store.
type Worker struct {
	opts   WorkerOptions
	shared *rate.Limiter
	wake   chan struct{}
	log    *slog.Logger

	mu  stdsync.Mutex
	cat struct { // the catalogue of the last edition asked for
		set *feed.Set
		cat *calsync.Catalog
		err error
	}
}

// catalog returns the desired events of every session of set, rendered
// once per edition.
func (w *Worker) catalog(set *feed.Set) (*calsync.Catalog, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cat.set != set {
		w.cat.set = set
		w.cat.cat, w.cat.err = calsync.NewCatalog(set.Programme, calsync.BuildOptions{Lang: set.Lang})
	}
	return w.cat.cat, w.cat.err
}

// NewWorker returns a Worker; Run starts it.
func NewWorker(opts WorkerOptions) *Worker {
	if opts.Rate <= 0 {
		opts.Rate = DefaultRate
	}
	if opts.UserRate <= 0 {
		opts.UserRate = DefaultUserRate
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	burst := max(1, int(opts.Rate))
	return &Worker{opts: opts, shared: rate.NewLimiter(rate.Limit(opts.Rate), burst), wake: make(chan struct{}, 1), log: log}
}

// Notify wakes the workers: a job was enqueued.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works the queue until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	var wg stdsync.WaitGroup
	for range w.opts.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
					w.log.Error("attendee sync queue", "err", err)
				}
				select {
				case <-ctx.Done():
				case <-w.wake:
					w.Notify() // wake the next worker too
				case <-time.After(w.opts.Poll):
				}
			}
		})
	}
	wg.Wait()
}

// Drain runs jobs until none is due, and returns how many it ran.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		job, err := w.opts.Store.Claim(ctx, w.opts.Now(), w.opts.Lease)
		if err != nil || job == nil {
			return n, err
		}
		n++
		jctx, cancel := context.WithTimeout(ctx, w.opts.Lease*3/4)
		err = w.run(jctx, job)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			// Shutting down: give the job back now rather than at the
			// end of its lease.
			_ = w.opts.Store.Retry(context.WithoutCancel(ctx), job, w.opts.Now())
		case err != nil && jctx.Err() != nil:
			// Out of time: the job goes back for another try.
			err = w.opts.Store.Retry(ctx, job, w.opts.Now())
		}
		if err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

// run syncs the subscription of job and settles the job: finished,
// retried later, or dropped with the subscription marked broken.
func (w *Worker) run(ctx context.Context, job *Job) error {
	st := w.opts.Store
	s, err := st.Get(ctx, job.Subscription)
	if errors.Is(err, ErrNotFound) {
		return st.Finish(ctx, job)
	}
	if err != nil {
		return err
	}
	if s.Status != Active {
		return st.Finish(ctx, job)
	}
	rec, err := w.Sync(ctx, s, job.Force)
	switch {
	case err == nil:
		return st.Finish(ctx, job)
	case ctx.Err() != nil:
		return ctx.Err()
	case Revoked(err):
		w.log.Warn("attendee sync: access lost", "subscription", s.ID, "err", err)
		if err := st.SetStatus(ctx, s.ID, Broken, "Google refused the access you gave: reconnect to resume the sync."); err != nil {
			return err
		}
		return st.Finish(ctx, job)
	case retryable(err):
		at := w.opts.Now().Add(backoff(job.Attempts))
		w.log.Warn("attendee sync failed; retrying", "subscription", s.ID, "attempt", job.Attempts+1, "at", at, "err", err)
		return st.Retry(ctx, job, at)
	default:
		w.log.Error("attendee sync failed", "subscription", s.ID, "err", err, "result", rec.Result)
		return st.Finish(ctx, job)
	}
}

// Sync makes s's calendar hold its selection of the current edition, and
// records what it did. Unless force, a selection whose events did not
// change since the last sync costs no request at all.
func (w *Worker) Sync(ctx context.Context, s *Subscription, force bool) (SyncRecord, error) {
	set := w.opts.Edition()
	if set == nil {
		return SyncRecord{}, &retryError{errors.New("no edition of the programme is served yet")}
	}
	rec := SyncRecord{At: w.opts.Now().UTC(), Journal: s.Sync.Journal, Desired: s.Sync.Desired}
	fail := func(err error) (SyncRecord, error) {
		rec.OK, rec.Result = false, err.Error()
		if rerr := w.opts.Store.RecordSync(ctx, s.ID, rec); rerr != nil && ctx.Err() == nil {
			w.log.Error("attendee sync: record the result", "subscription", s.ID, "err", rerr)
		}
		return rec, err
	}
	c, err := ResolveStored(set, s.Selection)
	if err != nil {
		return fail(fmt.Errorf("the selection no longer fits the programme: %w", err))
	}
	cat, err := w.catalog(set)
	if err != nil {
		return fail(err)
	}
	hash := Hash(cat, c)
	if hash == s.Sync.Desired && !force {
		return s.Sync, nil
	}
	cal, err := w.opts.Connect(ctx, s)
	if err != nil {
		return fail(err)
	}
	res, journal, err := w.apply(ctx, cal, cat.Desired(c.Sessions), s.Sync.Journal)
	rec.Journal = journal
	if err != nil {
		return fail(err)
	}
	rec.OK, rec.Result, rec.Desired = true, summary(res), hash
	return rec, w.opts.Store.RecordSync(ctx, s.ID, rec)
}

// apply plans and applies one sync of want into cal.
func (w *Worker) apply(ctx context.Context, cal calsync.Calendar, want calsync.Desired, jd calsync.JournalData) (*calsync.Result, calsync.JournalData, error) {
	eopts := w.opts.Engine
	eopts.Rate, eopts.Shared = w.opts.UserRate, w.shared
	eng := calsync.New(cal, eopts)
	have, err := eng.List(ctx, want.Owner)
	if err != nil {
		return nil, jd, err
	}
	journal := calsync.NewJournal(jd)
	journal.Observe(want.Owner, have)
	plan := calsync.Diff(want, have, calsync.DiffOptions{Now: w.opts.Now(), Journal: journal})
	if err := plan.Check(calsync.BrakeOptions{}); err != nil {
		return nil, journal.Data(), fmt.Errorf("stopped before writing anything: %w", err)
	}
	journal.NotePlan(plan)
	res, err := eng.Apply(ctx, plan, calsync.ApplyOptions{Journal: journal})
	return res, journal.Data(), err
}

// summary says what a sync did, in a few words.
func summary(res *calsync.Result) string {
	var added, changed, removed int
	for _, o := range res.Outcomes {
		if o.Status != calsync.Done {
			continue
		}
		switch o.Action {
		case calsync.Add:
			added++
		case calsync.Change:
			changed++
		case calsync.Remove:
			removed++
		}
	}
	if added+changed+removed == 0 {
		return "up to date"
	}
	return fmt.Sprintf("%d added, %d changed, %d removed", added, changed, removed)
}

// OnEdition enqueues a sync of every active subscription of set's
// programme whose events changed, and wakes the workers. A subscription
// whose selection no longer fits is enqueued too, so that its attendee's
// page says why.
func (w *Worker) OnEdition(ctx context.Context, set *feed.Set) (int, error) {
	subs, err := w.opts.Store.List(ctx, set.Programme.ID)
	if err != nil {
		return 0, err
	}
	cat, err := w.catalog(set)
	if err != nil {
		return 0, err
	}
	now, n := w.opts.Now(), 0
	for _, s := range subs {
		if s.Status != Active {
			continue
		}
		if c, err := ResolveStored(set, s.Selection); err == nil {
			if Hash(cat, c) == s.Sync.Desired {
				continue
			}
		}
		if err := w.opts.Store.Enqueue(ctx, s.ID, now, false); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		w.Notify()
	}
	return n, nil
}

// Revoked reports whether err says the attendee's grant is gone: Google
// answered invalid_grant to a refresh, or refused the credentials.
func Revoked(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode == "invalid_grant" || re.Response != nil && re.Response.StatusCode == 401
	}
	return calsync.IsKind(err, calsync.Auth)
}

type retryError struct{ err error }

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// retryable reports whether a failed sync may succeed later by itself.
func retryable(err error) bool {
	var re *retryError
	if errors.As(err, &re) {
		return true
	}
	k := calsync.KindOf(err)
	return k.Retryable() || k == calsync.Quota
}

// backoff is the wait before the attempt after n failed ones: full
// jitter on 30 s doubling, within MaxBackoff.
func backoff(n int) time.Duration {
	d := 30 * time.Second << min(n, 10)
	d = min(d, MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

package sync

import (
	"context"
	"errors"
	"fmt"
	stdsync "sync"
)

// Status is how a step of a plan ended.
type Status string

// The statuses of an Outcome.
const (
	Done    Status = "done"
	Skipped Status = "skipped" // nothing to do after all, or left alone by rule
	Failed  Status = "failed"
	NotRun  Status = "not run" // the run stopped first
)

// Outcome is how one writing step of a plan ended.
type Outcome struct {
	Action Action `json:"action"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Result is what Apply did.
type Result struct {
	Outcomes []Outcome `json:"outcomes"`
	Done     int       `json:"done"`
	Skipped  int       `json:"skipped"`
	Failed   int       `json:"failed"`
	NotRun   int       `json:"not_run"`
	Calls    int       `json:"calls"`
	Error    string    `json:"error,omitempty"`
}

// ApplyOptions are the per-run choices of Apply.
type ApplyOptions struct {
	// RestoreDeleted brings back events the user deleted.
	RestoreDeleted bool
	// Journal records who deleted what; nil records nothing.
	Journal *Journal
	// Progress, when set, is called after each writing step.
	Progress func(done, total int)
}

// Apply carries out the writing steps of plan: removals first, then
// additions, then changes, each phase on the worker pool. Every write is
// conditional (an id that must be free, or a version that must match), so
// a retry never duplicates and a concurrent edit is never overwritten
// blindly. A fatal error (quota, authorisation) stops the run; the steps
// not yet started are reported as not run. The error is non-nil when any
// step failed.
func (e *Engine) Apply(ctx context.Context, plan *Plan, opts ApplyOptions) (*Result, error) {
	var phases [3][]int
	for i, s := range plan.Steps {
		switch s.Action {
		case Remove:
			phases[0] = append(phases[0], i)
		case Add:
			phases[1] = append(phases[1], i)
		case Change:
			phases[2] = append(phases[2], i)
		}
	}
	total := len(phases[0]) + len(phases[1]) + len(phases[2])
	outcomes := make([]*Outcome, len(plan.Steps))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    stdsync.Mutex
		done  int
		fatal error
	)
	finish := func(i int, o Outcome, err error) {
		mu.Lock()
		defer mu.Unlock()
		outcomes[i] = &o
		done++
		if err != nil && KindOf(err).Fatal() && fatal == nil {
			fatal = err
			cancel()
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	for _, phase := range phases {
		work := make(chan int)
		var wg stdsync.WaitGroup
		for range min(e.opts.Workers, max(len(phase), 1)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					o, err := e.step(runCtx, plan.Owner, plan.Steps[i], opts)
					finish(i, o, err)
				}
			}()
		}
	feed:
		for _, i := range phase {
			select {
			case work <- i:
			case <-runCtx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
		if runCtx.Err() != nil {
			break
		}
	}
	res := tally(plan, outcomes)
	res.Calls = e.Calls()
	var err error
	switch {
	case fatal != nil:
		err = fmt.Errorf("stopped after %d of %d changes: %w", res.Done+res.Skipped+res.Failed, total, fatal)
	case ctx.Err() != nil:
		err = fmt.Errorf("stopped after %d of %d changes: %w", res.Done+res.Skipped+res.Failed, total, ctx.Err())
	case res.Failed > 0:
		err = fmt.Errorf("%d of %d changes failed", res.Failed, total)
	}
	if err != nil {
		res.Error = err.Error()
	}
	return res, err
}

// tally lists the outcome of every step of plan that writes, in plan
// order (NotRun for those never started), and counts them.
func tally(plan *Plan, outcomes []*Outcome) *Result {
	res := &Result{}
	for i, s := range plan.Steps {
		if !s.Writes() {
			continue
		}
		o := outcomes[i]
		if o == nil {
			o = &Outcome{Action: s.Action, ID: s.ID, Title: s.Title, Status: NotRun}
		}
		res.Outcomes = append(res.Outcomes, *o)
		switch o.Status {
		case Done:
			res.Done++
		case Skipped:
			res.Skipped++
		case Failed:
			res.Failed++
		case NotRun:
			res.NotRun++
		}
	}
	return res
}

// step carries out one step and says how it ended.
func (e *Engine) step(ctx context.Context, owner Owner, s Step, opts ApplyOptions) (Outcome, error) {
	o := Outcome{Action: s.Action, ID: s.ID, Title: s.Title}
	var detail string
	var err error
	switch s.Action {
	case Remove:
		detail, err = e.remove(ctx, owner, *s.Remote, opts)
	case Add:
		if s.Restore && s.Remote != nil {
			detail, err = e.update(ctx, owner, *s.Item, *s.Remote, true, opts)
		} else {
			detail, err = e.insert(ctx, owner, *s.Item, opts)
		}
	case Change:
		detail, err = e.update(ctx, owner, *s.Item, *s.Remote, false, opts)
	}
	var skip *skipError
	switch {
	case err == nil:
		o.Status, o.Detail = Done, detail
	case errors.As(err, &skip):
		o.Status, o.Detail = Skipped, skip.why
		err = nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		o.Status = NotRun
	default:
		o.Status, o.Detail = Failed, err.Error()
	}
	return o, err
}

// skipError ends a step without a write, for a reason found on the way.
type skipError struct{ why string }

func (e *skipError) Error() string { return e.why }

func (e *Engine) remove(ctx context.Context, owner Owner, r Remote, opts ApplyOptions) (string, error) {
	opts.Journal.NoteRemoving(r.ID)
	for try := 0; ; try++ {
		err := e.do(ctx, "delete", r.ID, func() error { return e.cal.Delete(ctx, r) })
		switch {
		case err == nil:
			return "", nil
		case IsKind(err, NotFound) || IsKind(err, Gone):
			return "already gone", nil
		case !IsKind(err, Precondition) || try > 0:
			return "", err
		}
		// Changed since it was read: read it again, and remove it only if
		// it is still confcal's.
		fresh, gerr := e.get(ctx, r.ID)
		switch {
		case IsKind(gerr, NotFound) || gerr == nil && fresh.Deleted:
			return "already gone", nil
		case gerr != nil:
			return "", gerr
		case !owner.Owns(fresh):
			return "", &skipError{"no longer confcal's; left alone"}
		}
		r = fresh
	}
}

func (e *Engine) get(ctx context.Context, id string) (Remote, error) {
	var r Remote
	err := e.do(ctx, "get", id, func() error {
		var err error
		r, err = e.cal.Get(ctx, id)
		return err
	})
	return r, err
}

func (e *Engine) insert(ctx context.Context, owner Owner, it Item, opts ApplyOptions) (string, error) {
	err := e.do(ctx, "insert", it.ID, func() error {
		_, err := e.cal.Insert(ctx, it)
		return err
	})
	if err == nil {
		opts.Journal.NoteLive(it.ID)
		return "", nil
	}
	if !IsKind(err, Exists) {
		return "", err
	}
	// The id is taken: by our own earlier write whose answer was lost, by a
	// tombstone, or by someone else's event. Read it to know which.
	e.opts.Log.Debug("insert found the id taken; reading it", "id", it.ID)
	return e.resolve(ctx, owner, it, opts, 0)
}

// resolve decides what to do about the existing event it.ID.
func (e *Engine) resolve(ctx context.Context, owner Owner, it Item, opts ApplyOptions, depth int) (string, error) {
	cur, err := e.get(ctx, it.ID)
	if err != nil {
		return "", err
	}
	switch {
	case cur.Deleted && cur.Marker.Tool != "" && !owner.Owns(cur):
		return "", &Error{Kind: Permanent, Op: "insert", ID: it.ID, Err: errors.New("the id belongs to a deleted event confcal does not own; left alone")}
	case cur.Deleted && (opts.RestoreDeleted || opts.Journal.RemovedByUs(it.ID)):
		if depth > 0 {
			return "", &Error{Kind: Precondition, Op: "restore", ID: it.ID, Err: errors.New("the event keeps changing; run again")}
		}
		return e.update(ctx, owner, it, cur, true, opts)
	case cur.Deleted:
		opts.Journal.NoteUserDeleted(it.ID)
		return "", &skipError{"deleted in the calendar (--restore-deleted brings it back)"}
	case !owner.Owns(cur):
		return "", &Error{Kind: Permanent, Op: "insert", ID: it.ID, Err: errors.New("the id is held by an event confcal does not own; left alone")}
	case cur.Marker.Hash == it.Marker.Hash:
		opts.Journal.NoteLive(it.ID)
		return "already there", nil
	case depth > 0:
		return "", &Error{Kind: Precondition, Op: "update", ID: it.ID, Err: errors.New("the event keeps changing; run again")}
	default:
		return e.update(ctx, owner, it, cur, false, opts)
	}
}

// update writes it over base (restore: base is a tombstone to bring back).
// On a version mismatch it reads the event again and tries once more.
func (e *Engine) update(ctx context.Context, owner Owner, it Item, base Remote, restore bool, opts ApplyOptions) (string, error) {
	if !restore && !owner.Owns(base) {
		return "", &skipError{"not confcal's; left alone"}
	}
	err := e.do(ctx, "update", it.ID, func() error {
		_, err := e.cal.Update(ctx, it, base)
		return err
	})
	switch {
	case err == nil:
		opts.Journal.NoteLive(it.ID)
		if restore {
			return "restored", nil
		}
		return "", nil
	case IsKind(err, NotFound):
		if restore {
			return e.insert(ctx, owner, it, opts)
		}
		return "", &skipError{"deleted in the calendar meanwhile"}
	case IsKind(err, Gone):
		opts.Journal.NoteUserDeleted(it.ID)
		return "", &skipError{"deleted in the calendar meanwhile"}
	case IsKind(err, Precondition):
		e.opts.Log.Debug("event changed since it was read; reading it again", "id", it.ID)
		cur, gerr := e.get(ctx, it.ID)
		switch {
		case IsKind(gerr, NotFound):
			if restore {
				return e.insert(ctx, owner, it, opts)
			}
			return "", &skipError{"deleted in the calendar meanwhile"}
		case gerr != nil:
			return "", gerr
		case cur.Deleted && !restore:
			opts.Journal.NoteUserDeleted(it.ID)
			return "", &skipError{"deleted in the calendar meanwhile"}
		case !cur.Deleted && !owner.Owns(cur):
			return "", &Error{Kind: Permanent, Op: "update", ID: it.ID, Err: errors.New("the event is no longer confcal's; left alone")}
		case !cur.Deleted && cur.Marker.Hash == it.Marker.Hash:
			opts.Journal.NoteLive(it.ID)
			return "already up to date", nil
		}
		err = e.do(ctx, "update", it.ID, func() error {
			_, err := e.cal.Update(ctx, it, cur)
			return err
		})
		if err != nil {
			return "", err
		}
		opts.Journal.NoteLive(it.ID)
		return "", nil
	default:
		return "", err
	}
}

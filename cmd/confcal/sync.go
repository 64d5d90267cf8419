package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
)

// syncOptions are the flags every sync backend shares.
type syncOptions struct {
	sel              *selectionFlags
	all              bool
	removeAll        bool
	dryRun           bool
	json             bool
	detailedExitcode bool
	force            bool
	restoreDeleted   bool
	prunePast        bool
	noProgress       bool
	offline          bool
	// service names the calendar service for people: "Google Calendar".
	service string
}

// syncTarget is a calendar a backend opened for one run.
type syncTarget struct {
	// Cal is the calendar to sync into.
	Cal calsync.Calendar
	// Label names it for people, e.g. `Google Calendar "Summit" (c123@group...)`.
	Label string
	// Journal is what earlier runs recorded for this calendar.
	Journal *calsync.Journal
	// Save persists the journal; it is called before and after applying.
	Save func(*calsync.Journal) error
}

// syncBackend opens the calendar a sync writes to. A dry run must not
// write anything, not even a new calendar.
type syncBackend interface {
	open(ctx context.Context, p *programme.Programme, dryRun bool) (*syncTarget, error)
}

// syncHelp is the part of every sync command's help that explains the
// plan and the safety rules.
const syncHelp = `The plan lists every chosen session and every event confcal owns in the
calendar, one line each, sorted by time, terraform style:

  + add      the session is not in the calendar yet
  ~ change   the session changed in the programme: its event is updated in
             place; the reminders, colour and notes the user set are kept
  - remove   the session left the programme or the selection, or was
             cancelled (with --cancelled remove, the default)
    keep     nothing to do, and why: up to date, deleted in the calendar by
             the user, past, or held by an event confcal does not own

Safety rules: confcal only ever changes events that carry its own mark for
this programme and whose id it derived itself; everything else in the
calendar is left alone. A run stops before writing when the programme fails
to load, when nothing is chosen while confcal has events in the calendar,
or when it would remove more than max(5, 25%) of confcal's events (--force
overrides the last two). Past events are not removed unless --prune-past.
Events the user deleted stay deleted unless --restore-deleted. A run that
fails or is interrupted can simply be run again: it continues where it
stopped and never creates duplicates. --remove-all --force removes every
event confcal owns for the programme, and nothing else.

--dry-run --offline prints the plan against an empty calendar: it needs no
sign-in, no password and no network, and shows what a first run would add.

Exit status: 0 on success, 1 on error, 2 with --detailed-exitcode when the
plan had changes (with --dry-run: changes are pending).`

// addSyncFlags adds the shared flags to cmd.
func addSyncFlags(cmd *cobra.Command, opts *syncOptions) {
	opts.sel = addSelectionFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&opts.all, "all", false, "sync every session of the programme")
	f.BoolVar(&opts.removeAll, "remove-all", false, "choose nothing: remove every event confcal owns for this programme (needs --force)")
	f.BoolVarP(&opts.dryRun, "dry-run", "n", false, "print the plan and change nothing")
	f.BoolVar(&opts.offline, "offline", false, "with --dry-run: plan against an empty calendar, with no sign-in and no request")
	f.BoolVar(&opts.json, "json", false, "print the plan and the result as JSON")
	f.BoolVar(&opts.detailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	f.BoolVar(&opts.force, "force", false, "release the brakes: allow removing many or all of confcal's events")
	f.BoolVar(&opts.restoreDeleted, "restore-deleted", false, "bring back events the user deleted in the calendar")
	f.BoolVar(&opts.prunePast, "prune-past", false, "also remove past events of sessions no longer chosen")
	f.BoolVar(&opts.noProgress, "no-progress", false, "show no progress bar")
	config.Flag(f, "sync.rate", "at most `N` requests per second")
	config.Flag(f, "sync.workers", "at most `N` requests at once (1 to 16)")
	config.Flag(f, "sync.cancelled", "what becomes of cancelled sessions, `MODE` 'remove' (their events) or 'mark' (a title prefix, shown as free)")
	config.Flag(f, "lang", "write events in `LANG` (default: the programme's first language)")
	config.Flag(f, "alarm", "give each new timed event a reminder `DURATION` before it, e.g. 10m (the user's reminders are kept)")
}

func newSyncCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Push chosen sessions into a calendar",
		Long: `Sync pushes chosen sessions into a calendar and keeps them up to date: a room
change reaches the phone in seconds, not after the 8 to 24 hours a calendar
subscription takes. Each run computes a plan, prints it and applies it.

` + syncHelp,
		Example: `  confcal sync google --track summit --dry-run
  confcal sync google --agenda my-agenda.yaml`,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(acceptProgramme(newSyncGoogleCmd(a)), acceptProgramme(newSyncCaldavCmd(a)))
	return cmd
}

// syncRun is one run of a sync: the chosen sessions as desired events,
// the calendar they go to, and the plan between them.
type syncRun struct {
	a       *app
	opts    *syncOptions
	p       *programme.Programme
	want    calsync.Desired
	target  *syncTarget
	eng     *calsync.Engine // nil when offline
	journal *calsync.Journal
	plan    *calsync.Plan
	report  calsync.Report
}

// runSync is the whole of a sync, for any backend: load the programme and
// the selection, build the desired events, read the calendar, plan, print,
// check the brakes, apply, report.
func runSync(ctx context.Context, a *app, opts *syncOptions, backend syncBackend) error {
	sel, err := checkSync(a, opts)
	if err != nil {
		return err
	}
	r := &syncRun{a: a, opts: opts}
	if err := r.desire(ctx, sel); err != nil {
		return err
	}
	if err := r.open(ctx, backend); err != nil {
		return err
	}
	if err := r.makePlan(ctx); err != nil {
		return err
	}
	brake := r.plan.Check(calsync.BrakeOptions{Force: opts.force})
	if !opts.json {
		c := a.cfg.Config
		fmt.Fprintf(a.stdout, "Syncing %d session%s of %q into %s\n", len(r.want.Items), plural(len(r.want.Items)),
			r.p.Name.In(c.Lang, r.p.Languages...), r.target.Label)
		if err := calsync.Render(a.stdout, r.plan, calsync.RenderOptions{Location: r.p.Location}); err != nil {
			return err
		}
	}
	a.warnConflicts(r.plan)
	if opts.dryRun || brake != nil || !r.plan.Pending() {
		return r.stop(brake)
	}
	return r.apply(ctx)
}

// checkSync checks the options of a sync and returns its selection.
func checkSync(a *app, opts *syncOptions) (programme.Selection, error) {
	if _, err := opts.sel.applyAgenda(a); err != nil {
		return programme.Selection{}, err
	}
	c := a.cfg.Config
	switch {
	case c.Sync.Rate <= 0:
		return programme.Selection{}, usagef("--rate must be a positive number of requests per second")
	case c.Sync.Workers < 1 || c.Sync.Workers > 16:
		return programme.Selection{}, usagef("--workers must be between 1 and 16")
	case c.Sync.Cancelled != calsync.CancelledRemove && c.Sync.Cancelled != calsync.CancelledMark:
		return programme.Selection{}, usagef("--cancelled must be 'remove' or 'mark', not %q", c.Sync.Cancelled)
	case opts.offline && !opts.dryRun:
		return programme.Selection{}, usagef("--offline needs --dry-run: a sync that writes must read the calendar first")
	}
	sel, err := opts.sel.selection()
	if err != nil {
		return programme.Selection{}, err
	}
	switch {
	case opts.all && opts.removeAll:
		return sel, usagef("--all and --remove-all exclude each other")
	case (opts.all || opts.removeAll) && !sel.IsZero():
		return sel, usagef("--all and --remove-all take no selection flags or --agenda")
	case sel.IsZero() && !opts.all && !opts.removeAll:
		return sel, usagef("choose the sessions to sync: selection flags (--track, --day, --session, ...), --agenda FILE, or --all")
	}
	return sel, nil
}

// desire loads the programme and builds the events the chosen sessions
// should be.
func (r *syncRun) desire(ctx context.Context, sel programme.Selection) error {
	a, opts, c := r.a, r.opts, r.a.cfg.Config
	started := time.Now()
	p, err := a.loadProgramme(ctx)
	if err != nil {
		return fmt.Errorf("%w\nnothing was changed: confcal does not sync a programme it cannot read", err)
	}
	a.log.Debug("loaded the programme", "sessions", len(p.Sessions), "took", time.Since(started))
	sessions := p.Sessions
	switch {
	case opts.removeAll:
		sessions = nil
	case !opts.all:
		if sessions, err = opts.sel.choose(p, sel); err != nil {
			return err
		}
	}
	bopts := calsync.BuildOptions{Lang: c.Lang, Cancelled: c.Sync.Cancelled}
	if c.Alarm > 0 {
		bopts.Alarm = c.Alarm
	}
	r.p = p
	r.want, err = calsync.Build(p, sessions, bopts)
	return err
}

// open opens the calendar of the backend; offline, it stands for an empty
// calendar, and nothing is opened, read or saved.
func (r *syncRun) open(ctx context.Context, backend syncBackend) error {
	if r.opts.offline {
		r.target = &syncTarget{Label: fmt.Sprintf("an empty calendar (--offline: %s was not read; a real run also keeps or changes what is there)", r.opts.service)}
		return nil
	}
	target, err := backend.open(ctx, r.p, r.opts.dryRun)
	if err != nil {
		return err
	}
	c := r.a.cfg.Config.Sync
	r.target = target
	r.eng = calsync.New(target.Cal, calsync.Options{Rate: c.Rate, Workers: c.Workers, Log: r.a.log})
	return nil
}

// makePlan reads the calendar, unless offline, and plans the changes.
func (r *syncRun) makePlan(ctx context.Context) error {
	var have []calsync.Remote
	if r.eng != nil {
		started := time.Now()
		var err error
		if have, err = r.eng.List(ctx, r.want.Owner); err != nil {
			return err
		}
		r.a.log.Debug("read the calendar", "events", len(have), "took", time.Since(started))
	}
	r.journal = r.target.Journal
	if r.journal == nil {
		r.journal = calsync.NewJournal(calsync.JournalData{})
	}
	r.journal.Observe(r.want.Owner, have)
	r.plan = calsync.Diff(r.want, have, calsync.DiffOptions{Now: r.a.now(), PrunePast: r.opts.prunePast,
		RestoreDeleted: r.opts.restoreDeleted, Journal: r.journal})
	r.report = calsync.Report{Calendar: r.target.Label, DryRun: r.opts.dryRun, Plan: r.plan}
	return nil
}

// stop ends a run that applies nothing: a dry run, a plan the brakes
// stop, or nothing to do.
func (r *syncRun) stop(brake error) error {
	a, opts := r.a, r.opts
	if brake != nil {
		r.report.Error = brake.Error()
	}
	if opts.json {
		if err := calsync.RenderJSON(a.stdout, r.report); err != nil {
			return err
		}
	}
	switch {
	case brake != nil && !opts.dryRun:
		return fmt.Errorf("stopped before writing anything: %w", brake)
	case brake != nil:
		fmt.Fprintf(a.stderr, "confcal: warning: applying this plan would stop: %v\n", brake)
	}
	if !opts.dryRun && r.target.Save != nil {
		if err := r.target.Save(r.journal); err != nil {
			return err
		}
	}
	if opts.detailedExitcode && r.plan.Pending() {
		return &silentError{code: exitReported}
	}
	return nil
}

// apply makes the changes of the plan and reports them.
func (r *syncRun) apply(ctx context.Context) error {
	a, opts, target := r.a, r.opts, r.target
	// Record the removals before making them, so that a run killed
	// half-way still knows which tombstones are confcal's.
	r.journal.NotePlan(r.plan)
	if target.Save != nil {
		if err := target.Save(r.journal); err != nil {
			return err
		}
	}
	started := time.Now()
	progress := a.progressBar(opts)
	res, applyErr := r.eng.Apply(ctx, r.plan, calsync.ApplyOptions{RestoreDeleted: opts.restoreDeleted, Journal: r.journal, Progress: progress.update})
	progress.done()
	a.log.Debug("applied the plan", "calls", r.eng.Calls(), "took", time.Since(started))
	if target.Save != nil {
		if err := target.Save(r.journal); err != nil && applyErr == nil {
			applyErr = err
		}
	}
	r.report.Result = res
	if opts.json {
		if err := calsync.RenderJSON(a.stdout, r.report); err != nil {
			return err
		}
	} else if err := calsync.RenderResult(a.stdout, res); err != nil {
		return err
	}
	if applyErr != nil {
		if errors.Is(applyErr, context.Canceled) {
			return fmt.Errorf("%w; run the same command again to finish", applyErr)
		}
		return applyErr
	}
	if opts.detailedExitcode {
		return &silentError{code: exitReported}
	}
	return nil
}

// warnConflicts reports sessions whose event id is held by an event
// confcal does not own.
func (a *app) warnConflicts(plan *calsync.Plan) {
	if a.quiet {
		return
	}
	for _, s := range plan.Conflicts() {
		fmt.Fprintf(a.stderr, "confcal: warning: %q: %s (event id %s)\n", s.Title, s.Reason, s.ID)
	}
}

// progressBar is a one-line progress bar on a terminal's standard error;
// elsewhere it prints nothing.
type progressBar struct {
	w     io.Writer
	shown bool
	last  time.Time
}

func (a *app) progressBar(opts *syncOptions) *progressBar {
	if opts.noProgress || opts.json || a.quiet || !isTerminal(a.stderr) {
		return &progressBar{}
	}
	return &progressBar{w: a.stderr}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) update(done, total int) {
	if b.w == nil || total < 10 {
		return
	}
	if done < total && time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	const width = 30
	fill := width * done / total
	fmt.Fprintf(b.w, "\rapplying [%s%s] %d/%d", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total)
	b.shown = true
}

func (b *progressBar) done() {
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// feedFlags are the flags of every command that writes calendars.
type feedFlags struct {
	noCancelledPrefix bool
}

func addFeedFlags(cmd *cobra.Command, ff *feedFlags) {
	f := cmd.Flags()
	config.Flag(f, "lang", "write feeds in `LANG` (default: the programme's first language)")
	config.Flag(f, "alarm", "add a reminder `DURATION` before each timed session, e.g. 10m (default: none)")
	config.Flag(f, "state", "state `FILE` (or a directory to keep state.json in) that keeps SEQUENCE and cancellations between builds (default: $XDG_STATE_HOME/confcal/<programme>/state.json)")
	config.Flag(f, "stateless", "use no state: SEQUENCE 0, timestamps from the programme's 'updated'")
	f.BoolVar(&ff.noCancelledPrefix, "no-cancelled-prefix", false, "do not prefix the titles of cancelled sessions")
}

// history opens the state store and reconciles p with it. The store is
// returned for saving once the output is safely written; it is nil for a
// stateless build.
func (a *app) history(p *programme.Programme) (*feed.History, *feed.Store, error) {
	c := a.cfg.Config
	if c.Stateless {
		return feed.Stateless(p), nil, nil
	}
	path, err := a.stateFile(p.ID)
	if err != nil {
		return nil, nil, err
	}
	store, err := feed.OpenStore(path, p.ID)
	if err != nil {
		return nil, nil, err
	}
	h, err := store.Reconcile(p, a.now())
	if err != nil {
		return nil, nil, err
	}
	a.log.Debug("state", "path", path)
	return h, store, nil
}

// stateFile returns the state file of programme id: --state, a file
// state.json inside it when it is a directory, or the default place.
func (a *app) stateFile(id string) (string, error) {
	path := a.cfg.Config.State
	if path == "" {
		return a.statePath(id, "state.json")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return filepath.Join(path, "state.json"), nil
	}
	return path, nil
}

// buildSet builds the complete feed set of p with the configured options.
func (a *app) buildSet(p *programme.Programme, ff *feedFlags) (*feed.Set, *feed.Store, error) {
	if err := a.checkFeedOptions(p); err != nil {
		return nil, nil, err
	}
	h, store, err := a.history(p)
	if err != nil {
		return nil, nil, err
	}
	set, err := a.buildWith(p, ff, h)
	return set, store, err
}

// checkFeedOptions checks the options of a build against p.
func (a *app) checkFeedOptions(p *programme.Programme) error {
	c := a.cfg.Config
	if c.Alarm < 0 {
		return usagef("--alarm must not be negative")
	}
	if c.Lang != "" && len(p.Languages) > 0 && !slices.Contains(p.Languages, c.Lang) {
		a.log.Warn(fmt.Sprintf("the programme has no %q text; falling back to %s", c.Lang, p.Languages[0]))
	}
	return nil
}

// buildWith builds the feed set of p with history h.
func (a *app) buildWith(p *programme.Programme, ff *feedFlags, h *feed.History) (*feed.Set, error) {
	c := a.cfg.Config
	start := time.Now()
	set, err := feed.Build(p, feed.Options{Lang: c.Lang, Alarm: c.Alarm, BaseURL: c.BaseURL, History: h,
		NoCancelledPrefix: ff.noCancelledPrefix})
	if err != nil {
		return nil, err
	}
	a.log.Debug("built feed set", "feeds", len(set.Feeds), "events", len(set.Events), "took", time.Since(start))
	return set, nil
}

// collectSooner has the garbage collector run at 50 % heap growth rather
// than 100 %, unless GOGC says otherwise. A feed set's heap is mostly the
// set itself, long-lived, and building or answering allocates garbage
// around it: collecting sooner keeps memory close to the set at little
// cost (10,000 sessions: under 150 MB instead of over 200).
func (a *app) collectSooner() {
	if _, ok := a.env("GOGC"); !ok {
		debug.SetGCPercent(50)
	}
}

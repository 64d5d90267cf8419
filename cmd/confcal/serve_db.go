package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/serve"
	"github.com/confcal/confcal/store"
)

// serveDB is the database of confcal serve: --database, or a SQLite file
// in the state directory named after the programme, opened on the first
// build. It keeps the feed history unless --state or --stateless say
// otherwise, and the attendee sync's subscriptions.
type serveDB struct {
	a       *app
	log     *slog.Logger
	history bool

	mu sync.Mutex
	db *store.DB
}

func (a *app) newServeDB(log *slog.Logger) *serveDB {
	c := a.cfg.Config
	return &serveDB{a: a, log: log, history: !c.Stateless && c.State == ""}
}

// open opens the database of programme id, brings its schema up to date
// and, for the default SQLite file, takes in the history of the state
// file an older confcal serve kept, so that no SEQUENCE starts again.
func (sd *serveDB) open(ctx context.Context, id string) (*store.DB, error) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.db != nil {
		return sd.db, nil
	}
	name := sd.a.cfg.Config.Database
	def := name == ""
	if def {
		var err error
		if name, err = sd.a.statePath(id, "confcal.db"); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if def && sd.history {
		if err := sd.importOld(ctx, db, id); err != nil {
			db.Close()
			return nil, err
		}
	}
	sd.log.Info("database", "name", db.Name())
	sd.db = db
	return db, nil
}

// importOld imports the default state file into a database that has no
// history yet.
func (sd *serveDB) importOld(ctx context.Context, db *store.DB, id string) error {
	if v, err := db.Version(ctx, id); err != nil || v > 0 {
		return err
	}
	path, err := sd.a.statePath(id, "state.json")
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	_, n, err := db.Import(ctx, path, sd.a.now())
	if err != nil {
		return fmt.Errorf("import the history of %s: %w", path, err)
	}
	sd.log.Info("imported the history of the state file into the database", "state", path, "sessions", n, "database", db.Name())
	return nil
}

// build builds an edition, its history recorded in the database in one
// transaction before it is served; a database that cannot be reached is
// a failure the reloader tries again.
func (sd *serveDB) build(ctx context.Context, p *programme.Programme, ff *feedFlags) (*feed.Set, func() error, error) {
	a := sd.a
	if !sd.history {
		set, st, err := a.buildSet(p, ff)
		if err != nil || st == nil {
			return set, nil, err
		}
		return set, st.Save, nil
	}
	if err := a.checkFeedOptions(p); err != nil {
		return nil, nil, err
	}
	db, err := sd.open(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	h, err := db.Reconcile(ctx, p, a.now())
	if errors.Is(err, store.ErrUnavailable) {
		return nil, nil, serve.Retryable(err)
	}
	if err != nil {
		return nil, nil, err
	}
	set, err := a.buildWith(p, ff, h)
	return set, nil, err
}

func (sd *serveDB) close() {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.db != nil {
		sd.db.Close()
	}
}

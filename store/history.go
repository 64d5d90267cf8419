package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// ErrUnavailable wraps a failure to reach the database: worth retrying.
var ErrUnavailable = errors.New("the database is unavailable")

// snapshot is a programme's history as one read found it.
type snapshot struct {
	store   *feed.Store
	version int64 // -1 when the programme has no row yet
}

// load reads the whole history of programme id in one query.
func (db *DB) load(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, id string) (*snapshot, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT p.version, h.key, h.entry FROM feed_programmes p
		LEFT JOIN feed_history h ON h.programme = p.id WHERE p.id = $1`), id)
	if err != nil {
		return nil, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	defer rows.Close()
	snap := &snapshot{store: feed.NewStore(id), version: -1}
	for rows.Next() {
		var key, entry sql.NullString
		if err := rows.Scan(&snap.version, &key, &entry); err != nil {
			return nil, fmt.Errorf("database %s: %w", db.name, err)
		}
		if key.Valid {
			if err := snap.store.SetEntry(key.String, []byte(entry.String)); err != nil {
				return nil, fmt.Errorf("database %s: %w", db.name, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	return snap, nil
}

// Reconcile records the edition p in the history, as of now, and returns
// the history its feeds are built with: as feed.Store.Reconcile does, in
// one transaction. An edition that changes nothing costs one read: of
// the history's version when this server holds the history of that
// version, else of the whole history. Two
// servers recording the same edition at once record it once: the second
// finds the first's history and nothing to change, so both serve the
// same bytes.
func (db *DB) Reconcile(ctx context.Context, p *programme.Programme, now time.Time) (*feed.History, error) {
	snap, err := db.snapshot(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		h, err := snap.store.Reconcile(p, now)
		if err != nil {
			db.forget(p.ID)
			return nil, err
		}
		changes, err := snap.store.Changes()
		if err != nil {
			db.forget(p.ID)
			return nil, err
		}
		if len(changes) == 0 && snap.version >= 0 {
			db.keep(p.ID, snap)
			return h, nil
		}
		ok, err := db.record(ctx, p.ID, snap.version, changes, now)
		if err != nil {
			db.forget(p.ID)
			return nil, err
		}
		if ok {
			db.keep(p.ID, &snapshot{store: snap.store, version: max(snap.version, 0) + 1})
			return h, nil
		}
		// Another server recorded an edition since the read: start
		// again from what it recorded.
		if attempt == 5 {
			db.forget(p.ID)
			return nil, fmt.Errorf("database %s: the history of %s keeps changing under this server", db.name, p.ID)
		}
		if snap, err = db.load(ctx, db.sql, p.ID); err != nil {
			db.forget(p.ID)
			return nil, err
		}
	}
}

// snapshot returns the history of programme id: the one this server
// read or wrote last when the database is still at its version (a read
// of one number), else a read of the whole history. It is the caller's
// until it keeps it again.
func (db *DB) snapshot(ctx context.Context, id string) (*snapshot, error) {
	db.mu.Lock()
	cached := db.cache[id]
	delete(db.cache, id) // Reconcile changes it: put back once consistent
	db.mu.Unlock()
	if cached != nil {
		var v int64
		err := db.sql.QueryRowContext(ctx, db.q(`SELECT version FROM feed_programmes WHERE id = $1`), id).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
		}
		if err == nil && v == cached.version {
			return cached, nil
		}
	}
	return db.load(ctx, db.sql, id)
}

func (db *DB) keep(id string, s *snapshot) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.cache == nil {
		db.cache = map[string]*snapshot{}
	}
	db.cache[id] = s
}

func (db *DB) forget(id string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	delete(db.cache, id)
}

// record writes the changed entries in one transaction, if the history
// is still at version; it reports false when another server moved it.
func (db *DB) record(ctx context.Context, id string, version int64, changes map[string][]byte, now time.Time) (bool, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO feed_programmes (id, version, updated) VALUES ($1, 0, 0)
		ON CONFLICT (id) DO NOTHING`), id); err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	lock := ""
	if db.d == attend.Postgres {
		lock = " FOR UPDATE"
	}
	var current int64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT version FROM feed_programmes WHERE id = $1`+lock), id).Scan(&current); err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	if current != max(version, 0) {
		return false, nil
	}
	stmt, err := tx.PrepareContext(ctx, db.q(`INSERT INTO feed_history (programme, key, entry) VALUES ($1, $2, $3)
		ON CONFLICT (programme, key) DO UPDATE SET entry = excluded.entry`))
	if err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	defer stmt.Close()
	for k, e := range changes {
		if _, err := stmt.ExecContext(ctx, id, k, string(e)); err != nil {
			return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE feed_programmes SET version = version + 1, updated = $2 WHERE id = $1`),
		id, now.UTC().UnixMicro()); err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("%w: database %s: %v", ErrUnavailable, db.name, err)
	}
	return true, nil
}

// Version returns how many editions changed the history of programme id
// (0 when none was recorded).
func (db *DB) Version(ctx context.Context, id string) (int64, error) {
	var v int64
	err := db.sql.QueryRowContext(ctx, db.q(`SELECT version FROM feed_programmes WHERE id = $1`), id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// Import moves the history of a state file into the database: entries
// the database lacks, and those of a higher SEQUENCE, so that no
// subscriber sees a SEQUENCE go backwards. It returns the programme and
// how many entries it took.
func (db *DB) Import(ctx context.Context, path string, now time.Time) (string, int, error) {
	file, err := feed.ReadStore(path)
	if err != nil {
		return "", 0, err
	}
	id := file.Programme()
	for range 5 {
		snap, err := db.load(ctx, db.sql, id)
		if err != nil {
			return id, 0, err
		}
		n := snap.store.Merge(file)
		changes, err := snap.store.Changes()
		if err != nil || n == 0 {
			return id, 0, err
		}
		ok, err := db.record(ctx, id, snap.version, changes, now)
		if err != nil || ok {
			return id, n, err
		}
	}
	return id, 0, fmt.Errorf("database %s: the history of %s keeps changing", db.name, id)
}

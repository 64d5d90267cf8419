package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/confcal/confcal/attend"
)

// Migration is one versioned change of the schema, embedded in the binary.
type Migration struct {
	Version int
	Name    string
	// Statements returns the SQL of the change for one engine.
	Statements func(d attend.Dialect) []string
}

// Migrations are the schema's changes, in order. A version, once
// released, never changes: a new change is a new version.
var Migrations = []Migration{
	{1, "feed history", func(attend.Dialect) []string {
		return []string{
			`CREATE TABLE feed_programmes (
				id TEXT PRIMARY KEY,
				version BIGINT NOT NULL,
				updated BIGINT NOT NULL)`,
			`CREATE TABLE feed_history (
				programme TEXT NOT NULL,
				key TEXT NOT NULL,
				entry TEXT NOT NULL,
				PRIMARY KEY (programme, key))`,
		}
	}},
	{2, "attendee subscriptions and their queue", attend.Schema},
}

// migrationLock is the PostgreSQL advisory lock of migrations: two
// servers starting together migrate one after the other.
const migrationLock = 7165803212

// Applied is a migration as the database records it.
type Applied struct {
	Version int
	Name    string
	At      time.Time // zero when pending
}

// Migrate applies the migrations the database lacks, each in a
// transaction of its own, with the lock that makes replicas starting at
// once wait for each other. A database of a newer confcal is refused.
func (db *DB) Migrate(ctx context.Context) error {
	for _, m := range Migrations {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("database %s: migration %d (%s): %w", db.name, m.Version, m.Name, err)
		}
	}
	latest := Migrations[len(Migrations)-1].Version
	var top sql.NullInt64
	if err := db.sql.QueryRowContext(ctx, `SELECT MAX(version) FROM confcal_schema`).Scan(&top); err != nil {
		return fmt.Errorf("database %s: %w", db.name, err)
	}
	if top.Int64 > int64(latest) {
		return fmt.Errorf("database %s has schema version %d, newer than this confcal's %d: run a newer confcal", db.name, top.Int64, latest)
	}
	return nil
}

func (db *DB) apply(ctx context.Context, m Migration) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.lockSchema(ctx, tx); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM confcal_schema WHERE version = $1`), m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil // applied, maybe by another server a moment ago
	}
	for _, stmt := range m.Statements(db.d) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO confcal_schema (version, name, applied) VALUES ($1, $2, $3)`),
		m.Version, m.Name, time.Now().UTC().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// lockSchema takes the migration lock in tx and makes the table of
// applied migrations if it is missing.
func (db *DB) lockSchema(ctx context.Context, tx *sql.Tx) error {
	if db.d == attend.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS confcal_schema (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`)
	return err
}

// Status lists every migration, applied or pending.
func (db *DB) Status(ctx context.Context) ([]Applied, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := db.lockSchema(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	at := map[int]time.Time{}
	rows, err := db.sql.QueryContext(ctx, `SELECT version, applied FROM confcal_schema ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var us int64
		if err := rows.Scan(&v, &us); err != nil {
			return nil, err
		}
		at[v] = time.UnixMicro(us).UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Applied, 0, len(Migrations))
	for _, m := range Migrations {
		out = append(out, Applied{Version: m.Version, Name: m.Name, At: at[m.Version]})
	}
	return out, nil
}

// Package store is the database of confcal serve: the feed history behind
// SEQUENCE, LAST-MODIFIED and kept cancellations, and the attendee sync's
// subscriptions and queue. It runs on SQLite, one file on one machine,
// the embedded default, or on PostgreSQL, which several servers share:
// they then record one history and serve identical bytes.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib"       // database/sql's "pgx"
	_ "github.com/ncruces/go-sqlite3/driver" // database/sql's "sqlite3"

	"github.com/confcal/confcal/attend"
)

// DB is an open confcal database.
type DB struct {
	sql *sql.DB
	d   attend.Dialect
	// name is the database as messages name it: a file, or a URL
	// without its password.
	name string

	mu    sync.Mutex
	cache map[string]*snapshot // by programme: the history last read or written
}

// IsURL reports whether s names a PostgreSQL database
// (postgres://, postgresql://) rather than a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns a database URL without its password, for messages.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open opens the database that name names, a postgres:// URL or a SQLite
// file (made, with its directory, if missing), and checks that it
// answers; Migrate brings its schema up to date. An unreachable database
// is an error that names it, never with its password.
func Open(ctx context.Context, name string) (*DB, error) {
	db := &DB{name: name}
	var err error
	if IsURL(name) {
		db.d, db.name = attend.Postgres, Redact(name)
		db.sql, err = sql.Open("pgx", name)
	} else {
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
			return nil, fmt.Errorf("database %s: %w", name, err)
		}
		db.d = attend.SQLite
		db.sql, err = sql.Open("sqlite3", "file:"+name+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	}
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", db.name, err)
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("database %s is unreachable: %w", db.name, redactErr(err, name))
	}
	return db, nil
}

// redactErr keeps a password that a driver's message may quote out of it.
func redactErr(err error, name string) error {
	u, perr := url.Parse(name)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, has := u.User.Password(); has && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Name names the database for messages: a file, or a URL without its
// password.
func (db *DB) Name() string { return db.name }

// SQL returns the database/sql handle.
func (db *DB) SQL() *sql.DB { return db.sql }

// Dialect returns the engine.
func (db *DB) Dialect() attend.Dialect { return db.d }

// Attendees returns the attendee sync's store in the database.
func (db *DB) Attendees() *attend.SQLStore { return attend.NewSQLStore(db.sql, db.d) }

// q writes a query of $N placeholders in the engine's own.
func (db *DB) q(query string) string {
	if db.d == attend.SQLite {
		return placeholder.Replace(query)
	}
	return query
}

// placeholder turns $1..$9 into SQLite's ?1..?9, which keep their
// numbers whatever order they appear in.
var placeholder = strings.NewReplacer("$1", "?1", "$2", "?2", "$3", "?3", "$4", "?4", "$5", "?5",
	"$6", "?6", "$7", "?7", "$8", "?8", "$9", "?9")

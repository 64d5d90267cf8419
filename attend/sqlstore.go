package attend

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	calsync "github.com/confcal/confcal/sync"
)

// Dialect is the SQL of a database engine.
type Dialect int

// The engines a SQL store runs on.
const (
	SQLite Dialect = iota
	Postgres
)

// Schema returns the statements that create the attendee tables, in
// order, for one engine. The server's migrations run them once.
func Schema(d Dialect) []string {
	blob := "BLOB"
	if d == Postgres {
		blob = "BYTEA"
	}
	return []string{
		`CREATE TABLE attend_subscriptions (
			id TEXT PRIMARY KEY,
			programme TEXT NOT NULL,
			selection TEXT NOT NULL,
			calendar TEXT NOT NULL,
			calendar_name TEXT NOT NULL,
			account TEXT NOT NULL,
			token ` + blob + ` NOT NULL,
			manage_hash ` + blob + ` NOT NULL UNIQUE,
			status TEXT NOT NULL,
			reason TEXT NOT NULL,
			created BIGINT NOT NULL,
			sync_at BIGINT NOT NULL,
			sync_ok INTEGER NOT NULL,
			sync_result TEXT NOT NULL,
			sync_desired TEXT NOT NULL,
			sync_journal TEXT NOT NULL)`,
		`CREATE INDEX attend_subscriptions_programme ON attend_subscriptions (programme, id)`,
		`CREATE TABLE attend_jobs (
			subscription TEXT PRIMARY KEY,
			gen BIGINT NOT NULL,
			run_at BIGINT NOT NULL,
			leased_until BIGINT NOT NULL,
			attempts INTEGER NOT NULL,
			forced INTEGER NOT NULL)`,
		`CREATE INDEX attend_jobs_due ON attend_jobs (run_at, subscription)`,
	}
}

// SQLStore is a Store in a SQL database: SQLite on one machine,
// PostgreSQL for several servers. Claim takes a job with FOR UPDATE SKIP
// LOCKED on PostgreSQL, so that two servers never run one job at once;
// SQLite has one writer at a time. Times are stored as Unix microseconds.
type SQLStore struct {
	db *sql.DB
	d  Dialect
}

// NewSQLStore returns the Store in db, whose tables Schema made.
func NewSQLStore(db *sql.DB, d Dialect) *SQLStore { return &SQLStore{db: db, d: d} }

// DB returns the database the store is in.
func (st *SQLStore) DB() *sql.DB { return st.db }

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// q writes a query of $N placeholders in the engine's own: SQLite's ?N
// keeps the numbers whatever the order they appear in.
func (st *SQLStore) q(query string) string {
	if st.d == SQLite {
		return placeholder.ReplaceAllString(query, "?$1")
	}
	return query
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const subColumns = `id, programme, selection, calendar, calendar_name, account, token, manage_hash, status, reason,
	created, sync_at, sync_ok, sync_result, sync_desired, sync_journal`

// Create implements Store.
func (st *SQLStore) Create(ctx context.Context, s *Subscription) error {
	journal, err := json.Marshal(s.Sync.Journal)
	if err != nil {
		return err
	}
	if len(s.ManageHash) == 0 {
		return fmt.Errorf("create a subscription: no manage hash")
	}
	token := s.Token
	if token == nil {
		token = []byte{} // NOT NULL on PostgreSQL
	}
	_, err = st.db.ExecContext(ctx, st.q(`INSERT INTO attend_subscriptions (`+subColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`),
		s.ID, s.Programme, s.Selection, s.Calendar, s.CalendarName, s.Account, token, s.ManageHash, string(s.Status), s.Reason,
		micros(s.Created), micros(s.Sync.At), boolInt(s.Sync.OK), s.Sync.Result, s.Sync.Desired, string(journal))
	if err != nil {
		return fmt.Errorf("create a subscription: %w", err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSub(row scanner) (*Subscription, error) {
	var s Subscription
	var status, journal string
	var created, syncAt int64
	var ok int
	err := row.Scan(&s.ID, &s.Programme, &s.Selection, &s.Calendar, &s.CalendarName, &s.Account, &s.Token, &s.ManageHash,
		&status, &s.Reason, &created, &syncAt, &ok, &s.Sync.Result, &s.Sync.Desired, &journal)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s.Status, s.Created, s.Sync.At, s.Sync.OK = Status(status), fromMicros(created), fromMicros(syncAt), ok != 0
	if err := json.Unmarshal([]byte(journal), &s.Sync.Journal); err != nil {
		s.Sync.Journal = calsync.JournalData{} // a damaged journal only forgets tombstones
	}
	return &s, nil
}

// Get implements Store.
func (st *SQLStore) Get(ctx context.Context, id string) (*Subscription, error) {
	return scanSub(st.db.QueryRowContext(ctx, st.q(`SELECT `+subColumns+` FROM attend_subscriptions WHERE id = $1`), id))
}

// ByManageHash implements Store.
func (st *SQLStore) ByManageHash(ctx context.Context, hash []byte) (*Subscription, error) {
	if len(hash) == 0 {
		return nil, ErrNotFound
	}
	return scanSub(st.db.QueryRowContext(ctx, st.q(`SELECT `+subColumns+` FROM attend_subscriptions WHERE manage_hash = $1`), hash))
}

// List implements Store.
func (st *SQLStore) List(ctx context.Context, programme string) ([]*Subscription, error) {
	rows, err := st.db.QueryContext(ctx, st.q(`SELECT `+subColumns+` FROM attend_subscriptions WHERE programme = $1 ORDER BY id`), programme)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Subscription
	for rows.Next() {
		s, err := scanSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// exec runs one statement that must change the row of a subscription.
func (st *SQLStore) exec(ctx context.Context, query string, args ...any) error {
	res, err := st.db.ExecContext(ctx, st.q(query), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetSelection implements Store.
func (st *SQLStore) SetSelection(ctx context.Context, id, selection, name string) error {
	return st.exec(ctx, `UPDATE attend_subscriptions SET selection = $2, calendar_name = $3 WHERE id = $1`, id, selection, name)
}

// SetStatus implements Store.
func (st *SQLStore) SetStatus(ctx context.Context, id string, s Status, reason string) error {
	return st.exec(ctx, `UPDATE attend_subscriptions SET status = $2, reason = $3 WHERE id = $1`, id, string(s), reason)
}

// SetToken implements Store.
func (st *SQLStore) SetToken(ctx context.Context, id string, token []byte) error {
	return st.exec(ctx, `UPDATE attend_subscriptions SET token = $2, status = $3, reason = '' WHERE id = $1`, id, token, string(Active))
}

// RecordSync implements Store.
func (st *SQLStore) RecordSync(ctx context.Context, id string, r SyncRecord) error {
	journal, err := json.Marshal(r.Journal)
	if err != nil {
		return err
	}
	return st.exec(ctx, `UPDATE attend_subscriptions SET sync_at = $2, sync_ok = $3, sync_result = $4, sync_desired = $5, sync_journal = $6 WHERE id = $1`,
		id, micros(r.At), boolInt(r.OK), r.Result, r.Desired, string(journal))
}

// Delete implements Store: the job and the subscription, in one
// transaction.
func (st *SQLStore) Delete(ctx context.Context, id string) error {
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, st.q(`DELETE FROM attend_jobs WHERE subscription = $1`), id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, st.q(`DELETE FROM attend_subscriptions WHERE id = $1`), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return tx.Commit()
}

// Enqueue implements Store: one statement, so that servers enqueueing
// the same job at once make one job.
func (st *SQLStore) Enqueue(ctx context.Context, id string, at time.Time, force bool) error {
	return st.exec(ctx, `INSERT INTO attend_jobs (subscription, gen, run_at, leased_until, attempts, forced)
		SELECT id, 1, $2, 0, 0, $3 FROM attend_subscriptions WHERE id = $1
		ON CONFLICT (subscription) DO UPDATE SET gen = attend_jobs.gen + 1,
			run_at = CASE WHEN excluded.run_at < attend_jobs.run_at THEN excluded.run_at ELSE attend_jobs.run_at END,
			forced = CASE WHEN excluded.forced > attend_jobs.forced THEN excluded.forced ELSE attend_jobs.forced END`,
		id, micros(at), boolInt(force))
}

// Claim implements Store.
func (st *SQLStore) Claim(ctx context.Context, now time.Time, lease time.Duration) (*Job, error) {
	lock := ""
	if st.d == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	var force int
	err := st.db.QueryRowContext(ctx, st.q(`UPDATE attend_jobs SET leased_until = $2
		WHERE subscription = (SELECT subscription FROM attend_jobs WHERE run_at <= $1 AND leased_until <= $1
			ORDER BY run_at, subscription LIMIT 1`+lock+`)
		RETURNING subscription, gen, attempts, forced`), micros(now), micros(now.Add(lease))).
		Scan(&j.Subscription, &j.Gen, &j.Attempts, &force)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim a job: %w", err)
	}
	j.Force = force != 0
	return &j, nil
}

// Finish implements Store.
func (st *SQLStore) Finish(ctx context.Context, j *Job) error {
	res, err := st.db.ExecContext(ctx, st.q(`DELETE FROM attend_jobs WHERE subscription = $1 AND gen = $2`), j.Subscription, j.Gen)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	// Enqueued again while it ran: release it.
	_, err = st.db.ExecContext(ctx, st.q(`UPDATE attend_jobs SET leased_until = 0, attempts = 0 WHERE subscription = $1`), j.Subscription)
	return err
}

// Retry implements Store.
func (st *SQLStore) Retry(ctx context.Context, j *Job, at time.Time) error {
	_, err := st.db.ExecContext(ctx, st.q(`UPDATE attend_jobs SET leased_until = 0, attempts = $2,
		run_at = CASE WHEN gen = $3 OR $4 < run_at THEN $4 ELSE run_at END WHERE subscription = $1`),
		j.Subscription, j.Attempts+1, j.Gen, micros(at))
	return err
}

// Pending implements Store.
func (st *SQLStore) Pending(ctx context.Context) (int, error) {
	var n int
	err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM attend_jobs`).Scan(&n)
	return n, err
}

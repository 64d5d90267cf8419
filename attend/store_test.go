package attend_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/internal/pgtest"
	calsync "github.com/confcal/confcal/sync"
)

// openSQLite returns a SQLStore in a new SQLite file.
func openSQLite(t *testing.T) *attend.SQLStore {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "attend.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, stmt := range attend.Schema(attend.SQLite) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return attend.NewSQLStore(db, attend.SQLite)
}

// openPostgres returns a function that opens a SQLStore in a new
// database of one private PostgreSQL server, started on first use.
func openPostgres(t *testing.T) func(t *testing.T) attend.Store {
	var srv *pgtest.Server
	return func(sub *testing.T) attend.Store {
		if srv == nil {
			srv = pgtest.Start(t)
		}
		db := srv.Open()
		for _, stmt := range attend.Schema(attend.Postgres) {
			if _, err := db.Exec(stmt); err != nil {
				sub.Fatal(err)
			}
		}
		return attend.NewSQLStore(db, attend.Postgres)
	}
}

// TestStores runs every Store through the same checks.
func TestStores(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) attend.Store{
		"memory":   func(*testing.T) attend.Store { return attend.NewMemory() },
		"sqlite":   func(t *testing.T) attend.Store { return openSQLite(t) },
		"postgres": openPostgres(t),
	} {
		t.Run(name, func(t *testing.T) {
			t.Run("subscriptions", func(t *testing.T) { testSubscriptions(t, open(t)) })
			t.Run("queue", func(t *testing.T) { testQueue(t, open(t)) })
			t.Run("claims", func(t *testing.T) { testConcurrentClaims(t, open(t)) })
		})
	}
}

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func sub(id string) *attend.Subscription {
	return &attend.Subscription{ID: id, Programme: "conf", Selection: "session=a", Calendar: "cal-" + id, CalendarName: "Conf",
		Token: []byte("sealed " + id), ManageHash: []byte("hash " + id), Status: attend.Active, Created: t0}
}

func testSubscriptions(t *testing.T, st attend.Store) {
	ctx := context.Background()
	for _, id := range []string{"b", "a"} {
		if err := st.Create(ctx, sub(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Create(ctx, sub("a")); err == nil {
		t.Error("a second subscription with the same id")
	}
	got, err := st.ByManageHash(ctx, []byte("hash a"))
	if err != nil || got.ID != "a" || !bytes.Equal(got.Token, []byte("sealed a")) || !got.Created.Equal(t0) || got.Status != attend.Active {
		t.Fatalf("by manage hash: %+v, %v", got, err)
	}
	if _, err := st.ByManageHash(ctx, []byte("hash z")); !errors.Is(err, attend.ErrNotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	rec := attend.SyncRecord{At: t0.Add(time.Minute), OK: true, Result: "1 added", Desired: "h1",
		Journal: calsync.JournalData{}}
	if err := st.RecordSync(ctx, "a", rec); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSelection(ctx, "a", "feed=all.ics", "Everything"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetStatus(ctx, "b", attend.Broken, "revoked"); err != nil {
		t.Fatal(err)
	}
	list, err := st.List(ctx, "conf")
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" {
		t.Fatalf("list: %v, %v", list, err)
	}
	a, b := list[0], list[1]
	if a.Selection != "feed=all.ics" || a.CalendarName != "Everything" || !a.Sync.At.Equal(rec.At) || !a.Sync.OK || a.Sync.Desired != "h1" {
		t.Errorf("a after updates: %+v", a)
	}
	if b.Status != attend.Broken || b.Reason != "revoked" {
		t.Errorf("b: %s %q", b.Status, b.Reason)
	}
	if err := st.SetToken(ctx, "b", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.Get(ctx, "b"); b.Status != attend.Active || string(b.Token) != "new" || b.Reason != "" {
		t.Errorf("after a reconnect: %+v", b)
	}
	if err := st.SetStatus(ctx, "zz", attend.Stopped, ""); !errors.Is(err, attend.ErrNotFound) {
		t.Errorf("update of an unknown subscription: %v", err)
	}
	st.Enqueue(ctx, "a", t0, false)
	if err := st.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "a"); !errors.Is(err, attend.ErrNotFound) {
		t.Errorf("a deleted subscription is still there: %v", err)
	}
	if n, _ := st.Pending(ctx); n != 0 {
		t.Errorf("a deleted subscription left %d jobs", n)
	}
}

func testQueue(t *testing.T, st attend.Store) {
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := st.Create(ctx, sub(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Enqueue(ctx, "zz", t0, false); !errors.Is(err, attend.ErrNotFound) {
		t.Errorf("enqueue for an unknown subscription: %v", err)
	}
	st.Enqueue(ctx, "b", t0.Add(time.Minute), false)
	st.Enqueue(ctx, "a", t0.Add(2*time.Minute), false)
	st.Enqueue(ctx, "a", t0.Add(30*time.Second), true) // moves a earlier, never duplicates
	if n, _ := st.Pending(ctx); n != 2 {
		t.Fatalf("%d jobs, want 2", n)
	}
	if j, _ := st.Claim(ctx, t0, time.Minute); j != nil {
		t.Fatalf("claimed %+v before it was due", j)
	}
	a, err := st.Claim(ctx, t0.Add(time.Minute), time.Minute)
	if err != nil || a == nil || a.Subscription != "a" || !a.Force {
		t.Fatalf("first due: %+v, %v", a, err)
	}
	b, _ := st.Claim(ctx, t0.Add(time.Minute), time.Minute)
	if b == nil || b.Subscription != "b" || b.Force {
		t.Fatalf("second due: %+v", b)
	}
	if j, _ := st.Claim(ctx, t0.Add(time.Minute), time.Minute); j != nil {
		t.Fatalf("a leased job was claimed again: %+v", j)
	}
	// b fails: it comes back at the time given, with one more attempt.
	st.Retry(ctx, b, t0.Add(10*time.Minute))
	// a is enqueued again while it runs: finishing it releases it.
	st.Enqueue(ctx, "a", t0.Add(time.Minute), false)
	st.Finish(ctx, a)
	again, _ := st.Claim(ctx, t0.Add(time.Minute), time.Minute)
	if again == nil || again.Subscription != "a" {
		t.Fatalf("the job enqueued while running: %+v", again)
	}
	st.Finish(ctx, again)
	if j, _ := st.Claim(ctx, t0.Add(5*time.Minute), time.Minute); j != nil {
		t.Fatalf("claimed %+v during b's backoff", j)
	}
	b2, _ := st.Claim(ctx, t0.Add(10*time.Minute), time.Minute)
	if b2 == nil || b2.Subscription != "b" || b2.Attempts != 1 {
		t.Fatalf("b after its backoff: %+v", b2)
	}
	// The lease of a worker that died runs out: the job comes back.
	if j, _ := st.Claim(ctx, t0.Add(12*time.Minute), time.Minute); j == nil || j.Subscription != "b" {
		t.Fatalf("a job whose lease ended: %+v", j)
	}
	if n, _ := st.Pending(ctx); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

// Many workers claiming at once each get a different job, and every job
// is claimed once.
func testConcurrentClaims(t *testing.T, st attend.Store) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		id := string(rune('A'+i/26)) + string(rune('a'+i%26))
		if err := st.Create(ctx, sub(id)); err != nil {
			t.Fatal(err)
		}
		st.Enqueue(ctx, id, t0, false)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				j, err := st.Claim(ctx, t0, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				seen[j.Subscription]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d jobs claimed, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("job %s claimed %d times", id, c)
		}
	}
}

package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/internal/pgtest"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/store"
)

// engines opens fresh databases of each engine: SQLite always, and
// PostgreSQL when installed.
func engines(t *testing.T) map[string]func(t *testing.T) string {
	var srv *pgtest.Server
	return map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "confcal.db") },
		"postgres": func(sub *testing.T) string {
			if srv == nil {
				srv = pgtest.Start(t)
			}
			return srv.NewDatabase()
		},
	}
}

func open(t *testing.T, name string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestEngines(t *testing.T) {
	for name, fresh := range engines(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("migrations", func(t *testing.T) { testMigrations(t, fresh(t)) })
			t.Run("history", func(t *testing.T) { testHistory(t, fresh(t)) })
			t.Run("replicas", func(t *testing.T) { testReplicas(t, fresh(t)) })
			t.Run("import", func(t *testing.T) { testImport(t, fresh(t)) })
		})
	}
}

func testMigrations(t *testing.T, name string) {
	ctx := context.Background()
	db, err := store.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil || len(st) != len(store.Migrations) || !st[0].At.IsZero() {
		t.Fatalf("status of a new database: %+v, %v", st, err)
	}
	// Servers starting together migrate once, without error.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			other, err := store.Open(ctx, name)
			if err == nil {
				err = other.Migrate(ctx)
				other.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	st, _ = db.Status(ctx)
	for _, m := range st {
		if m.At.IsZero() {
			t.Errorf("migration %d pending after Migrate", m.Version)
		}
	}
}

var (
	t1 = time.Date(2025, 2, 1, 8, 0, 0, 0, time.UTC)
	t2 = t1.Add(time.Hour)
	t3 = t2.Add(time.Hour)
)

var edited = strings.Replace(feedtest.ServerProgramme, "title: Opening", "title: Grand opening", 1)

// fileBuild builds src with the JSON state file at path, as confcal build.
func fileBuild(t *testing.T, path, src string, now time.Time) []byte {
	p := feedtest.Decode(t, src)
	s, err := feed.OpenStore(path, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Reconcile(p, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return build(t, p, h)
}

func build(t *testing.T, p *programme.Programme, h *feed.History) []byte {
	set, err := feed.Build(p, feed.Options{History: h})
	if err != nil {
		t.Fatal(err)
	}
	return set.Feed("all").Bytes()
}

func dbBuild(t *testing.T, db *store.DB, src string, now time.Time) []byte {
	p := feedtest.Decode(t, src)
	h, err := db.Reconcile(context.Background(), p, now)
	if err != nil {
		t.Fatal(err)
	}
	return build(t, p, h)
}

// The database keeps the same history as the state file: the same
// editions at the same times make the same bytes.
func testHistory(t *testing.T, name string) {
	db := open(t, name)
	file := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()
	for i, ed := range []struct {
		src         string
		now         time.Time
		wantVersion int64
	}{
		{feedtest.ServerProgramme, t1, 1},
		{feedtest.ServerProgramme, t2, 1}, // unchanged: nothing written
		{edited, t2, 2},
		{feedtest.ServerProgramme, t3, 3},
	} {
		want := fileBuild(t, file, ed.src, ed.now)
		got := dbBuild(t, db, ed.src, ed.now)
		if !bytes.Equal(got, want) {
			t.Errorf("edition %d: the database's feed differs from the state file's", i+1)
		}
		if v, err := db.Version(ctx, "conf"); err != nil || v != ed.wantVersion {
			t.Errorf("edition %d: version %d, want %d (%v)", i+1, v, ed.wantVersion, err)
		}
	}
	if all := dbBuild(t, db, feedtest.ServerProgramme, t3); !bytes.Contains(all, []byte("SEQUENCE:2")) {
		t.Errorf("the opening, changed twice, is not at SEQUENCE 2:\n%s", all)
	}
}

// Servers recording the same edition at once, each at its own clock,
// record it once and serve the same bytes.
func testReplicas(t *testing.T, name string) {
	ctx := context.Background()
	open(t, name) // migrated
	dbBuild(t, open(t, name), feedtest.ServerProgramme, t1)
	const n = 4
	feeds := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		db := open(t, name)
		wg.Go(func() { feeds[i] = dbBuild(t, db, edited, t2.Add(time.Duration(i)*time.Minute)) })
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(feeds[i], feeds[0]) {
			t.Errorf("server %d serves other bytes than server 0", i)
		}
	}
	if !bytes.Contains(feeds[0], []byte("SEQUENCE:1")) || bytes.Contains(feeds[0], []byte("SEQUENCE:2")) {
		t.Errorf("the edit was not recorded exactly once:\n%s", feeds[0])
	}
	if v, _ := open(t, name).Version(ctx, "conf"); v != 2 {
		t.Errorf("version %d after two editions, want 2", v)
	}
}

// Importing a state file never makes a SEQUENCE go backwards.
func testImport(t *testing.T, name string) {
	ctx := context.Background()
	db := open(t, name)
	file := filepath.Join(t.TempDir(), "state.json")
	fileBuild(t, file, feedtest.ServerProgramme, t1)
	fileBuild(t, file, edited, t2) // the opening at SEQUENCE 1 in the file
	id, n, err := db.Import(ctx, file, t3)
	if err != nil || id != "conf" || n != 5 {
		t.Fatalf("import: %s, %d entries, %v", id, n, err)
	}
	if got := dbBuild(t, db, edited, t3); !bytes.Equal(got, fileBuild(t, file, edited, t3)) {
		t.Error("after the import, the database's feed differs from the state file's")
	}
	// The database moves on (SEQUENCE 2); importing the older file again
	// changes nothing.
	dbBuild(t, db, feedtest.ServerProgramme, t3)
	if _, n, err := db.Import(ctx, file, t3); err != nil || n != 0 {
		t.Errorf("a second import took %d entries (%v), want none", n, err)
	}
	if all := dbBuild(t, db, feedtest.ServerProgramme, t3); !bytes.Contains(all, []byte("SEQUENCE:2")) {
		t.Errorf("the import made a SEQUENCE go backwards:\n%s", all)
	}
}

func TestUnreachableDatabaseNamesItWithoutItsPassword(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://confcal:hunter2@127.0.0.1:1/confcal?connect_timeout=2")
	if err == nil {
		t.Fatal("no error from a database nobody listens for")
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "unreachable") {
		t.Errorf("error %q", msg)
	}
	if got := store.Redact("postgres://u:p@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("Redact: %s", got)
	}
}

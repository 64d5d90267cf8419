package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/internal/pgtest"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/store"
)

// edition returns edition n of the 10,000-session synthetic programme:
// odd and even editions differ in the titles of 100 sessions. Each call
// decodes afresh (Reconcile may re-key a programme's sessions), with the
// timer stopped.
func edition(b *testing.B, src []byte, n int) *programme.Programme {
	b.StopTimer()
	defer b.StartTimer()
	p, _, err := programme.DecodeBytes(src, "synthetic.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if n%2 == 1 {
		for i := range 100 {
			s := p.Sessions[i*len(p.Sessions)/100]
			s.Title = programme.Plain(s.Title.In("") + " (moved)")
		}
	}
	return p
}

// BenchmarkRecord records a new edition of a 10,000-session programme in
// which 100 sessions changed: in the JSON state file (open, reconcile,
// save), in SQLite and in PostgreSQL; and an unchanged edition, which
// costs a database one read. bench/record.sh runs it and prints the
// ratios to the state file.
func BenchmarkRecord(b *testing.B) {
	src := synth.Programme(synth.Config{Sessions: 10000, Seed: 1})
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("json", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "state.json")
		for i := range b.N + 1 {
			p := edition(b, src, i)
			if i == 0 {
				b.ResetTimer() // the first edition fills the file
			}
			s, err := feed.OpenStore(path, p.ID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Reconcile(p, now.Add(time.Duration(i)*time.Minute)); err != nil {
				b.Fatal(err)
			}
			if err := s.Save(); err != nil {
				b.Fatal(err)
			}
		}
	})
	dbs := map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return filepath.Join(b.TempDir(), "confcal.db") },
		"postgres": func(b *testing.B) string { return pgtest.Start(b).NewDatabase() },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		for _, unchanged := range []bool{false, true} {
			label := name
			if unchanged {
				label += "-unchanged"
			}
			b.Run(label, func(b *testing.B) { benchDB(b, dbs[name](b), src, now, unchanged) })
		}
	}
}

func benchDB(b *testing.B, name string, src []byte, now time.Time, unchanged bool) {
	ctx := context.Background()
	db, err := store.Open(ctx, name)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	first := edition(b, src, 0)
	if _, err := db.Reconcile(ctx, first, now); err != nil {
		b.Fatal(err)
	}
	start, _ := db.Version(ctx, first.ID)
	b.ResetTimer()
	for i := range b.N {
		n := i + 1
		if unchanged {
			n = 0
		}
		if _, err := db.Reconcile(ctx, edition(b, src, n), now.Add(time.Duration(n)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	end, _ := db.Version(ctx, first.ID)
	if unchanged && end != start {
		b.Errorf("unchanged editions wrote %d times", end-start)
	}
	if !unchanged && end-start != int64(b.N) {
		b.Errorf("%d editions recorded %d times", b.N, end-start)
	}
}

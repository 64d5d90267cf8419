package serve

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme"
)

// discard is a ResponseWriter that keeps nothing, so that the handler's
// own cost is what a benchmark measures.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// BenchmarkHandler measures the handler alone, without the HTTP server
// around it, on a 1,000-session programme: a track feed in full, the same
// feed answered 304, and a cached agenda.
func BenchmarkHandler(b *testing.B) {
	p, _, err := programme.DecodeBytes(synth.Programme(synth.Config{Sessions: 1000, Days: 3, Tracks: 10, Venues: 10, Seed: 1}), "synth.yaml")
	if err != nil {
		b.Fatal(err)
	}
	set, err := feed.Build(p, feed.Options{})
	if err != nil {
		b.Fatal(err)
	}
	live := NewLive(LiveOptions{})
	if err := live.Publish(set); err != nil {
		b.Fatal(err)
	}
	h := NewHandler(live, HandlerOptions{})
	var track *feed.Feed
	for _, f := range set.Feeds {
		if f.Kind == feed.KindTrack {
			track = f
			break
		}
	}
	etag := `"` + track.Hash[:32] + `"`
	ids := ""
	for i, ev := range set.Events[:20] {
		if i > 0 {
			ids += ","
		}
		ids += ev.Session.ID
	}
	for _, c := range []struct {
		name, url, inm string
		want           int
	}{
		{"track", "/" + track.Path(), "", 200},
		{"track-304", "/" + track.Path(), etag, 304},
		{"agenda", "/agenda.ics?session=" + ids, "", 200},
	} {
		b.Run(c.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", c.url, nil)
			if c.inm != "" {
				r.Header.Set("If-None-Match", c.inm)
			}
			w := &discard{h: http.Header{}}
			for b.Loop() {
				clear(w.h)
				w.code = 200
				h.ServeHTTP(w, r)
			}
			if w.code != c.want {
				b.Fatalf("status %d, want %d", w.code, c.want)
			}
		})
	}
}

// BenchmarkAccessLog measures what the access log adds to an answer, with
// its lines written to a file as confcal serve writes them to standard
// error.
func BenchmarkAccessLog(b *testing.B) {
	set := feedtest.BuildSet(b, feedtest.ServerProgramme)
	live := NewLive(LiveOptions{})
	if err := live.Publish(set); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	etag := `"` + set.Feed("all").Hash[:32] + `"`
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", NewHandler(live, HandlerOptions{})},
		{"logged", AccessLog(slog.New(slog.NewTextHandler(f, nil)), NewHandler(live, HandlerOptions{}))},
	} {
		b.Run(c.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", "/all.ics", nil)
			r.Header.Set("If-None-Match", etag)
			w := &discard{h: http.Header{}}
			for b.Loop() {
				clear(w.h)
				c.h.ServeHTTP(w, r)
			}
		})
	}
}

package serve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme"
)

// fakeClock fires its timers when the test says so.
type fakeClock struct {
	mu     sync.Mutex
	timers []chan time.Time
	armed  chan struct{} // receives each time a timer is made
}

func newFakeClock() *fakeClock { return &fakeClock{armed: make(chan struct{}, 100)} }

func (c *fakeClock) Now() time.Time { return time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC) }

func (c *fakeClock) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.timers = append(c.timers, ch)
	c.mu.Unlock()
	c.armed <- struct{}{}
	return ch
}

// fire waits for a timer to be made, then fires every timer made so far.
func (c *fakeClock) fire(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(10 * time.Second):
		t.Fatal("the reloader made no timer")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.timers {
		select {
		case ch <- c.Now():
		default:
		}
	}
	c.timers = nil
}

func buildFunc(builds *atomic.Int32) BuildFunc {
	return func(_ context.Context, p *programme.Programme) (*feed.Set, func() error, error) {
		builds.Add(1)
		set, err := feed.Build(p, feed.Options{})
		return set, nil, err
	}
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestReloaderFile drives the file watcher with a fake clock: an edit is
// published once things settle, an invalid edit keeps the last good
// edition, and a rewrite with the same bytes builds nothing.
func TestReloaderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "programme.yaml")
	if err := os.WriteFile(path, []byte(feedtest.ServerProgramme), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	var builds atomic.Int32
	live := NewLive(LiveOptions{})
	rl := NewReloader(live, ReloaderOptions{Name: path, Build: buildFunc(&builds), Clock: clock})
	if _, err := rl.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := live.Version()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rl.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	clock.fire(t) // the look right after the watch begins: nothing changed
	edited := strings.Replace(feedtest.ServerProgramme, "title: Opening", "title: Grand opening", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	clock.fire(t)
	waitFor(t, "the edit to be published", func() bool {
		return live.Set().Programme.Session("opening").Title.In("") == "Grand opening"
	})
	if live.Version() == first {
		t.Fatal("the version did not change")
	}
	second := live.Version()

	if err := os.WriteFile(path, []byte("id: [broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	clock.fire(t)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	clock.fire(t)
	n := builds.Load()
	time.Sleep(50 * time.Millisecond)
	if live.Version() != second || builds.Load() != n || n != 2 {
		t.Errorf("after a broken edit and a rewrite of the same bytes: version %s (want %s), %d builds (want 2)", live.Version(), second, n)
	}
}

// TestReloaderPoll polls a URL with conditional requests on a fake clock.
func TestReloaderPoll(t *testing.T) {
	var mu sync.Mutex
	body, etag := feedtest.ServerProgramme, `"1"`
	var conditional atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		_, _ = w.Write([]byte(body))
	}))
	defer origin.Close()
	clock := newFakeClock()
	var builds atomic.Int32
	live := NewLive(LiveOptions{})
	rl := NewReloader(live, ReloaderOptions{Name: origin.URL + "/programme.yaml", Build: buildFunc(&builds), Clock: clock})
	if _, err := rl.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rl.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	clock.fire(t)
	waitFor(t, "a conditional poll", func() bool { return conditional.Load() == 1 })
	mu.Lock()
	body, etag = strings.Replace(body, "title: Opening", "title: Polled opening", 1), `"2"`
	mu.Unlock()
	clock.fire(t)
	waitFor(t, "the change to be published", func() bool {
		return live.Set().Programme.Session("opening").Title.In("") == "Polled opening"
	})
	if n := builds.Load(); n != 2 {
		t.Errorf("%d builds, want 2", n)
	}
}

// Published hears of every edition served, the first one included, and
// not of a reload that changed nothing.
func TestReloaderTellsOfEditions(t *testing.T) {
	var builds atomic.Int32
	var told []*feed.Set
	live := NewLive(LiveOptions{})
	rl := NewReloader(live, ReloaderOptions{Name: "inline", Build: buildFunc(&builds),
		Published: func(_ context.Context, set *feed.Set) { told = append(told, set) }})
	ctx := context.Background()
	if !rl.Reload(ctx, []byte(feedtest.ServerProgramme)) {
		t.Fatal("the first edition was not published")
	}
	rl.Reload(ctx, []byte(feedtest.ServerProgramme))
	if !rl.Reload(ctx, []byte(strings.Replace(feedtest.ServerProgramme, "title: Opening", "title: Welcome", 1))) {
		t.Fatal("the edit was not published")
	}
	if len(told) != 2 || told[0] == told[1] || told[1] != live.Set() {
		t.Errorf("told of %d editions, want the 2 served", len(told))
	}
}

// A build that fails with a Retryable error (a database down) keeps the
// last edition and is tried again, without the file changing, until it
// passes.
func TestReloaderRetriesWhatMayPass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "programme.yaml")
	if err := os.WriteFile(path, []byte(feedtest.ServerProgramme), 0o644); err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	var builds atomic.Int32
	build := func(ctx context.Context, p *programme.Programme) (*feed.Set, func() error, error) {
		builds.Add(1)
		if down.Load() {
			return nil, nil, Retryable(errors.New("database unreachable"))
		}
		set, err := feed.Build(p, feed.Options{})
		return set, nil, err
	}
	clock := newFakeClock()
	live := NewLive(LiveOptions{})
	rl := NewReloader(live, ReloaderOptions{Name: path, Build: build, Clock: clock})
	if _, err := rl.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rl.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	clock.fire(t)

	down.Store(true)
	edited := strings.Replace(feedtest.ServerProgramme, "title: Opening", "title: Grand opening", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	clock.fire(t) // the edit: its build fails
	waitFor(t, "the failed build", func() bool { return builds.Load() >= 2 })
	clock.fire(t) // the retry: still down
	waitFor(t, "the first retry", func() bool { return builds.Load() >= 3 })
	if got := live.Set().Programme.Session("opening").Title.In(""); got != "Opening" {
		t.Fatalf("serving %q while the database is down, want the last edition", got)
	}
	down.Store(false)
	clock.fire(t) // the next retry passes
	waitFor(t, "the edit to be published once the database is back", func() bool {
		return live.Set().Programme.Session("opening").Title.In("") == "Grand opening"
	})
}

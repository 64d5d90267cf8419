package attend_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/calendartest"
)

// fixture is a worker on a Memory store, one fake calendar per
// subscription, and a clock the test moves.
type fixture struct {
	t      *testing.T
	store  *attend.Memory
	worker *attend.Worker
	set    atomic.Pointer[feed.Set]
	cals   map[string]*calendartest.Memory
	now    time.Time
	// fail, when set, is what opening a calendar answers.
	fail error
}

func newFixture(t *testing.T, src string) *fixture {
	f := &fixture{t: t, store: attend.NewMemory(), cals: map[string]*calendartest.Memory{},
		now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	f.set.Store(feedtest.BuildSet(t, src))
	f.worker = attend.NewWorker(attend.WorkerOptions{
		Store:   f.store,
		Edition: f.set.Load,
		Connect: func(_ context.Context, s *attend.Subscription) (calsync.Calendar, error) {
			if f.fail != nil {
				return nil, f.fail
			}
			return f.cals[s.ID], nil
		},
		Engine: calsync.Options{Sleep: func(context.Context, time.Duration) error { return nil }},
		Rate:   1e6, UserRate: 1e6,
		Now: func() time.Time { return f.now },
	})
	return f
}

// subscribe stores a subscription of query and queues its first sync.
func (f *fixture) subscribe(id, query string) {
	f.t.Helper()
	q, _ := url.ParseQuery(query)
	c, err := attend.Resolve(f.set.Load(), q)
	if err != nil {
		f.t.Fatal(err)
	}
	f.cals[id] = calendartest.NewMemory()
	ctx := context.Background()
	if err := f.store.Create(ctx, &attend.Subscription{ID: id, Programme: "conf", Selection: c.Selection,
		CalendarName: c.Title, Status: attend.Active, Created: f.now}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.Enqueue(ctx, id, f.now, false); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) drain() int {
	f.t.Helper()
	n, err := f.worker.Drain(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// titles lists the live events of a subscription's calendar.
func (f *fixture) titles(id string) []string {
	var out []string
	for _, r := range f.cals[id].Events() {
		if !r.Deleted {
			out = append(out, r.Fields.Title)
		}
	}
	slices.Sort(out)
	return out
}

func (f *fixture) edit(src string) int {
	f.t.Helper()
	set := feedtest.BuildSet(f.t, src)
	f.set.Store(set)
	n, err := f.worker.OnEdition(context.Background(), set)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestSyncKeepsTheCalendarCurrent(t *testing.T) {
	f := newFixture(t, feedtest.ServerProgramme)
	f.subscribe("ticked", "session=opening,engines")
	f.subscribe("track", "feed=track/art.ics")
	if n := f.drain(); n != 2 {
		t.Fatalf("ran %d jobs, want 2", n)
	}
	if got := f.titles("ticked"); !slices.Equal(got, []string{"Analytical engines", "Opening"}) {
		t.Errorf("ticked sessions: %q", got)
	}
	if got := f.titles("track"); !slices.Equal(got, []string{"Painting with numbers"}) {
		t.Errorf("art track: %q", got)
	}
	s, _ := f.store.Get(context.Background(), "ticked")
	if !s.Sync.OK || s.Sync.Result != "2 added, 0 changed, 0 removed" {
		t.Errorf("recorded %+v", s.Sync)
	}

	// The same edition again: nothing to enqueue.
	if n := f.edit(feedtest.ServerProgramme); n != 0 {
		t.Errorf("an unchanged edition enqueued %d syncs", n)
	}
	// Engines moves to room B and an hour later: only the subscription
	// holding it syncs, with one write, and no request at all goes to the
	// other calendar.
	before := f.cals["track"].Calls()["list"]
	moved := strings.Replace(feedtest.ServerProgramme,
		"start: 2025-03-10T10:00, end: 2025-03-10T11:00, venue: hall, room: a",
		"start: 2025-03-10T11:00, end: 2025-03-10T12:00, venue: hall, room: b", 1)
	if n := f.edit(moved); n != 1 {
		t.Fatalf("the move enqueued %d syncs, want 1", n)
	}
	writes := f.cals["ticked"].Writes()
	f.drain()
	if got := f.cals["ticked"].Writes() - writes; got != 1 {
		t.Errorf("%d writes for one moved session", got)
	}
	if got := f.cals["track"].Calls()["list"] - before; got != 0 {
		t.Errorf("the unchanged subscription was listed %d times", got)
	}
	for _, r := range f.cals["ticked"].Events() {
		if r.Fields.Title == "Analytical engines" && !strings.Contains(r.Fields.Location, "Room B") {
			t.Errorf("the moved session is at %q", r.Fields.Location)
		}
	}
	if got := f.titles("ticked"); len(got) != 2 {
		t.Errorf("after the move: %q", got)
	}
}

func TestRevokedGrantBreaksTheSubscription(t *testing.T) {
	f := newFixture(t, feedtest.ServerProgramme)
	f.subscribe("s", "session=opening")
	f.fail = &calsync.Error{Kind: calsync.Auth, Op: "list", Err: errors.New("invalid_grant")}
	f.drain()
	s, _ := f.store.Get(context.Background(), "s")
	if s.Status != attend.Broken || !strings.Contains(s.Reason, "reconnect") {
		t.Errorf("status %s (%s), want broken with a reconnect hint", s.Status, s.Reason)
	}
	if n, _ := f.store.Pending(context.Background()); n != 0 {
		t.Errorf("%d jobs left for a broken subscription", n)
	}
	// No work for it while broken, even on a new edition.
	f.fail = nil
	if n := f.edit(strings.Replace(feedtest.ServerProgramme, "title: Opening", "title: Welcome", 1)); n != 0 {
		t.Errorf("a broken subscription was enqueued")
	}
}

func TestTransientFailureIsRetriedLater(t *testing.T) {
	f := newFixture(t, feedtest.ServerProgramme)
	f.subscribe("s", "session=opening")
	f.fail = &calsync.Error{Kind: calsync.Transient, Op: "list", Err: errors.New("503")}
	if n := f.drain(); n != 1 {
		t.Fatalf("ran %d jobs", n)
	}
	if n := f.drain(); n != 0 {
		t.Errorf("a failed job ran again at once")
	}
	s, _ := f.store.Get(context.Background(), "s")
	if s.Sync.OK || !strings.Contains(s.Sync.Result, "503") {
		t.Errorf("recorded %+v", s.Sync)
	}
	f.fail = nil
	f.now = f.now.Add(attend.MaxBackoff)
	if n := f.drain(); n != 1 {
		t.Fatalf("the retry did not run")
	}
	if got := f.titles("s"); !slices.Equal(got, []string{"Opening"}) {
		t.Errorf("after the retry: %q", got)
	}
}

func TestResolveRefusesWhatThePageCannotOffer(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	for query, want := range map[string]string{
		"feed=track/nope.ics":          "no such feed",
		"feed=session/opening.ics":     "no such feed",
		"feed=all.ics&session=opening": "one feed",
		"session=opening,nope":         "nope",
		"":                             "nothing chosen",
	} {
		q, _ := url.ParseQuery(query)
		if _, err := attend.Resolve(set, q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", query, err, want)
		}
	}
	q, _ := url.ParseQuery("session=engines&session=opening")
	c, err := attend.Resolve(set, q)
	if err != nil {
		t.Fatal(err)
	}
	if c.Selection != "session=engines%2Copening" && c.Selection != "session=engines&session=opening" {
		t.Errorf("canonical selection %q", c.Selection)
	}
}

// Enqueue while a job runs: Finish releases it for another run rather
// than dropping the new edition's work.
func TestJobEnqueuedWhileRunningRunsAgain(t *testing.T) {
	ctx := context.Background()
	st := attend.NewMemory()
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := st.Create(ctx, &attend.Subscription{ID: "s", Programme: "p", Status: attend.Active}); err != nil {
		t.Fatal(err)
	}
	st.Enqueue(ctx, "s", now, false)
	job, _ := st.Claim(ctx, now, time.Minute)
	if again, _ := st.Claim(ctx, now, time.Minute); again != nil {
		t.Fatal("a leased job was claimed twice")
	}
	st.Enqueue(ctx, "s", now, false)
	st.Finish(ctx, job)
	if j, _ := st.Claim(ctx, now, time.Minute); j == nil {
		t.Fatal("the job enqueued meanwhile was dropped")
	} else {
		st.Finish(ctx, j)
	}
	if n, _ := st.Pending(ctx); n != 0 {
		t.Errorf("%d jobs left", n)
	}
	// A lease that ends (a worker killed) gives the job back.
	st.Enqueue(ctx, "s", now, false)
	st.Claim(ctx, now, time.Minute)
	if j, _ := st.Claim(ctx, now.Add(2*time.Minute), time.Minute); j == nil {
		t.Error("a job whose lease ended was not given back")
	}
}

// Two servers' workers on one PostgreSQL queue: each pending job runs
// once.
func TestReplicasRunEachJobOnce(t *testing.T) {
	open := openPostgres(t)
	stores := []attend.Store{open(t)}
	// The second server: another store on the same database, its
	// workers on their own connections.
	stores = append(stores, attend.NewSQLStore(stores[0].(*attend.SQLStore).DB(), attend.Postgres))
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	ctx := context.Background()
	const n = 60
	var mu stdsync.Mutex
	runs := map[string]int{}
	cals := map[string]*calendartest.Memory{}
	for i := range n {
		id := fmt.Sprintf("sub-%02d", i)
		cals[id] = calendartest.NewMemory()
		if err := stores[0].Create(ctx, &attend.Subscription{ID: id, Programme: "conf", Selection: "session=opening",
			ManageHash: []byte(id), Status: attend.Active}); err != nil {
			t.Fatal(err)
		}
		stores[0].Enqueue(ctx, id, t0, false)
	}
	var wg stdsync.WaitGroup
	for _, st := range stores {
		w := attend.NewWorker(attend.WorkerOptions{Store: st, Edition: func() *feed.Set { return set },
			Connect: func(_ context.Context, s *attend.Subscription) (calsync.Calendar, error) {
				mu.Lock()
				defer mu.Unlock()
				runs[s.ID]++
				return cals[s.ID], nil
			},
			Rate: 1e6, UserRate: 1e6, Now: func() time.Time { return t0 }})
		for range 4 {
			wg.Go(func() {
				if _, err := w.Drain(ctx); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	for i := range n {
		id := fmt.Sprintf("sub-%02d", i)
		if runs[id] != 1 {
			t.Errorf("%s ran %d times", id, runs[id])
		}
		if len(cals[id].Events()) != 1 {
			t.Errorf("%s's calendar holds %d events", id, len(cals[id].Events()))
		}
	}
	if p, _ := stores[0].Pending(ctx); p != 0 {
		t.Errorf("%d jobs left", p)
	}
}

// Command attendees measures the attendee sync (package attend) against
// the fake Google Calendar with a fixed latency per request: many
// attendees, each with an agenda of their own already synced; then one
// edit of the programme that moves some sessions. It reports the time from
// the new edition to the last write, against the bound that the requests
// the edit needs and the configured rate give (requests / rate), and
// checks the targets: within 10 % of that bound, exactly one write per
// changed event per affected attendee, one list request per affected
// attendee and none for the others.
//
// bench/attendees.sh runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/option"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

type config struct {
	attendees, agenda, sessions, changes int
	latency                              time.Duration
	rate, userRate                       float64
	workers                              int
}

func main() {
	var c config
	flag.IntVar(&c.attendees, "attendees", 1000, "attendees, each with a calendar of their own")
	flag.IntVar(&c.agenda, "agenda", 20, "sessions in each attendee's agenda")
	flag.IntVar(&c.sessions, "sessions", 1000, "sessions in the programme")
	flag.IntVar(&c.changes, "changes", 30, "sessions the edit moves")
	flag.DurationVar(&c.latency, "latency", 50*time.Millisecond, "latency the fake adds to every request")
	flag.Float64Var(&c.rate, "rate", attend.DefaultRate, "requests per second of all syncs together")
	flag.Float64Var(&c.userRate, "user-rate", attend.DefaultUserRate, "requests per second into one attendee's calendar")
	flag.IntVar(&c.workers, "workers", attend.DefaultWorkers, "subscriptions synced at once")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "attendees:", err)
		os.Exit(1)
	}
}

// bench is the programme, its edit, the fake and the subscriptions.
type bench struct {
	c       config
	before  *feed.Set
	after   *feed.Set
	changed map[string]bool // ids of the moved sessions
	srv     *googletest.Server
	store   *attend.Memory
	chosen  map[string][]string // calendar id to its session ids
	client  *http.Client
}

func run(c config) error {
	b, err := setUp(c)
	if err != nil {
		return err
	}
	defer b.srv.Close()
	fmt.Printf("attendee sync: %d attendees with %d-session agendas of %d sessions; the fake adds %v per request; --rate %g, --user-rate %g, --workers %d\n",
		c.attendees, c.agenda, c.sessions, c.latency, c.rate, c.userRate, c.workers)
	start := time.Now()
	if err := b.firstSync(); err != nil {
		return err
	}
	fmt.Printf("first sync of every attendee (unpaced, to set up): %v\n", time.Since(start).Round(time.Millisecond))
	return b.measureEdit()
}

func setUp(c config) (*bench, error) {
	src := synth.Programme(synth.Config{Sessions: c.sessions, Days: 5, Tracks: 10, Venues: 10, Seed: 1})
	p, _, err := programme.DecodeBytes(src, "synthetic.yaml")
	if err != nil {
		return nil, err
	}
	before, err := feed.Build(p, feed.Options{})
	if err != nil {
		return nil, err
	}
	edited, _, err := programme.DecodeBytes(src, "synthetic.yaml")
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	changed := map[string]bool{}
	for _, i := range rng.Perm(len(edited.Sessions)) {
		s := edited.Sessions[i]
		if len(changed) == c.changes {
			break
		}
		if s.Status == programme.Cancelled {
			continue // not in anyone's calendar: a move changes nothing
		}
		if s.AllDay {
			s.Location = "Moved elsewhere"
		} else {
			s.Start, s.End = s.Start.Add(time.Hour), s.End.Add(time.Hour)
		}
		changed[s.ID] = true
	}
	edited.SortSessions()
	after, err := feed.Build(edited, feed.Options{})
	if err != nil {
		return nil, err
	}
	b := &bench{c: c, before: before, after: after, changed: changed, srv: googletest.NewServer(),
		store: attend.NewMemory(), chosen: map[string][]string{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}}}
	b.srv.SetLatency(c.latency)
	ctx := context.Background()
	ids := make([]string, len(p.Sessions))
	for i, s := range p.Sessions {
		ids[i] = s.ID
	}
	for n := range c.attendees {
		cal := b.srv.AddCalendar(fmt.Sprintf("Attendee %d", n), p.TimeZone)
		var agenda []string
		for _, i := range rng.Perm(len(ids))[:min(c.agenda, len(ids))] {
			agenda = append(agenda, ids[i])
		}
		slices.Sort(agenda)
		b.chosen[cal] = agenda
		s := &attend.Subscription{ID: fmt.Sprintf("sub-%04d", n), Programme: p.ID, Calendar: cal,
			Selection: "session=" + strings.Join(agenda, ","), Status: attend.Active, Created: time.Now()}
		if err := b.store.Create(ctx, s); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *bench) worker(set *feed.Set, rate, userRate float64, workers int) *attend.Worker {
	return attend.NewWorker(attend.WorkerOptions{
		Store:   b.store,
		Edition: func() *feed.Set { return set },
		Connect: func(ctx context.Context, s *attend.Subscription) (calsync.Calendar, error) {
			return google.New(ctx, google.Options{CalendarID: s.Calendar, Client: []option.ClientOption{
				option.WithEndpoint(b.srv.Endpoint()), option.WithoutAuthentication(), option.WithHTTPClient(b.client)}})
		},
		Rate: rate, UserRate: userRate, Workers: workers,
	})
}

// drain runs the queue with n workers until it is empty.
func drain(w *attend.Worker, n int) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = w.Drain(context.Background()) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// firstSync fills every attendee's calendar, as fast as the fake allows.
func (b *bench) firstSync() error {
	ctx := context.Background()
	subs, err := b.store.List(ctx, b.before.Programme.ID)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := b.store.Enqueue(ctx, s.ID, time.Now(), false); err != nil {
			return err
		}
	}
	if err := drain(b.worker(b.before, 1e6, 1e6, 64), 64); err != nil {
		return err
	}
	for _, s := range subs {
		got, _ := b.store.Get(ctx, s.ID)
		if !got.Sync.OK {
			return fmt.Errorf("first sync of %s: %s", s.ID, got.Sync.Result)
		}
	}
	return nil
}

// measureEdit publishes the edited programme and times the syncs it
// causes, then checks the targets.
func (b *bench) measureEdit() error {
	w := b.worker(b.after, b.c.rate, b.c.userRate, b.c.workers)
	b.srv.ResetRequests()
	start := time.Now()
	queued, err := w.OnEdition(context.Background(), b.after)
	if err != nil {
		return err
	}
	if err := drain(w, b.c.workers); err != nil {
		return err
	}
	var last time.Time
	lists, writes := map[string]int{}, map[string]int{}
	reqs := b.srv.Requests()
	for _, r := range reqs {
		if r.End.After(last) {
			last = r.End
		}
		cal := calendarOf(r.Path)
		switch {
		case r.Op == "events.list":
			lists[cal]++
		case r.Method != http.MethodGet:
			writes[cal]++
		}
	}
	took := last.Sub(start)
	bound := time.Duration(float64(len(reqs)) / b.c.rate * float64(time.Second))
	return b.report(queued, len(reqs), took, bound, lists, writes)
}

func (b *bench) report(queued, requests int, took, bound time.Duration, lists, writes map[string]int) error {
	var missed []string
	affected, wantWrites, gotWrites := 0, 0, 0
	for cal, agenda := range b.chosen {
		want := 0
		for _, id := range agenda {
			if b.changed[id] {
				want++
			}
		}
		wantLists := 0
		if want > 0 {
			affected, wantLists = affected+1, 1
		}
		wantWrites += want
		gotWrites += writes[cal]
		if writes[cal] != want || lists[cal] != wantLists {
			missed = append(missed, fmt.Sprintf("calendar %s: %d writes and %d lists, want %d and %d", cal, writes[cal], lists[cal], want, wantLists))
		}
	}
	ratio := float64(took) / float64(bound)
	fmt.Printf("edit moving %d sessions: %d attendees affected, %d syncs queued\n", b.c.changes, affected, queued)
	fmt.Printf("requests %d (writes %d, want %d); from the new edition to the last write %v; bound %v (requests / rate); ratio %.3f\n",
		requests, gotWrites, wantWrites, took.Round(time.Millisecond), bound.Round(time.Millisecond), ratio)
	if ratio > 1.10 {
		missed = append(missed, fmt.Sprintf("took %v, more than 10%% over the bound %v", took.Round(time.Millisecond), bound.Round(time.Millisecond)))
	}
	if queued != affected {
		missed = append(missed, fmt.Sprintf("%d syncs queued for %d affected attendees", queued, affected))
	}
	slices.Sort(missed)
	for i, m := range missed {
		if i == 10 {
			fmt.Printf("MISSED ... and %d more\n", len(missed)-10)
			break
		}
		fmt.Println("MISSED", m)
	}
	if len(missed) > 0 {
		return fmt.Errorf("%d targets missed", len(missed))
	}
	fmt.Println("all targets met: one write per changed event per affected attendee, one list per affected attendee and none for the others, within 10% of requests / rate")
	return nil
}

// calendarOf returns the calendar id in a Calendar API path
// (/calendar/v3/calendars/ID/events...).
func calendarOf(path string) string {
	_, rest, ok := strings.Cut(path, "/calendars/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

package google_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

var (
	rounds = flag.Int("rounds", 12, "rounds of the sync property test per seed")
	seeds  = flag.Int("seeds", 4, "seeds of the sync property test")
	seed0  = flag.Uint64("seed", 1, "first seed of the sync property test")
)

// world is the property test's model: a programme being edited, a
// selection, and what the user did in the calendar.
type world struct {
	t       *testing.T
	rnd     *rand.Rand
	p       *programme.Programme
	hall    *programme.Venue
	next    int
	chosen  map[string]bool // session ids
	deleted map[string]bool // event ids the user deleted
	colours map[string]string
	notes   map[string]string
	srv     *googletest.Server
	cal     *google.Calendar
	calID   string
	journal *calsync.Journal
	shared  bool
}

func newWorld(t *testing.T, seed uint64, shared bool) *world {
	loc, _ := time.LoadLocation("Europe/Paris")
	hall := &programme.Venue{ID: "hall", Name: programme.Plain("Hall"), Location: loc,
		Rooms: []*programme.Room{{ID: "a", Name: programme.Plain("Room A")}, {ID: "b", Name: programme.Plain("Room B")}}}
	for _, r := range hall.Rooms {
		r.Venue = hall
	}
	w := &world{t: t, rnd: rand.New(rand.NewPCG(seed, seed*7919)), hall: hall,
		p:      &programme.Programme{ID: "summit", TimeZone: "Europe/Paris", Location: loc, Domain: "summit.example", Venues: []*programme.Venue{hall}},
		chosen: map[string]bool{}, deleted: map[string]bool{}, colours: map[string]string{}, notes: map[string]string{},
		journal: calsync.NewJournal(calsync.JournalData{}), shared: shared}
	for range 20 {
		w.addSession()
	}
	w.srv = googletest.NewServer()
	t.Cleanup(w.srv.Close)
	w.srv.PageLimit = 9
	w.srv.EmptyPages = seed%2 == 0
	if shared {
		w.calID = googletest.Primary
	}
	c, err := google.New(context.Background(), google.Options{
		Client:     []option.ClientOption{option.WithEndpoint(w.srv.Endpoint()), option.WithoutAuthentication()},
		CalendarID: w.calID, Shared: shared,
		Create:   &google.NewCalendar{Summary: "Summit", TimeZone: "Europe/Paris"},
		OnCreate: func(id string) error { w.calID = id; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	w.cal = c
	return w
}

func (w *world) addSession() {
	w.next++
	start := time.Date(2025, 2, 10, 9, 0, 0, 0, w.p.Location).Add(time.Duration(w.rnd.IntN(40)) * 30 * time.Minute)
	s := &programme.Session{ID: fmt.Sprintf("s%d", w.next), UIDKey: fmt.Sprintf("s%d", w.next),
		Title: programme.Plain(fmt.Sprintf("Talk %d", w.next)), Start: start, End: start.Add(45 * time.Minute),
		Venue: w.hall, Room: w.hall.Rooms[w.rnd.IntN(2)], Status: programme.Confirmed}
	w.p.Sessions = append(w.p.Sessions, s)
	if w.rnd.IntN(3) > 0 {
		w.chosen[s.ID] = true
	}
}

func (w *world) pick() *programme.Session {
	if len(w.p.Sessions) == 0 {
		return nil
	}
	return w.p.Sessions[w.rnd.IntN(len(w.p.Sessions))]
}

// editProgramme changes a few sessions and the selection.
func (w *world) editProgramme() {
	for range w.rnd.IntN(5) {
		s := w.pick()
		if s == nil {
			break
		}
		switch w.rnd.IntN(8) {
		case 0:
			s.Title = programme.Plain(s.ID + " renamed " + fmt.Sprint(w.rnd.IntN(100)))
		case 1:
			d := time.Duration(w.rnd.IntN(5)-2) * 15 * time.Minute
			s.Start, s.End = s.Start.Add(d), s.End.Add(d)
		case 2:
			s.Room = w.hall.Rooms[w.rnd.IntN(2)]
		case 3:
			s.Status = programme.Cancelled
		case 4:
			s.Status = programme.Confirmed
		case 5:
			w.chosen[s.ID] = !w.chosen[s.ID]
		case 6:
			for i, x := range w.p.Sessions {
				if x == s {
					w.p.Sessions = append(w.p.Sessions[:i], w.p.Sessions[i+1:]...)
					break
				}
			}
		case 7:
			w.addSession()
		}
	}
}

func (w *world) ownedLive() map[string]*calendar.Event {
	out := map[string]*calendar.Event{}
	if w.calID == "" {
		return out
	}
	for _, ev := range w.srv.Events(w.calID) {
		r := calsync.Remote{ID: ev.Id}
		if ev.ExtendedProperties != nil {
			p := ev.ExtendedProperties.Private
			r.Marker = calsync.Marker{Tool: p[calsync.KeyTool], Source: p[calsync.KeySource], UID: p[calsync.KeyUID]}
		}
		if ev.Status != "cancelled" && (calsync.Owner{Source: "summit"}).Owns(r) {
			out[ev.Id] = ev
		}
	}
	return out
}

// editCalendar acts as the user: notes and colours on confcal's events,
// deletions, and foreign events.
func (w *world) editCalendar() {
	if w.calID == "" {
		return
	}
	owned := w.ownedLive()
	ids := make([]string, 0, len(owned))
	for id := range owned {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch w.rnd.IntN(12) {
		case 0:
			c := fmt.Sprint(1 + w.rnd.IntN(11))
			note := "note " + c
			w.srv.EditEvent(w.calID, id, func(ev *calendar.Event) {
				managed, _ := calsync.SplitNotes(ev.Description)
				ev.ColorId, ev.Description = c, calsync.JoinNotes(managed, note)
			})
			w.colours[id], w.notes[id] = c, note
		case 1:
			w.srv.DeleteEvent(w.calID, id)
			w.deleted[id] = true
		}
	}
	if w.rnd.IntN(2) == 0 {
		ev := &calendar.Event{Summary: "Dentist " + fmt.Sprint(w.rnd.IntN(1000)),
			Start: &calendar.EventDateTime{DateTime: "2025-02-10T12:00:00+01:00"}, End: &calendar.EventDateTime{DateTime: "2025-02-10T13:00:00+01:00"}}
		if w.rnd.IntN(3) == 0 {
			// A copy of one of confcal's events, marker and all, under
			// another id: foreign.
			for _, id := range ids {
				ev = owned[id]
				ev.Id = ""
				break
			}
		}
		w.srv.PutEvent(w.calID, ev)
	}
}

func (w *world) chosenSessions() []*programme.Session {
	var out []*programme.Session
	for _, s := range w.p.Sessions {
		if w.chosen[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

// sync runs one sync; it returns the plan and the error of the run.
func (w *world) sync(ctx context.Context) (*calsync.Plan, error) {
	e := calsync.New(w.cal, calsync.Options{Rate: 1e6, Burst: 1000, Workers: 4, MaxAttempts: 12,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	want, err := calsync.Build(w.p, w.chosenSessions(), calsync.BuildOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	have, err := e.List(ctx, want.Owner)
	if err != nil {
		return nil, err
	}
	w.journal.Observe(want.Owner, have)
	plan := calsync.Diff(want, have, calsync.DiffOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Journal: w.journal})
	w.journal.NotePlan(plan)
	_, err = e.Apply(ctx, plan, calsync.ApplyOptions{Journal: w.journal})
	return plan, err
}

// check verifies the invariants after a successful run.
func (w *world) check(round int, foreignBefore map[string]string) {
	t := w.t
	t.Helper()
	want, _ := calsync.Build(w.p, w.chosenSessions(), calsync.BuildOptions{})
	owned := w.ownedLive()
	expected := map[string]calsync.Item{}
	for _, it := range want.Items {
		if !w.deleted[it.ID] {
			expected[it.ID] = it
		}
	}
	for id, it := range expected {
		ev, ok := owned[id]
		if !ok {
			t.Fatalf("round %d: session %s (%s) missing from the calendar", round, it.SessionID, id)
		}
		if h := ev.ExtendedProperties.Private[calsync.KeyHash]; h != it.Marker.Hash || ev.Summary != it.Fields.Title {
			t.Fatalf("round %d: session %s is stale: %q, want %q", round, it.SessionID, ev.Summary, it.Fields.Title)
		}
		if c, ok := w.colours[id]; ok && ev.ColorId != c {
			t.Fatalf("round %d: the user's colour of %s was lost: %q, want %q", round, id, ev.ColorId, c)
		}
		if n, ok := w.notes[id]; ok {
			if _, notes := calsync.SplitNotes(ev.Description); notes != n {
				t.Fatalf("round %d: the user's notes of %s were lost: %q", round, id, notes)
			}
		}
	}
	for id := range owned {
		if _, ok := expected[id]; !ok {
			t.Fatalf("round %d: event %s should not be in the calendar", round, id)
		}
	}
	// What the user set on an event that is gone went with it.
	for id := range w.colours {
		if _, ok := owned[id]; !ok {
			delete(w.colours, id)
			delete(w.notes, id)
		}
	}
	uids := map[string]string{}
	after := w.srv.Snapshot(w.calID)
	for _, ev := range w.srv.Events(w.calID) {
		if ev.Status == "cancelled" || ev.ExtendedProperties == nil {
			continue
		}
		if _, ours := owned[ev.Id]; !ours {
			continue
		}
		uid := ev.ExtendedProperties.Private[calsync.KeyUID]
		if prev, dup := uids[uid]; dup {
			t.Fatalf("round %d: events %s and %s share session %s", round, prev, ev.Id, uid)
		}
		uids[uid] = ev.Id
	}
	for id, before := range foreignBefore {
		if after[id] != before {
			t.Fatalf("round %d: foreign event %s changed:\n%s\n%s", round, id, before, after[id])
		}
	}
}

// foreign returns the JSON of every event confcal does not own.
func (w *world) foreign() map[string]string {
	out := map[string]string{}
	if w.calID == "" {
		return out
	}
	owned := w.ownedLive()
	for id, js := range w.srv.Snapshot(w.calID) {
		if _, ok := owned[id]; !ok && !w.isOurTombstone(id) {
			out[id] = js
		}
	}
	return out
}

func (w *world) isOurTombstone(id string) bool {
	return calsync.ValidID(id)
}

func (w *world) faults(kill func()) {
	n := 0
	mode := w.rnd.IntN(4)
	killAt := 1 + w.rnd.IntN(30)
	kinds := []googletest.FaultKind{googletest.TooManyRequests, googletest.RateLimit, googletest.UserRateLimit,
		googletest.ServerError, googletest.ServiceUnavailable, googletest.LostResponse, googletest.ServerErrorAfterWrite}
	frnd := rand.New(rand.NewPCG(w.rnd.Uint64(), 1))
	w.srv.SetFaults(func(r googletest.Request) googletest.FaultKind {
		n++
		switch mode {
		case 0:
			return googletest.NoFault
		case 1:
			if n == killAt {
				kill()
			}
		case 2:
			if frnd.IntN(50) == 0 {
				return googletest.QuotaExceeded
			}
		}
		if frnd.IntN(6) == 0 {
			return kinds[frnd.IntN(len(kinds))]
		}
		return googletest.NoFault
	})
}

// settle waits until requests a cancelled client already sent have all
// been answered: on a busy machine one may reach the fake long after the
// client gave up, so the request log must stay unchanged for a while.
func settle(srv *googletest.Server) {
	for n := -1; n != len(srv.Requests()); {
		n = len(srv.Requests())
		time.Sleep(20 * time.Millisecond)
		srv.Idle()
	}
}

func TestSyncProperty(t *testing.T) {
	for i := range *seeds {
		seed := *seed0 + uint64(i)
		shared := seed%3 == 0
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			w := newWorld(t, seed, shared)
			for round := 1; round <= *rounds; round++ {
				w.editProgramme()
				w.editCalendar()
				foreign := w.foreign()
				ctx, cancel := context.WithCancel(context.Background())
				w.faults(cancel)
				_, err := w.sync(ctx)
				killed := ctx.Err() != nil
				cancel()
				w.srv.ClearFaults()
				if killed {
					// Requests of the killed run may still be on their
					// way: let them land, as they would at Google.
					settle(w.srv)
				}
				var brake *calsync.BrakeError
				if err != nil && !errors.As(err, &brake) {
					// Faults or a kill stopped the run: running again
					// converges.
					if _, err = w.sync(context.Background()); err != nil && !errors.As(err, &brake) {
						t.Fatalf("round %d: the run after a failed one: %v", round, err)
					}
				}
				if errors.As(err, &brake) {
					// Selection churn tripped a brake; a deliberate
					// user keeps the selection small instead.
					continue
				}
				w.check(round, foreign)
				// A no-op run costs one list request per 2,500 events.
				w.srv.ResetRequests()
				limit, empty := w.srv.PageLimit, w.srv.EmptyPages
				w.srv.PageLimit, w.srv.EmptyPages = 0, false
				plan, err := w.sync(context.Background())
				w.srv.PageLimit, w.srv.EmptyPages = limit, empty
				if err != nil {
					t.Fatalf("round %d: second run: %v", round, err)
				}
				if plan.Pending() {
					for _, s := range plan.Steps {
						if s.Writes() {
							t.Logf("pending: %s %s %s", s.Action, s.Title, s.Reason)
						}
					}
					t.Fatalf("round %d: a second run plans changes", round)
				}
				if c := w.srv.Counts(); w.srv.Writes() != 0 || w.calID != "" && c["GET"] != 1 {
					for _, r := range w.srv.Requests() {
						t.Logf("request %s %s %s %d", r.Method, r.Op, r.Path, r.Status)
					}
					t.Fatalf("round %d: a no-op run made requests %v", round, c)
				}
			}
		})
	}
}

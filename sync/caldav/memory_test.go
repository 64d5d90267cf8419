package caldav_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
)

// TestUserDeletionsStayDeleted deletes a session's event in another
// client: with the memory of the last run, the next run respects that,
// until --restore-deleted; an event confcal removed itself comes back when
// its session is chosen again.
func TestUserDeletionsStayDeleted(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	ctx := context.Background()
	journal := calsync.NewJournal(calsync.JournalData{})
	var live []string
	run := func(chosen []*programme.Session, restore bool) *calsync.Plan {
		t.Helper()
		mem := caldav.Remember(r.cal, live, journal)
		eng := calsync.New(mem, calsync.Options{Rate: 1e6, Burst: 100})
		want, err := calsync.Build(p, chosen, calsync.BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		have, err := eng.List(ctx, want.Owner)
		if err != nil {
			t.Fatal(err)
		}
		journal.Observe(want.Owner, have)
		plan := calsync.Diff(want, have, calsync.DiffOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Journal: journal, RestoreDeleted: restore})
		journal.NotePlan(plan)
		if res, err := eng.Apply(ctx, plan, calsync.ApplyOptions{Journal: journal, RestoreDeleted: restore}); err != nil {
			t.Fatalf("apply: %v\n%s", err, result(res))
		}
		live = mem.Live()
		return plan
	}
	run(p.Sessions, false)
	if len(live) != len(p.Sessions) {
		t.Fatalf("%d events remembered, want %d", len(live), len(p.Sessions))
	}

	s0 := session(p, "s0")
	id := calsync.EventID(calsync.Owner{Source: p.ID}, p.UID(s0))
	if resp, _ := r.srv.Do(t, http.MethodDelete, serverURL(r.srv, r.cal.ObjectURL(id)), nil, nil); resp.StatusCode/100 != 2 {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	r.proxy.Reset()
	plan := run(p.Sessions, false)
	if plan.Pending() || r.proxy.Writes() != 0 {
		t.Fatalf("the run after the user's deletion writes:\n%s", renderPlan(plan))
	}
	if _, ok := r.objects(t)[p.UID(s0)]; ok {
		t.Fatal("the deleted event came back")
	}

	// Leaving s1 out removes it; choosing it again brings it back.
	var without []*programme.Session
	for _, s := range p.Sessions {
		if s.ID != "s1" {
			without = append(without, s)
		}
	}
	run(without, false)
	if plan := run(p.Sessions, false); plan.Counts().Add != 1 {
		t.Fatalf("choosing a removed session again:\n%s", renderPlan(plan))
	}

	if plan := run(p.Sessions, true); plan.Counts().Add != 1 {
		t.Fatalf("--restore-deleted:\n%s", renderPlan(plan))
	}
	checkConverged(t, r, p, p.Sessions)
}

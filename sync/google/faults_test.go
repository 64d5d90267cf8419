package google_test

import (
	"context"
	"strings"
	"testing"
	"time"

	calendar "google.golang.org/api/calendar/v3"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/calendartest"
	"github.com/confcal/confcal/sync/google/googletest"
)

func desired(n int) calsync.Desired {
	d := calsync.Desired{Owner: calendartest.Owner, Excluded: map[string]string{}}
	for i := 1; i <= n; i++ {
		d.Items = append(d.Items, calendartest.Item(i, "Talk"))
	}
	return d
}

// syncOnce plans and applies d against cal; sleeps records the backoff.
func syncOnce(t *testing.T, cal calsync.Calendar, d calsync.Desired, sleeps *[]time.Duration) (*calsync.Plan, *calsync.Result, error) {
	return syncWorkers(t, cal, d, sleeps, 0)
}

func syncWorkers(t *testing.T, cal calsync.Calendar, d calsync.Desired, sleeps *[]time.Duration, workers int) (*calsync.Plan, *calsync.Result, error) {
	t.Helper()
	e := calsync.New(cal, calsync.Options{Rate: 1000, Burst: 100, Workers: workers, Sleep: func(_ context.Context, dur time.Duration) error {
		if sleeps != nil {
			*sleeps = append(*sleeps, dur)
		}
		return nil
	}})
	have, err := e.List(context.Background(), d.Owner)
	if err != nil {
		return nil, nil, err
	}
	plan := calsync.Diff(d, have, calsync.DiffOptions{})
	res, err := e.Apply(context.Background(), plan, calsync.ApplyOptions{})
	return plan, res, err
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	srv := newFakeAPI(t)
	cal := newCalendar(t, srv, false)
	srv.Inject(googletest.Fault{Kind: googletest.TooManyRequests, Op: "events.insert", RetryAfter: 7 * time.Second})
	srv.Inject(googletest.Fault{Kind: googletest.RateLimit, Op: "events.insert"})
	srv.Inject(googletest.Fault{Kind: googletest.UserRateLimit, Op: "events.insert"})
	srv.Inject(googletest.Fault{Kind: googletest.ServiceUnavailable, Op: "events.list"})
	var sleeps []time.Duration
	_, res, err := syncOnce(t, cal, desired(3), &sleeps)
	if err != nil || res.Done != 3 {
		t.Fatalf("%v %+v", err, res)
	}
	honoured := 0
	for _, d := range sleeps {
		if d == 7*time.Second {
			honoured++
		}
	}
	if len(sleeps) != 4 || honoured != 1 {
		t.Fatalf("backoff sleeps %v, want 4, one of them the 7s of Retry-After", sleeps)
	}
}

func TestLostResponsesNeverDuplicate(t *testing.T) {
	srv := newFakeAPI(t)
	cal := newCalendar(t, srv, false)
	srv.Inject(googletest.Fault{Kind: googletest.LostResponse, Op: "events.insert", Times: 2})
	srv.Inject(googletest.Fault{Kind: googletest.ServerErrorAfterWrite, Op: "events.insert"})
	_, res, err := syncOnce(t, cal, desired(4), nil)
	if err != nil || res.Done != 4 {
		t.Fatalf("%v %+v", err, res)
	}
	if n := len(srv.Events(cal.ID())); n != 4 {
		t.Fatalf("%d events, want 4", n)
	}
	// Each lost answer is resolved by reading the event (a retry may
	// itself meet one of the faults first).
	if c := srv.OpCounts(); c["events.get"] < 1 || c["events.get"] > 3 || c["events.insert"] != 7 {
		t.Errorf("requests %v", c)
	}
}

func TestQuotaStopsWithExplanation(t *testing.T) {
	srv := newFakeAPI(t)
	cal := newCalendar(t, srv, false)
	srv.Inject(googletest.Fault{Kind: googletest.QuotaExceeded, Op: "events.insert", Skip: 2})
	// One worker, so that nothing else is in flight when the error comes.
	_, res, err := syncWorkers(t, cal, desired(20), nil, 1)
	if !calsync.IsKind(err, calsync.Quota) || !strings.Contains(err.Error(), "wait a few hours") {
		t.Fatalf("quota: %v", err)
	}
	if res.NotRun == 0 || res.Failed != 1 {
		t.Fatalf("the run went on after the quota error: %+v", res)
	}
	if posts := srv.Counts()["POST"]; posts != 3 {
		t.Fatalf("%d inserts, want 3: none after the quota error", posts)
	}
	// Once the quota is back, the same run finishes the job.
	plan, res, err := syncOnce(t, cal, desired(20), nil)
	if err != nil || plan.Counts().Add != res.Done || len(srv.Events(cal.ID())) != 20 {
		t.Fatalf("after the quota: %v %+v", err, res)
	}
}

func TestForeignCollisionIsReportedNotOverwritten(t *testing.T) {
	srv := newFakeAPI(t)
	cal := newCalendar(t, srv, true)
	d := desired(2)
	// Someone else's event holds the id of item 1 in a shared calendar; a
	// filtered list does not show it, so the insert meets it.
	srv.PutEvent(cal.ID(), &calendar.Event{Id: d.Items[0].ID, Summary: "Not yours",
		Start: &calendar.EventDateTime{Date: "2025-02-10"}, End: &calendar.EventDateTime{Date: "2025-02-11"}})
	before := srv.Snapshot(cal.ID())[d.Items[0].ID]
	_, res, err := syncOnce(t, cal, d, nil)
	if err == nil || res.Failed != 1 || !strings.Contains(res.Outcomes[0].Detail+res.Outcomes[1].Detail, "does not own") {
		t.Fatalf("collision: %v %+v", err, res)
	}
	if srv.Snapshot(cal.ID())[d.Items[0].ID] != before {
		t.Fatal("the foreign event was changed")
	}
}

func TestPreconditionFailedRereadsOnce(t *testing.T) {
	srv := newFakeAPI(t)
	cal := newCalendar(t, srv, false)
	syncOnce(t, cal, desired(2), nil)
	d := desired(2)
	for i := range d.Items {
		d.Items[i].Fields.Title = "Renamed"
		d.Items[i].Marker.Hash = d.Items[i].Fields.Hash()
	}
	e := calsync.New(cal, calsync.Options{Rate: 1000})
	have, _ := e.List(context.Background(), d.Owner)
	plan := calsync.Diff(d, have, calsync.DiffOptions{})
	// The user changes the colour of both between plan and apply.
	for _, it := range d.Items {
		srv.EditEvent(cal.ID(), it.ID, func(ev *calendar.Event) { ev.ColorId = "9" })
	}
	res, err := e.Apply(context.Background(), plan, calsync.ApplyOptions{})
	if err != nil || res.Done != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	for _, ev := range srv.Events(cal.ID()) {
		if ev.Summary != "Renamed" || ev.ColorId != "9" {
			t.Fatalf("after the re-read: %q colour %q", ev.Summary, ev.ColorId)
		}
	}
	if c := srv.OpCounts(); c["events.update"] != 4 || c["events.get"] != 2 {
		t.Errorf("requests %v", c)
	}
}

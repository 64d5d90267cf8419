package sync_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/calendartest"
)

// testProgramme returns a programme of n sessions, 30 minutes each, from
// 9:00 on 10 February 2025 in Paris.
func testProgramme(n int) *programme.Programme {
	loc, _ := time.LoadLocation("Europe/Paris")
	p := &programme.Programme{ID: "summit", Name: programme.Plain("Summit"), TimeZone: "Europe/Paris", Location: loc,
		Domain: "summit.example"}
	hall := &programme.Venue{ID: "hall", Name: programme.Plain("Hall"), Location: loc}
	p.Venues = []*programme.Venue{hall}
	for i := 0; i < n; i++ {
		start := time.Date(2025, 2, 10, 9, 0, 0, 0, loc).Add(time.Duration(i) * 30 * time.Minute)
		p.Sessions = append(p.Sessions, &programme.Session{
			ID: fmt.Sprintf("s%d", i), UIDKey: fmt.Sprintf("s%d", i),
			Title: programme.Plain(fmt.Sprintf("Session %d", i)), Start: start, End: start.Add(25 * time.Minute),
			Venue: hall, Status: programme.Confirmed,
		})
	}
	return p
}

func build(t *testing.T, p *programme.Programme, chosen []*programme.Session, opts calsync.BuildOptions) calsync.Desired {
	t.Helper()
	d, err := calsync.Build(p, chosen, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func instant() calsync.Options {
	return calsync.Options{Rate: 1e6, Burst: 100, Sleep: func(context.Context, time.Duration) error { return nil }}
}

// run plans and applies one sync of chosen against cal.
func run(t *testing.T, cal *calendartest.Memory, p *programme.Programme, chosen []*programme.Session, dopts calsync.DiffOptions) (*calsync.Plan, *calsync.Result, error) {
	t.Helper()
	ctx := context.Background()
	e := calsync.New(cal, instant())
	have, err := e.List(ctx, calsync.Owner{Source: p.ID})
	if err != nil {
		return nil, nil, err
	}
	if dopts.Now.IsZero() {
		dopts.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	plan := calsync.Diff(build(t, p, chosen, calsync.BuildOptions{}), have, dopts)
	if err := plan.Check(calsync.BrakeOptions{}); err != nil {
		return plan, nil, err
	}
	dopts.Journal.NotePlan(plan)
	res, err := e.Apply(ctx, plan, calsync.ApplyOptions{RestoreDeleted: dopts.RestoreDeleted, Journal: dopts.Journal})
	return plan, res, err
}

func TestEventID(t *testing.T) {
	a := calsync.EventID(calsync.Owner{Source: "p"}, "u1@x")
	if !calsync.ValidID(a) {
		t.Fatalf("EventID %q is not a valid id", a)
	}
	if a != calsync.EventID(calsync.Owner{Source: "p"}, "u1@x") {
		t.Fatal("EventID is not deterministic")
	}
	for _, o := range []calsync.Owner{{Source: "q"}, {Source: "p", Generation: 1}} {
		if calsync.EventID(o, "u1@x") == a {
			t.Errorf("owner %+v gives the same id", o)
		}
	}
	if calsync.EventID(calsync.Owner{Source: "p"}, "u2@x") == a {
		t.Error("another uid gives the same id")
	}
}

func TestNotes(t *testing.T) {
	for _, tc := range []struct{ managed, notes string }{{"text", ""}, {"text", "mine"}, {"", "mine\nmore"}, {"a\n\nb", "x"}} {
		m, n := calsync.SplitNotes(calsync.JoinNotes(tc.managed, tc.notes))
		if m != tc.managed || n != tc.notes {
			t.Errorf("round trip of %q/%q gave %q/%q", tc.managed, tc.notes, m, n)
		}
	}
	if m, n := calsync.SplitNotes("no marker"); m != "no marker" || n != "" {
		t.Errorf("no marker: %q %q", m, n)
	}
}

func TestSyncLifecycle(t *testing.T) {
	p := testProgramme(8)
	cal := calendartest.NewMemory()
	j := calsync.NewJournal(calsync.JournalData{})
	opts := calsync.DiffOptions{Journal: j}

	plan, res, err := run(t, cal, p, p.Sessions[:6], opts)
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Counts(); c.Add != 6 || res.Done != 6 {
		t.Fatalf("first run: %+v, %d done", c, res.Done)
	}
	if w := cal.Writes(); w != 6 {
		t.Fatalf("first run wrote %d times, want 6", w)
	}

	// A second run plans nothing and writes nothing.
	plan, _, err = run(t, cal, p, p.Sessions[:6], opts)
	if err != nil || plan.Pending() {
		t.Fatalf("second run: pending %v, err %v", plan.Pending(), err)
	}
	if w := cal.Writes(); w != 6 {
		t.Fatalf("second run wrote")
	}

	// The user adds notes and a colour; the programme moves session 1.
	id1 := calsync.EventID(calsync.Owner{Source: "summit"}, "summit-s1@summit.example")
	if err := cal.Edit(id1, func(r *calsync.Remote) { r.Notes = "mine"; r.Raw = map[string]string{"colour": "5"} }); err != nil {
		t.Fatal(err)
	}
	p.Sessions[1].Start = p.Sessions[1].Start.Add(time.Hour)
	p.Sessions[1].End = p.Sessions[1].End.Add(time.Hour)
	plan, _, err = run(t, cal, p, p.Sessions[:6], opts)
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Counts(); c.Change != 1 || c.Keep != 5 {
		t.Fatalf("change run: %+v", c)
	}
	var step calsync.Step
	for _, s := range plan.Steps {
		if s.Action == calsync.Change {
			step = s
		}
	}
	if step.Reason != "time 09:30 → 10:30" {
		t.Errorf("change reason %q", step.Reason)
	}
	for _, r := range cal.Events() {
		if r.ID == id1 && (r.Notes != "mine" || r.Raw.(map[string]string)["colour"] != "5" || !r.Fields.Start.Equal(p.Sessions[1].Start)) {
			t.Fatalf("after update: %+v", r)
		}
	}

	// Deselecting sessions removes them; choosing them again restores
	// the tombstones confcal left.
	plan, _, err = run(t, cal, p, p.Sessions[:4], opts)
	if err != nil || plan.Counts().Remove != 2 {
		t.Fatalf("remove run: %+v %v", plan.Counts(), err)
	}
	plan, res, err = run(t, cal, p, p.Sessions[:6], opts)
	if err != nil || plan.Counts().Add != 2 || res.Done != 2 {
		t.Fatalf("restore run: %+v %v", plan.Counts(), err)
	}
	for _, s := range plan.Steps {
		if s.Action == calsync.Add && !s.Restore {
			t.Errorf("add of a tombstone confcal left is not a restore: %+v", s)
		}
	}

	// A session the user deleted stays deleted, unless asked.
	id0 := calsync.EventID(calsync.Owner{Source: "summit"}, "summit-s0@summit.example")
	if err := cal.UserDelete(id0); err != nil {
		t.Fatal(err)
	}
	plan, _, err = run(t, cal, p, p.Sessions[:6], opts)
	if err != nil || plan.Pending() {
		t.Fatalf("after a user deletion: pending %v, %v", plan.Pending(), err)
	}
	plan, _, err = run(t, cal, p, p.Sessions[:6], calsync.DiffOptions{Journal: j, RestoreDeleted: true})
	if err != nil || plan.Counts().Add != 1 {
		t.Fatalf("restore deleted: %+v %v", plan.Counts(), err)
	}
}

func TestForeignEventsUntouched(t *testing.T) {
	p := testProgramme(3)
	cal := calendartest.NewMemory()
	owner := calsync.Owner{Source: "summit"}
	id0 := calsync.EventID(owner, "summit-s0@summit.example")
	// A foreign event holding our id, one with our marker but another id,
	// one of another programme and a plain one.
	cal.Put(calsync.Remote{ID: id0, Fields: calsync.Fields{Title: "squatter"}})
	cal.Put(calsync.Remote{ID: "copy12345", Marker: calsync.Marker{Tool: "confcal", Source: "summit", UID: "summit-s1@summit.example"}})
	cal.Put(calsync.Remote{ID: calsync.EventID(calsync.Owner{Source: "other"}, "x"), Marker: calsync.Marker{Tool: "confcal", Source: "other", UID: "x"}})
	cal.Put(calsync.Remote{ID: "mine12345", Fields: calsync.Fields{Title: "Dentist"}})
	before := cal.Events()

	plan, res, err := run(t, cal, p, nil, calsync.DiffOptions{})
	if err != nil || plan.Pending() {
		t.Fatalf("empty selection with only foreign events: %v %v", plan.Pending(), err)
	}
	plan, res, err = run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Counts(); c.Add != 2 || c.Keep != 1 || plan.Foreign != 4 || len(plan.Conflicts()) != 1 {
		t.Fatalf("plan %+v foreign %d conflicts %d", c, plan.Foreign, len(plan.Conflicts()))
	}
	if res.Done != 2 {
		t.Fatalf("result %+v", res)
	}
	after := map[string]calsync.Remote{}
	for _, r := range cal.Events() {
		after[r.ID] = r
	}
	for _, r := range before {
		a := after[r.ID]
		if a.Version != r.Version || a.Fields.Title != r.Fields.Title {
			t.Errorf("foreign event %s was touched", r.ID)
		}
	}
	// Nothing chosen: the foreign events are no reason to brake, and none
	// is removed.
	_, _, err = run(t, cal, p, nil, calsync.DiffOptions{})
	var brake *calsync.BrakeError
	if !errors.As(err, &brake) {
		t.Fatalf("empty selection with owned events: %v, want a brake", err)
	}
}

func TestBrakes(t *testing.T) {
	p := testProgramme(40)
	cal := calendartest.NewMemory()
	if _, _, err := run(t, cal, p, p.Sessions, calsync.DiffOptions{}); err != nil {
		t.Fatal(err)
	}
	// 10 of 40 is 25%: allowed. 11 is not.
	if _, _, err := run(t, cal, p, p.Sessions[:30], calsync.DiffOptions{}); err != nil {
		t.Fatalf("removing 10 of 40: %v", err)
	}
	plan, _, err := run(t, cal, p, p.Sessions[:22], calsync.DiffOptions{})
	var brake *calsync.BrakeError
	if !errors.As(err, &brake) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("removing 8 of 30: %v", err)
	}
	if plan.Check(calsync.BrakeOptions{Force: true}) != nil {
		t.Fatal("--force does not release the brake")
	}
	// The programme lost all but 5 sessions of a small calendar: 5 is
	// always allowed.
	small := testProgramme(8)
	cal = calendartest.NewMemory()
	run(t, cal, small, small.Sessions, calsync.DiffOptions{})
	if _, _, err := run(t, cal, small, small.Sessions[:3], calsync.DiffOptions{}); err != nil {
		t.Fatalf("removing 5 of 8: %v", err)
	}
}

func TestPastEventsKept(t *testing.T) {
	p := testProgramme(4)
	cal := calendartest.NewMemory()
	run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	later := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	plan, _, err := run(t, cal, p, p.Sessions[:2], calsync.DiffOptions{Now: later})
	if err != nil || plan.Pending() {
		t.Fatalf("past events: pending %v err %v", plan.Pending(), err)
	}
	if !strings.Contains(plan.Steps[3].Reason, "--prune-past") {
		t.Errorf("reason %q", plan.Steps[3].Reason)
	}
	plan, _, err = run(t, cal, p, p.Sessions[:2], calsync.DiffOptions{Now: later, PrunePast: true})
	if err != nil || plan.Counts().Remove != 2 {
		t.Fatalf("prune past: %+v %v", plan.Counts(), err)
	}
}

func TestFaults(t *testing.T) {
	p := testProgramme(6)
	cal := calendartest.NewMemory()
	n := 0
	cal.Fault = func(op, id string) (error, bool) {
		n++
		switch {
		case op == "insert" && n%3 == 0:
			return &calsync.Error{Kind: calsync.Transient, Op: op}, true // applied, answer lost
		case op == "insert" && n%4 == 0:
			return &calsync.Error{Kind: calsync.RateLimited, Op: op, RetryAfter: time.Second}, false
		}
		return nil, false
	}
	_, res, err := run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	if err != nil {
		t.Fatalf("faults: %v", err)
	}
	if res.Done != 6 || len(cal.Events()) != 6 {
		t.Fatalf("faults: %+v, %d events", res, len(cal.Events()))
	}
	plan, _, _ := run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	if plan.Pending() {
		t.Fatal("faults left work")
	}

	// A quota error stops the run.
	cal.Fault = func(op, id string) (error, bool) {
		if op == "update" {
			return &calsync.Error{Kind: calsync.Quota, Op: op, Hint: "wait"}, false
		}
		return nil, false
	}
	for _, s := range p.Sessions {
		s.Title = programme.Plain("Renamed " + s.ID)
	}
	_, res, err = run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	if !calsync.IsKind(err, calsync.Quota) || res.Done != 0 || res.Failed+res.NotRun != 6 {
		t.Fatalf("quota: %v %+v", err, res)
	}
}

func TestPreconditionRereads(t *testing.T) {
	p := testProgramme(2)
	cal := calendartest.NewMemory()
	run(t, cal, p, p.Sessions, calsync.DiffOptions{})
	e := calsync.New(cal, instant())
	have, _ := e.List(context.Background(), calsync.Owner{Source: "summit"})
	p.Sessions[0].Title = programme.Plain("Renamed")
	plan := calsync.Diff(build(t, p, p.Sessions, calsync.BuildOptions{}), have, calsync.DiffOptions{})
	// The user edits the event between plan and apply.
	cal.Edit(plan.Steps[0].ID, func(r *calsync.Remote) { r.Raw = map[string]string{"colour": "3"} })
	res, err := e.Apply(context.Background(), plan, calsync.ApplyOptions{})
	if err != nil || res.Done != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	for _, r := range cal.Events() {
		if r.ID == plan.Steps[0].ID && (r.Fields.Title != "Renamed" || r.Raw.(map[string]string)["colour"] != "3") {
			t.Fatalf("after the re-read: %+v", r)
		}
	}
}

func TestRender(t *testing.T) {
	p := testProgramme(3)
	cal := calendartest.NewMemory()
	run(t, cal, p, p.Sessions[:2], calsync.DiffOptions{})
	p.Sessions[0].Title = programme.Plain("Opening")
	e := calsync.New(cal, instant())
	have, _ := e.List(context.Background(), calsync.Owner{Source: "summit"})
	plan := calsync.Diff(build(t, p, p.Sessions[1:], calsync.BuildOptions{}), have, calsync.DiffOptions{})
	var b bytes.Buffer
	calsync.Render(&b, plan, calsync.RenderOptions{Location: p.Location, TitleWidth: 12})
	want := `- remove  Mon 10 Feb 09:00    Session 0     not selected
  keep    Mon 10 Feb 09:30    Session 1     up to date
+ add     Mon 10 Feb 10:00    Session 2     not in the calendar
Plan: 1 to add, 0 to change, 1 to remove, 1 to keep.
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := calsync.RenderJSON(&b, calsync.Report{Plan: plan}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"action": "remove"`, `"pending": true`, `"add": 1`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b.String())
		}
	}
}

// TestSessionURLTemplate: a pushed event links to the session's page, the
// programme's session_url when the session has no URL of its own.
func TestSessionURLTemplate(t *testing.T) {
	p := testProgramme(2)
	p.SessionURLTemplate = "https://summit.example/talk/{id}"
	p.Sessions[1].URL = "https://elsewhere.example/s1"
	d := build(t, p, p.Sessions, calsync.BuildOptions{})
	for i, want := range []string{"https://summit.example/talk/s0", "https://elsewhere.example/s1"} {
		if got := d.Items[i].Fields.URL; got != want {
			t.Errorf("session %d: URL %q, want %q", i, got, want)
		}
	}
}

// A shared limiter gates every call of every engine it is handed: two
// engines on one limiter with a burst of 3 make 3 calls between them
// before waiting.
func TestSharedLimit(t *testing.T) {
	shared := rate.NewLimiter(rate.Every(time.Hour), 3)
	opts := instant()
	opts.Shared = shared
	a := calsync.New(calendartest.NewMemory(), opts)
	b := calsync.New(calendartest.NewMemory(), opts)
	ctx, cancel := context.WithCancel(context.Background())
	for _, e := range []*calsync.Engine{a, b, a} {
		if _, err := e.List(ctx, calsync.Owner{Source: "p"}); err != nil {
			t.Fatal(err)
		}
	}
	cancel() // the fourth call would wait an hour
	if _, err := b.List(ctx, calsync.Owner{Source: "p"}); err == nil {
		t.Error("a fourth call went through a shared limit of 3")
	}
	if got := a.Calls() + b.Calls(); got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
}

// One Catalog serves many selections: each Desired set holds the chosen
// sessions that are not cancelled, and says why every other one is not
// wanted.
func TestCatalogDesired(t *testing.T) {
	p := testProgramme(6)
	p.Sessions[2].Status = programme.Cancelled
	cat, err := calsync.NewCatalog(p, calsync.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, chosen := range [][]*programme.Session{nil, p.Sessions[:3], p.Sessions[4:]} {
		d := cat.Desired(chosen)
		var got []string
		for _, it := range d.Items {
			got = append(got, it.SessionID)
		}
		var want []string
		for _, s := range chosen {
			if s.Status != programme.Cancelled {
				want = append(want, s.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("items %v, want %v", got, want)
		}
		if len(d.Items)+len(d.Excluded) != len(p.Sessions) || len(d.Titles) != len(p.Sessions) {
			t.Errorf("%d items and %d excluded of %d sessions", len(d.Items), len(d.Excluded), len(p.Sessions))
		}
		for id, why := range d.Excluded {
			if why != "not selected" && why != "cancelled in the programme" {
				t.Errorf("%s excluded: %q", id, why)
			}
		}
	}
	if d := cat.Desired(p.Sessions[2:3]); len(d.Items) != 0 || !slices.Contains(slices.Collect(maps.Values(d.Excluded)), "cancelled in the programme") {
		t.Errorf("a chosen cancelled session: %+v", d.Excluded)
	}
}

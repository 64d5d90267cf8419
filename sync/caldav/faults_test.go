package caldav_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
	"github.com/confcal/confcal/sync/caldav/radicaletest"
)

// TestConflictBetweenPlanAndApply changes objects on the server after
// the plan read them: a 412 makes the engine read them again, and no
// write overwrites what it did not see.
func TestConflictBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	r.sync(t, p, p.Sessions)
	for _, id := range []string{"s0", "s1", "s2"} {
		session(p, id).Title = programme.Plain(session(p, id).Title.In("") + " (updated)")
	}
	plan := r.plan(t, p, p.Sessions)
	if c := plan.Counts(); c.Change != 3 {
		t.Fatalf("plan: %+v", c)
	}
	idOf := func(id string) string {
		return calsync.EventID(calsync.Owner{Source: p.ID}, p.UID(session(p, id)))
	}

	// Meanwhile, in another client: notes and an alarm on s0; s1 taken
	// over (its marker removed); s2 deleted.
	editObject(t, r.srv, r.cal, idOf("s0"), func(ev *ical.Component) {
		managed, _ := calsync.SplitNotes(textOf(ev.Props.Get(ical.PropDescription)))
		ev.Props.SetText(ical.PropDescription, calsync.JoinNotes(managed, "Sit near the front."))
		addUserFields(ev)
	})
	editObject(t, r.srv, r.cal, idOf("s1"), func(ev *ical.Component) {
		ev.Props.Del(caldav.PropOwner)
		ev.Props.SetText(ical.PropSummary, "My own event now")
	})
	if resp, _ := r.srv.Do(t, http.MethodDelete, serverURL(r.srv, r.cal.ObjectURL(idOf("s2"))), nil, nil); resp.StatusCode/100 != 2 {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	takenOver := snapshot(t, r, []string{serverURL(r.srv, r.cal.ObjectURL(idOf("s1")))})

	r.proxy.Reset()
	res, err := r.apply(plan, nil)
	if err == nil {
		t.Fatalf("apply succeeded although an event was taken over:\n%s", result(res))
	}
	outcome := map[string]calsync.Outcome{}
	for _, o := range res.Outcomes {
		outcome[o.ID] = o
	}
	if o := outcome[idOf("s0")]; o.Status != calsync.Done {
		t.Errorf("s0: %+v", o)
	}
	if o := outcome[idOf("s1")]; o.Status != calsync.Failed || !strings.Contains(o.Detail, "no longer confcal's") {
		t.Errorf("s1: %+v", o)
	}
	if o := outcome[idOf("s2")]; o.Status != calsync.Skipped || !strings.Contains(o.Detail, "deleted") {
		t.Errorf("s2: %+v", o)
	}

	objs := r.objects(t)
	s0 := objs[p.UID(session(p, "s0"))]
	if got := s0.text(ical.PropSummary); got != "Session 0 (updated)" {
		t.Errorf("s0: SUMMARY %q", got)
	}
	if _, notes := calsync.SplitNotes(s0.text(ical.PropDescription)); notes != "Sit near the front." {
		t.Errorf("s0 lost the user's notes: %q", s0.text(ical.PropDescription))
	}
	if got := s0.text(ical.PropColor); got != "tomato" || len(s0.event.Children) != 1 || s0.event.Children[0].Name != ical.CompAlarm {
		t.Errorf("s0 lost the user's colour or alarm:\n%s", s0.data)
	}
	if after := snapshot(t, r, []string{serverURL(r.srv, r.cal.ObjectURL(idOf("s1")))}); !equalMaps(after, takenOver) {
		t.Errorf("the event taken over was written to")
	}
	if _, ok := objs[p.UID(session(p, "s2"))]; ok {
		t.Errorf("the deleted event came back during the same run")
	}
	// s0: a PUT refused with 412, a GET, a PUT; s1: a PUT refused, a GET;
	// s2: a PUT refused, a HEAD.
	if got := r.proxy.Count(http.MethodPut); got != 4 {
		t.Errorf("%d PUTs, want 4", got)
	}
}

// TestWrongPassword checks that refused credentials stop the run before
// it writes, with a hint and without the password in any message.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t)
	u := srv.NewCalendar(t, "work")
	const wrong = "Tr0ub4dor&3-wrong"
	cal, err := caldav.New(caldav.Options{URL: u, Username: srv.User, Password: wrong})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = cal.Check(ctx)
	checkAuthError(t, "check", err, wrong, srv.Password)
	_, err = calsync.New(cal, calsync.Options{}).List(ctx, calsync.Owner{Source: "summit"})
	checkAuthError(t, "list", err, wrong, srv.Password)
	_, err = caldav.Discover(ctx, caldav.Options{URL: srv.URL, Username: srv.User, Password: wrong})
	checkAuthError(t, "discover", err, wrong, srv.Password)

	bearer, err := caldav.New(caldav.Options{URL: u, Token: "secret-token-value"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bearer.Check(ctx)
	checkAuthError(t, "check with a token", err, "secret-token-value")
}

func checkAuthError(t *testing.T, what string, err error, secrets ...string) {
	t.Helper()
	if !calsync.IsKind(err, calsync.Auth) {
		t.Fatalf("%s: got %v, want an error of kind %s", what, err, calsync.Auth)
	}
	var ce *calsync.Error
	errors.As(err, &ce)
	if !strings.Contains(ce.Hint, "app-specific password") {
		t.Errorf("%s: hint %q", what, ce.Hint)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("%s: the error shows a secret: %v", what, err)
		}
	}
}

// TestDroppedConnections loses answers and connections during a sync: the
// writes whose answers were lost are recognised on the retry; a run cut
// off for good fails, and the next one converges without duplicates.
func TestDroppedConnections(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()

	puts := 0
	r.proxy.SetFault(func(_ int, req *http.Request) radicaletest.Fault {
		if req.Method != http.MethodPut {
			return radicaletest.Pass
		}
		puts++
		switch puts {
		case 2, 5:
			return radicaletest.DropAfter // written, answer lost
		case 3:
			return radicaletest.DropBefore // never arrived
		}
		return radicaletest.Pass
	})
	_, res := r.sync(t, p, p.Sessions)
	if res.Done != len(p.Sessions) || res.Failed != 0 {
		t.Fatalf("result: %s", result(res))
	}
	already := 0
	for _, o := range res.Outcomes {
		if o.Detail == "already there" {
			already++
		}
	}
	if already != 2 {
		t.Errorf("%d writes recognised as already done, want 2:\n%s", already, result(res))
	}
	checkConverged(t, r, p, p.Sessions)

	// Cut the connection for good after two more writes.
	session(p, "s0").Title = programme.Plain("Session 0, moved")
	var chosen []*programme.Session
	for _, s := range p.Sessions {
		if s.ID != "s1" {
			chosen = append(chosen, s)
		}
	}
	chosen = append(chosen, extraSessions(p, 6)...)
	writes := 0
	r.proxy.SetFault(func(_ int, req *http.Request) radicaletest.Fault {
		if req.Method == http.MethodPut || req.Method == http.MethodDelete {
			writes++
		}
		if writes > 2 {
			return radicaletest.DropBefore
		}
		return radicaletest.Pass
	})
	res, err := r.apply(r.plan(t, p, chosen), nil)
	if err == nil || res.Failed == 0 {
		t.Fatalf("a run cut off succeeded:\n%s", result(res))
	}
	r.proxy.SetFault(nil)
	r.sync(t, p, chosen)
	checkConverged(t, r, p, chosen)
	r.proxy.Reset()
	if plan, _ := r.sync(t, p, chosen); plan.Pending() || r.proxy.Writes() != 0 {
		t.Fatalf("not converged:\n%s", renderPlan(plan))
	}
}

// extraSessions adds n sessions to p and returns them.
func extraSessions(p *programme.Programme, n int) []*programme.Session {
	base := p.Sessions[0]
	var out []*programme.Session
	for i := 0; i < n; i++ {
		s := *base
		s.ID = fmt.Sprintf("extra%d", i)
		s.UIDKey = s.ID
		s.Title = programme.Plain("Extra " + s.ID)
		s.Start = base.Start.AddDate(0, 0, 2).Add(time.Duration(i) * time.Hour)
		s.End = s.Start.Add(30 * time.Minute)
		p.Sessions = append(p.Sessions, &s)
		out = append(out, &s)
	}
	return out
}

// TestServerKilledMidApply kills Radicale in the middle of a sync and
// starts it again: the next run converges without duplicates.
func TestServerKilledMidApply(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	plan := r.plan(t, p, p.Sessions)
	res, err := r.apply(plan, func(done, _ int) {
		if done == 3 {
			r.srv.Stop()
		}
	})
	if err == nil || res.Done < 3 || res.Done == len(p.Sessions) {
		t.Fatalf("apply against a killed server: %v\n%s", err, result(res))
	}
	r.srv.Restart()
	r.sync(t, p, p.Sessions)
	checkConverged(t, r, p, p.Sessions)
}

// checkConverged checks that the calendar holds exactly one object per
// chosen session, each up to date.
func checkConverged(t *testing.T, r *rig, p *programme.Programme, chosen []*programme.Session) {
	t.Helper()
	objs := owned(r.objects(t)) // objects fails on a duplicate UID
	got, want := keys(objs), uids(p, chosen)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("UIDs in the calendar:\n%v\nwant\n%v", got, want)
	}
	for _, s := range chosen {
		if got := objs[p.UID(s)].text(ical.PropSummary); got != s.Title.In("") {
			t.Errorf("%s: SUMMARY %q, want %q", s.ID, got, s.Title.In(""))
		}
	}
}

// TestUIDTakenByAnotherObject syncs into a calendar that already holds an
// imported copy of one session: the server refuses a second object with
// that UID, the step fails with an explanation, the rest goes through.
func TestUIDTakenByAnotherObject(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	s0 := session(p, "s0")
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Other//Client//EN")
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, p.UID(s0))
	ev.Props.SetDateTime(ical.PropDateTimeStamp, s0.Start)
	ev.Props.SetDateTime(ical.PropDateTimeStart, s0.Start.UTC())
	ev.Props.SetText(ical.PropSummary, "Imported from the feed")
	cal.Children = append(cal.Children, ev.Component)
	putObject(t, r.srv, r.calURL+"imported.ics", cal, nil)

	plan := r.plan(t, p, p.Sessions)
	res, err := r.apply(plan, nil)
	if err == nil || res.Failed != 1 || res.Done != len(p.Sessions)-1 {
		t.Fatalf("apply: %v\n%s", err, result(res))
	}
	for _, o := range res.Outcomes {
		if o.Status == calsync.Failed && !strings.Contains(o.Detail, "already has the session's UID") {
			t.Errorf("failure without the explanation: %+v", o)
		}
	}
}

package caldav_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
	"github.com/confcal/confcal/sync/caldav/radicaletest"
)

// testProgramme returns a programme whose sessions exercise what a
// calendar object must carry: local times in Paris, a session in the hour
// the autumn change repeats, one without a published end, an all-day one,
// a tentative one, and text with commas, semicolons, line breaks and
// non-ASCII letters long enough to be folded.
func testProgramme() *programme.Programme {
	loc, _ := time.LoadLocation("Europe/Paris")
	p := &programme.Programme{ID: "summit", Name: programme.Plain("Summit"), TimeZone: "Europe/Paris", Location: loc,
		Domain: "summit.example"}
	hall := &programme.Venue{ID: "hall", Name: programme.Plain("Grand Palais"), Address: "3 avenue du Général-Eisenhower, Paris", Location: loc}
	p.Venues = []*programme.Venue{hall}
	add := func(id string, start time.Time, length time.Duration, title string) *programme.Session {
		s := &programme.Session{ID: id, UIDKey: id, Title: programme.Plain(title), Start: start, Venue: hall,
			Status: programme.Confirmed, URL: "https://summit.example/s/" + id}
		if length > 0 {
			s.End = start.Add(length)
		}
		p.Sessions = append(p.Sessions, s)
		return s
	}
	day := time.Date(2025, 2, 10, 9, 0, 0, 0, loc)
	for i := 0; i < 5; i++ {
		s := add(fmt.Sprintf("s%d", i), day.Add(time.Duration(i)*time.Hour), 45*time.Minute, fmt.Sprintf("Session %d", i))
		s.Description = programme.Plain(fmt.Sprintf("About session %d.\nSecond line; with a semicolon, and a comma.", i))
	}
	add("long", day.Add(6*time.Hour), time.Hour,
		"Gouvernance mondiale de l'intelligence artificielle : sécurité, éthique, économie et société — table ronde")
	add("noend", day.Add(8*time.Hour), 0, "Reception")
	autumn := time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC) // 02:30 CEST, a time Paris sees twice
	add("dst", autumn, 90*time.Minute, "Night session across the change")
	tent := add("tentative", day.Add(24*time.Hour), time.Hour, "To be confirmed")
	tent.Status = programme.Tentative
	p.Sessions = append(p.Sessions, &programme.Session{ID: "expo", UIDKey: "expo", Title: programme.Plain("Exhibition"),
		AllDay: true, StartDate: programme.Date{Year: 2025, Month: 2, Day: 10}, EndDate: programme.Date{Year: 2025, Month: 2, Day: 11},
		Venue: hall, Status: programme.Confirmed})
	return p
}

// rig is a Radicale, a proxy in front of it, and a calendar reached
// through the proxy.
type rig struct {
	srv     *radicaletest.Server
	proxy   *radicaletest.Proxy
	cal     *caldav.Calendar
	calURL  string // the collection, on the server itself
	journal *calsync.Journal
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv := radicaletest.Start(t)
	proxy := srv.Proxy(t)
	cal := newCalendar(t, srv, proxy.URL)
	proxy.Reset()
	return &rig{srv: srv, proxy: proxy, cal: cal, calURL: serverURL(srv, cal.URL()), journal: calsync.NewJournal(calsync.JournalData{})}
}

func (r *rig) engine() *calsync.Engine {
	return calsync.New(r.cal, calsync.Options{Rate: 1e6, Burst: 100, MaxAttempts: 3,
		Sleep: func(context.Context, time.Duration) error { return nil }})
}

// plan reads the calendar and plans the sync of chosen.
func (r *rig) plan(t *testing.T, p *programme.Programme, chosen []*programme.Session) *calsync.Plan {
	t.Helper()
	have, err := r.engine().List(context.Background(), calsync.Owner{Source: p.ID})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	want, err := calsync.Build(p, chosen, calsync.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan := calsync.Diff(want, have, calsync.DiffOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Journal: r.journal})
	if err := plan.Check(calsync.BrakeOptions{}); err != nil {
		t.Fatalf("brakes: %v", err)
	}
	return plan
}

func (r *rig) apply(plan *calsync.Plan, progress func(done, total int)) (*calsync.Result, error) {
	r.journal.NotePlan(plan)
	return r.engine().Apply(context.Background(), plan, calsync.ApplyOptions{Journal: r.journal, Progress: progress})
}

// sync plans and applies, and fails the test when anything fails.
func (r *rig) sync(t *testing.T, p *programme.Programme, chosen []*programme.Session) (*calsync.Plan, *calsync.Result) {
	t.Helper()
	plan := r.plan(t, p, chosen)
	res, err := r.apply(plan, nil)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, result(res))
	}
	return plan, res
}

func result(res *calsync.Result) string {
	if res == nil {
		return ""
	}
	var b bytes.Buffer
	calsync.RenderResult(&b, res) //nolint:errcheck // a buffer
	return b.String()
}

// object is an event as a second client reads it, with plain REPORT
// requests and its own parsing.
type object struct {
	href, etag string
	data       []byte
	event      *ical.Component
}

// objects lists the calendar's events the way another client would.
func (r *rig) objects(t *testing.T) map[string]object {
	t.Helper()
	q := `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`
	resp, body := r.srv.Do(t, "REPORT", r.calURL, http.Header{"Depth": {"1"}, "Content-Type": {"application/xml"}}, []byte(q))
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("REPORT: %s", resp.Status)
	}
	var ms struct {
		Responses []struct {
			Href string `xml:"href"`
			ETag string `xml:"propstat>prop>getetag"`
			Data string `xml:"propstat>prop>calendar-data"`
		} `xml:"response"`
	}
	if err := xml.Unmarshal(body, &ms); err != nil {
		t.Fatal(err)
	}
	out := map[string]object{}
	for _, resp := range ms.Responses {
		if resp.Data == "" {
			continue
		}
		obj, err := ical.NewDecoder(strings.NewReader(resp.Data)).Decode()
		if err != nil {
			t.Fatalf("%s: %v", resp.Href, err)
		}
		o := object{href: resp.Href, etag: resp.ETag, data: []byte(resp.Data)}
		var uid string
		for _, c := range obj.Children {
			if c.Name == ical.CompEvent || c.Name == ical.CompToDo {
				o.event = c
				uid = textOf(c.Props.Get(ical.PropUID))
			}
		}
		if _, dup := out[uid]; dup {
			t.Fatalf("two objects hold UID %s", uid)
		}
		out[uid] = o
	}
	return out
}

func (o object) text(name string) string { return textOf(o.event.Props.Get(name)) }

func (o object) start(t *testing.T) time.Time {
	t.Helper()
	v, err := o.event.Props.DateTime(ical.PropDateTimeStart, time.UTC)
	if err != nil {
		t.Fatalf("%s: DTSTART: %v", o.href, err)
	}
	return v
}

// owned returns the objects carrying confcal's marker.
func owned(objs map[string]object) map[string]object {
	out := map[string]object{}
	for uid, o := range objs {
		if o.text(caldav.PropOwner) == calsync.Tool {
			out[uid] = o
		}
	}
	return out
}

func uids(p *programme.Programme, ss []*programme.Session) []string {
	var out []string
	for _, s := range ss {
		out = append(out, p.UID(s))
	}
	slices.Sort(out)
	return out
}

func keys(m map[string]object) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func session(p *programme.Programme, id string) *programme.Session {
	for _, s := range p.Sessions {
		if s.ID == id {
			return s
		}
	}
	panic("no session " + id)
}

func TestFirstSyncAndNoopResync(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	plan, res := r.sync(t, p, p.Sessions)
	if c := plan.Counts(); c.Add != len(p.Sessions) || c.Change+c.Remove+c.Keep != 0 {
		t.Fatalf("first plan: %+v", c)
	}
	if res.Done != len(p.Sessions) {
		t.Fatalf("first sync: %s", result(res))
	}
	if got := r.proxy.Count(http.MethodPut); got != len(p.Sessions) {
		t.Errorf("first sync sent %d PUTs, want %d", got, len(p.Sessions))
	}
	objs := r.objects(t)
	if got, want := keys(objs), uids(p, p.Sessions); !slices.Equal(got, want) {
		t.Fatalf("UIDs in the calendar:\n%v\nwant the feeds' UIDs:\n%v", got, want)
	}
	for _, s := range p.Sessions {
		o := objs[p.UID(s)]
		if got, want := o.text(ical.PropSummary), s.Title.In(""); got != want {
			t.Errorf("%s: SUMMARY %q, want %q", s.ID, got, want)
		}
		if !strings.HasSuffix(o.href, calsync.EventID(calsync.Owner{Source: p.ID}, p.UID(s))+".ics") {
			t.Errorf("%s: stored at %s", s.ID, o.href)
		}
	}

	r.proxy.Reset()
	plan, res = r.sync(t, p, p.Sessions)
	if plan.Pending() {
		t.Fatalf("a second sync plans changes:\n%s", renderPlan(plan))
	}
	if w := r.proxy.Writes(); w != 0 {
		t.Fatalf("a no-op sync wrote %d times", w)
	}
	if n := r.proxy.Count(); n != 1 {
		t.Fatalf("a no-op sync sent %d requests, want 1 REPORT", n)
	}
	if res.Done != 0 {
		t.Fatalf("no-op result: %s", result(res))
	}
}

func renderPlan(plan *calsync.Plan) string {
	var b bytes.Buffer
	calsync.Render(&b, plan, calsync.RenderOptions{}) //nolint:errcheck // a buffer
	return b.String()
}

func TestChangesAndRemovals(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	r.sync(t, p, p.Sessions)

	session(p, "s1").Title = programme.Plain("Session 1, renamed")
	moved := session(p, "s2")
	moved.Start, moved.End = moved.Start.Add(90*time.Minute), moved.End.Add(90*time.Minute)
	session(p, "s3").Location = "Salon d'honneur"
	var chosen []*programme.Session
	for _, s := range p.Sessions {
		if s.ID != "s4" && s.ID != "long" {
			chosen = append(chosen, s)
		}
	}
	r.proxy.Reset()
	plan, res := r.sync(t, p, chosen)
	if c := plan.Counts(); c.Change != 3 || c.Remove != 2 || c.Add != 0 {
		t.Fatalf("plan: %+v\n%s", c, renderPlan(plan))
	}
	if res.Done != 5 {
		t.Fatalf("result: %s", result(res))
	}
	if got := r.proxy.Count(http.MethodPut); got != 3 {
		t.Errorf("%d PUTs, want 3", got)
	}
	if got := r.proxy.Count(http.MethodDelete); got != 2 {
		t.Errorf("%d DELETEs, want 2", got)
	}
	objs := r.objects(t)
	if got, want := keys(objs), uids(p, chosen); !slices.Equal(got, want) {
		t.Fatalf("UIDs: %v, want %v", got, want)
	}
	if got := objs[p.UID(session(p, "s1"))].text(ical.PropSummary); got != "Session 1, renamed" {
		t.Errorf("renamed session: SUMMARY %q", got)
	}
	if got := objs[p.UID(moved)].start(t); !got.Equal(moved.Start) {
		t.Errorf("moved session starts at %v, want %v", got, moved.Start)
	}
	if got := objs[p.UID(session(p, "s3"))].text(ical.PropLocation); !strings.Contains(got, "Salon d'honneur") {
		t.Errorf("relocated session: LOCATION %q", got)
	}
	if seq := objs[p.UID(moved)].text(ical.PropSequence); seq != "1" {
		t.Errorf("moved session: SEQUENCE %q, want 1", seq)
	}

	r.proxy.Reset()
	plan, _ = r.sync(t, p, chosen)
	if plan.Pending() || r.proxy.Writes() != 0 {
		t.Fatalf("the sync after the changes is not a no-op:\n%s", renderPlan(plan))
	}
}

// foreignObjects puts events other clients made into the calendar and
// returns their URLs: a user's own event, an event another programme's
// sync owns, an object named like one of this programme's events but
// without a marker, and a task.
func foreignObjects(t *testing.T, r *rig, p *programme.Programme) []string {
	t.Helper()
	mk := func(name, uid string, comp string, extra map[string]string) string {
		cal := ical.NewCalendar()
		cal.Props.SetText(ical.PropVersion, "2.0")
		cal.Props.SetText(ical.PropProductID, "-//Other//Client//EN")
		ev := ical.NewComponent(comp)
		ev.Props.SetText(ical.PropUID, uid)
		ev.Props.SetDateTime(ical.PropDateTimeStamp, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		ev.Props.SetDateTime(ical.PropDateTimeStart, time.Date(2025, 2, 10, 12, 0, 0, 0, time.UTC))
		ev.Props.SetText(ical.PropSummary, "Not confcal's: "+name)
		for k, v := range extra {
			ev.Props.SetText(k, v)
		}
		cal.Children = append(cal.Children, ev)
		u := r.calURL + name
		putObject(t, r.srv, u, cal, http.Header{"If-None-Match": {"*"}})
		return u
	}
	other := calsync.Owner{Source: "another-conference"}
	taken := calsync.EventID(calsync.Owner{Source: p.ID}, p.UID(session(p, "s0")))
	return []string{
		mk("dentist.ics", "dentist-1@example.org", ical.CompEvent, nil),
		mk(calsync.EventID(other, "x1@other.example")+".ics", "x1@other.example", ical.CompEvent, map[string]string{
			caldav.PropOwner: "confcal", caldav.PropSource: other.Source, caldav.PropUID: "x1@other.example",
			caldav.PropHash: "0", caldav.PropSchema: "1"}),
		mk(taken+".ics", "squatter@example.org", ical.CompEvent, nil),
		mk("task.ics", "task-1@example.org", ical.CompToDo, nil),
	}
}

func snapshot(t *testing.T, r *rig, urls []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, u := range urls {
		resp, body := r.srv.Do(t, http.MethodGet, u, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		out[u] = resp.Header.Get("ETag") + "\n" + string(body)
	}
	return out
}

func TestForeignEventsUntouched(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	p := testProgramme()
	foreign := foreignObjects(t, r, p)
	before := snapshot(t, r, foreign)
	r.proxy.Reset()

	plan := r.plan(t, p, p.Sessions)
	if plan.Foreign < 3 {
		t.Errorf("plan counts %d foreign events, want at least 3", plan.Foreign)
	}
	if cs := plan.Conflicts(); len(cs) != 1 || cs[0].Session != "s0" {
		t.Fatalf("conflicts: %+v", cs)
	}
	res, err := r.apply(plan, nil)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, result(res))
	}
	// Remove everything confcal owns; the brakes need force for that.
	want, _ := calsync.Build(p, p.Sessions[:1], calsync.BuildOptions{})
	have, err := r.engine().List(context.Background(), calsync.Owner{Source: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	plan = calsync.Diff(want, have, calsync.DiffOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if c := plan.Counts(); c.Remove != len(p.Sessions)-1 {
		t.Fatalf("removal plan: %+v\n%s", c, renderPlan(plan))
	}
	if res, err := r.apply(plan, nil); err != nil {
		t.Fatalf("apply: %v\n%s", err, result(res))
	}
	if after := snapshot(t, r, foreign); !equalMaps(before, after) {
		t.Fatalf("foreign objects changed:\nbefore %v\nafter  %v", before, after)
	}
	if left := owned(r.objects(t)); len(left) != 1 { // the other programme's
		t.Fatalf("owned objects left: %v", keys(left))
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

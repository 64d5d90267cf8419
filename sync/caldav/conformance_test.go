package caldav_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-ical"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
	"github.com/confcal/confcal/sync/caldav/radicaletest"
	"github.com/confcal/confcal/sync/calendartest"
)

// newCalendar makes a new calendar collection on srv and returns the
// backend for it, reached at base (srv.URL, or a proxy's).
func newCalendar(t *testing.T, srv *radicaletest.Server, base string) *caldav.Calendar {
	t.Helper()
	name := fmt.Sprintf("cal%d", calendarSeq.Add(1))
	u := srv.NewCalendar(t, name)
	u = base + strings.TrimPrefix(u, srv.URL)
	cal, err := caldav.New(caldav.Options{URL: u, Username: srv.User, Password: srv.Password})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

var calendarSeq atomic.Int64

// TestConformance runs the engine's conformance suite against Radicale.
func TestConformance(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t)
	calendartest.Run(t, calendartest.Harness{
		New: func(t *testing.T) calsync.Calendar { return newCalendar(t, srv, srv.URL) },
		SetNotes: func(t *testing.T, c calsync.Calendar, id, notes string) {
			editObject(t, srv, c.(*caldav.Calendar), id, func(ev *ical.Component) {
				desc := ev.Props.Get(ical.PropDescription)
				managed, _ := calsync.SplitNotes(textOf(desc))
				desc.SetText(calsync.JoinNotes(managed, notes))
				addUserFields(ev)
			})
		},
		UserFields: func(t *testing.T, c calsync.Calendar, id string) string {
			return userFields(t, srv, c.(*caldav.Calendar), id)
		},
	})
}

// addUserFields adds what a user might in a calendar app: an alarm, a
// colour and a category.
func addUserFields(ev *ical.Component) {
	alarm := ical.NewComponent(ical.CompAlarm)
	alarm.Props.SetText(ical.PropAction, "DISPLAY")
	alarm.Props.SetText(ical.PropDescription, "Reminder")
	trigger := ical.NewProp(ical.PropTrigger)
	trigger.Value = "-PT15M"
	alarm.Props.Set(trigger)
	ev.Children = append(ev.Children, alarm)
	ev.Props.SetText(ical.PropColor, "tomato")
	ev.Props.SetText(ical.PropCategories, "Must see")
}

// userFields returns the user's additions to event id, as text.
func userFields(t *testing.T, srv *radicaletest.Server, cal *caldav.Calendar, id string) string {
	t.Helper()
	_, obj := getObject(t, srv, cal, id)
	ev := event(t, obj)
	var b strings.Builder
	for _, name := range []string{ical.PropColor, ical.PropCategories} {
		fmt.Fprintf(&b, "%s=%s ", name, textOf(ev.Props.Get(name)))
	}
	for _, c := range ev.Children {
		fmt.Fprintf(&b, "%s(%s) ", c.Name, textOf(c.Props.Get(ical.PropTrigger)))
	}
	return b.String()
}

// getObject reads the object of event id as another client would.
func getObject(t *testing.T, srv *radicaletest.Server, cal *caldav.Calendar, id string) (etag string, obj *ical.Calendar) {
	t.Helper()
	resp, body := srv.Do(t, http.MethodGet, serverURL(srv, cal.ObjectURL(id)), nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", id, resp.Status)
	}
	obj, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parse %s: %v", id, err)
	}
	return resp.Header.Get("ETag"), obj
}

// editObject changes event id as another client would: read, edit, write
// back with If-Match.
func editObject(t *testing.T, srv *radicaletest.Server, cal *caldav.Calendar, id string, edit func(ev *ical.Component)) {
	t.Helper()
	etag, obj := getObject(t, srv, cal, id)
	edit(event(t, obj))
	putObject(t, srv, serverURL(srv, cal.ObjectURL(id)), obj, http.Header{"If-Match": {etag}})
}

func putObject(t *testing.T, srv *radicaletest.Server, u string, obj *ical.Calendar, h http.Header) {
	t.Helper()
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(obj); err != nil {
		t.Fatal(err)
	}
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	resp, body := srv.Do(t, http.MethodPut, u, h, buf.Bytes())
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %s %s", u, resp.Status, body)
	}
}

// serverURL turns a URL through a proxy into the server's own.
func serverURL(srv *radicaletest.Server, u string) string {
	i := strings.Index(u, "/"+srv.User+"/")
	return srv.URL + u[i+1:]
}

func event(t *testing.T, obj *ical.Calendar) *ical.Component {
	t.Helper()
	for _, c := range obj.Children {
		if c.Name == ical.CompEvent {
			return c
		}
	}
	t.Fatal("no VEVENT in the object")
	return nil
}

func textOf(p *ical.Prop) string {
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return p.Value
	}
	return s
}

// TestMarkerSurvivesServer checks that the marker and the UID come back
// from what Radicale stored, which it rewrites through its own parser.
func TestMarkerSurvivesServer(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t)
	cal := newCalendar(t, srv, srv.URL)
	ctx := context.Background()
	it := calendartest.Item(7, "Keynote, with commas; and semicolons")
	if _, err := cal.Insert(ctx, it); err != nil {
		t.Fatal(err)
	}
	stored, err := filepath.Glob(filepath.Join(srv.Dir, "collections", "collection-root", srv.User, "*", it.ID+".ics"))
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored file: %v %v", stored, err)
	}
	data, err := os.ReadFile(stored[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UID:" + it.Marker.UID, "X-CONFCAL-OWNER:confcal", "X-CONFCAL-SOURCE:conformance",
		"X-CONFCAL-UID:" + it.Marker.UID, "X-CONFCAL-SCHEMA:1", "X-CONFCAL-GENERATION:0"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the stored object lacks %q:\n%s", want, data)
		}
	}
	got, err := cal.Get(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Marker != it.Marker {
		t.Fatalf("marker after a round trip: %+v, want %+v", got.Marker, it.Marker)
	}
	if got.Fields.Title != it.Fields.Title {
		t.Fatalf("title after a round trip: %q", got.Fields.Title)
	}
}

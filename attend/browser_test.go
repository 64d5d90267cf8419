package attend_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	calendar "google.golang.org/api/calendar/v3"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/internal/browsertest"
	"github.com/confcal/confcal/page"
	"github.com/confcal/confcal/serve"
	"github.com/confcal/confcal/sync/google/googletest"
)

// TestBrowserSyncToGoogle is an attendee in headless Chromium: on the
// discovery page they tick two sessions, click "Sync to Google Calendar",
// allow on Google's (the fake's) consent page and land on the result
// page; their new calendar holds exactly those two sessions. Then one of
// them moves room and time: after the next edition the calendar shows
// it, with no duplicate, and the event of their own calendar that confcal
// did not make is untouched.
func TestBrowserSyncToGoogle(t *testing.T) {
	bin := browsertest.Need(t)
	s := newSite(t, attend.NewMemory())
	foreign, err := s.fake.PutEvent(googletest.Primary, &calendar.Event{Summary: "Dentist",
		Start: &calendar.EventDateTime{DateTime: "2025-03-10T10:00:00+01:00"}, End: &calendar.EventDateTime{DateTime: "2025-03-10T11:00:00+01:00"}})
	if err != nil {
		t.Fatal(err)
	}
	live := serve.NewLive(serve.LiveOptions{Page: page.Options{BaseURL: strings.TrimSuffix(s.base, "/"), SyncStart: attend.StartPath}})
	if err := live.Publish(s.set.Load()); err != nil {
		t.Fatal(err)
	}
	// The feed server with the attendee pages mounted, where the site's
	// pages were: the same address, so the redirect URI stays.
	s.handler.Store(&handlerBox{serve.NewHandler(live, serve.HandlerOptions{Mount: func(mux *http.ServeMux) { s.web.Register(mux, "/") }})})

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b, err := browsertest.Launch(ctx, bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tab, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Call(ctx, tab, "Page.navigate", map[string]any{"url": s.base}); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitEval(ctx, t, b, tab, `document.readyState === "complete" && !!document.getElementById("agenda-panel")`)
	for _, id := range []string{"engines", "paint"} {
		browsertest.Click(ctx, t, b, tab, `input[name=session][value="`+id+`"]`)
	}
	browsertest.WaitEval(ctx, t, b, tab, `!document.getElementById("agenda-links").hidden`)
	href := browsertest.Eval[string](ctx, t, b, tab, `document.getElementById("agenda-sync").href`)
	if u, err := url.Parse(href); err != nil || u.Path != "/"+attend.StartPath || u.Query().Get("session") != "engines,paint" {
		t.Fatalf("the sync button goes to %q", href)
	}
	browsertest.Click(ctx, t, b, tab, "#agenda-sync")
	browsertest.WaitEval(ctx, t, b, tab, `!!document.getElementById("allow")`)
	browsertest.Click(ctx, t, b, tab, "#allow")
	browsertest.WaitEval(ctx, t, b, tab, `!!document.getElementById("manage")`)
	if got := browsertest.Eval[string](ctx, t, b, tab, `document.getElementById("sessions").innerText`); !strings.Contains(got, "Analytical engines") || !strings.Contains(got, "Painting with numbers") {
		t.Errorf("the result page lists %q", got)
	}
	want := []string{"Analytical engines @ 2025-03-10T10:00:00+01:00", "Dentist @ 2025-03-10T10:00:00+01:00", "Painting with numbers @ 2025-03-10T10:30:00+01:00"}
	if got := s.events(); !slices.Equal(got, want) {
		t.Fatalf("the calendars hold %q, want %q", got, want)
	}

	moved := strings.Replace(feedtest.ServerProgramme, "start: 2025-03-10T10:00, end: 2025-03-10T11:00, venue: hall, room: a",
		"start: 2025-03-10T16:00, end: 2025-03-10T17:00, venue: hall, room: b", 1)
	set := feedtest.BuildSet(t, moved)
	s.set.Store(set)
	live.Publish(set)
	if _, err := s.worker.OnEdition(ctx, set); err != nil {
		t.Fatal(err)
	}
	if _, err := s.worker.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want = []string{"Analytical engines @ 2025-03-10T16:00:00+01:00", "Dentist @ 2025-03-10T10:00:00+01:00", "Painting with numbers @ 2025-03-10T10:30:00+01:00"}
	if got := s.events(); !slices.Equal(got, want) {
		t.Errorf("after the move: %q, want %q", got, want)
	}
	for _, cal := range s.fake.Calendars() {
		for _, ev := range s.fake.Events(cal) {
			if ev.Summary == "Analytical engines" && !strings.Contains(ev.Location, "Room B") {
				t.Errorf("the moved session is at %q", ev.Location)
			}
		}
	}
	if ev := s.fake.Events(googletest.Primary); len(ev) != 1 || ev[0].Id != foreign || ev[0].Summary != "Dentist" {
		t.Errorf("the attendee's own calendar was touched: %+v", ev)
	}
	if errs := b.Exceptions(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

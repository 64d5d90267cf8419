package googletest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/confcal/confcal/sync/google/googletest"
)

func setup(t *testing.T) (*googletest.Server, *calendar.Service, string) {
	t.Helper()
	srv := googletest.NewServer()
	t.Cleanup(srv.Close)
	svc, err := calendar.NewService(context.Background(), option.WithEndpoint(srv.Endpoint()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	cal, err := svc.Calendars.Insert(&calendar.Calendar{Summary: "Summit", TimeZone: "Europe/Paris"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	return srv, svc, cal.Id
}

func event(id string, props map[string]string) *calendar.Event {
	ev := &calendar.Event{Id: id, Summary: "Talk " + id,
		Start: &calendar.EventDateTime{DateTime: "2025-02-10T09:00:00+01:00", TimeZone: "Europe/Paris"},
		End:   &calendar.EventDateTime{DateTime: "2025-02-10T10:00:00+01:00", TimeZone: "Europe/Paris"}}
	if props != nil {
		ev.ExtendedProperties = &calendar.EventExtendedProperties{Private: props}
	}
	return ev
}

func code(err error) (int, string) {
	var g *googleapi.Error
	if !errors.As(err, &g) {
		return 0, ""
	}
	reason := ""
	if len(g.Errors) > 0 {
		reason = g.Errors[0].Reason
	}
	return g.Code, reason
}

func TestIDRulesAndTombstones(t *testing.T) {
	_, svc, cal := setup(t)
	for _, bad := range []string{"abc", "UPPER12345", "with-dash1", "wxyz12345"} {
		if _, err := svc.Events.Insert(cal, event(bad, nil)).Do(); func() int { c, _ := code(err); return c }() != 400 {
			t.Errorf("id %q: %v, want 400", bad, err)
		}
	}
	ev, err := svc.Events.Insert(cal, event("abcde12345", nil)).Do()
	if err != nil {
		t.Fatal(err)
	}
	if c, r := code(func() error { _, err := svc.Events.Insert(cal, event("abcde12345", nil)).Do(); return err }()); c != 409 || r != "duplicate" {
		t.Fatalf("duplicate id: %d %s", c, r)
	}
	stale := ev.Etag
	upd := svc.Events.Update(cal, ev.Id, event(ev.Id, nil))
	upd.Header().Set("If-Match", stale)
	if _, err := upd.Do(); err != nil {
		t.Fatal(err)
	}
	del := svc.Events.Delete(cal, ev.Id)
	del.Header().Set("If-Match", stale)
	if c, _ := code(del.Do()); c != 412 {
		t.Fatalf("stale If-Match on delete: %d", c)
	}
	if err := svc.Events.Delete(cal, ev.Id).Do(); err != nil {
		t.Fatal(err)
	}
	if c, r := code(svc.Events.Delete(cal, ev.Id).Do()); c != 410 || r != "deleted" {
		t.Fatalf("second delete: %d %s", c, r)
	}
	if c, _ := code(func() error { _, err := svc.Events.Insert(cal, event("abcde12345", nil)).Do(); return err }()); c != 409 {
		t.Fatalf("insert over a tombstone: %d, want 409", c)
	}
	got, err := svc.Events.Get(cal, ev.Id).Do()
	if err != nil || got.Status != "cancelled" || got.Summary != "" || got.ExtendedProperties != nil {
		t.Fatalf("tombstone: %+v %v", got, err)
	}
	// An update brings a tombstone back.
	if _, err := svc.Events.Update(cal, ev.Id, event(ev.Id, nil)).Do(); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Events.Get(cal, ev.Id).Do(); got.Status != "confirmed" {
		t.Fatalf("restored: %s", got.Status)
	}
}

func TestListPagingFilterDeletedAndSyncTokens(t *testing.T) {
	srv, svc, cal := setup(t)
	srv.PageLimit = 3
	srv.EmptyPages = true
	for i := 0; i < 10; i++ {
		props := map[string]string{"cc.src": "summit"}
		if i%2 == 1 {
			props = map[string]string{"cc.src": "other"}
		}
		if _, err := svc.Events.Insert(cal, event(fmt.Sprintf("ev%05d", i), props)).Do(); err != nil {
			t.Fatal(err)
		}
	}
	svc.Events.Delete(cal, "ev00000").Do()
	count := func(call *calendar.EventsListCall) (n, pages int, token string) {
		err := call.Pages(context.Background(), func(p *calendar.Events) error {
			n += len(p.Items)
			pages++
			if p.NextSyncToken != "" {
				token = p.NextSyncToken
			}
			if p.NextSyncToken != "" && p.NextPageToken != "" {
				t.Error("a page with both tokens")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, pages, token
	}
	if n, pages, _ := count(svc.Events.List(cal).MaxResults(2500)); n != 9 || pages < 4 {
		t.Errorf("live events: %d in %d pages", n, pages)
	}
	if n, _, _ := count(svc.Events.List(cal).ShowDeleted(true)); n != 10 {
		t.Errorf("with deleted: %d", n)
	}
	if n, _, _ := count(svc.Events.List(cal).PrivateExtendedProperty("cc.src=summit")); n != 4 {
		t.Errorf("filtered: %d", n)
	}
	_, _, token := count(svc.Events.List(cal))
	if token == "" {
		t.Fatal("no sync token")
	}
	svc.Events.Delete(cal, "ev00002").Do()
	srv.EditEvent(cal, "ev00003", func(ev *calendar.Event) { ev.Summary = "edited" })
	if n, _, _ := count(svc.Events.List(cal).SyncToken(token)); n != 2 {
		t.Errorf("incremental: %d changes, want 2", n)
	}
	if _, err := svc.Events.List(cal).SyncToken(token).PrivateExtendedProperty("cc.src=summit").Do(); func() int { c, _ := code(err); return c }() != 400 {
		t.Errorf("sync token with a filter: %v", err)
	}
	srv.ForceFullSync(cal)
	if c, r := code(func() error { _, err := svc.Events.List(cal).SyncToken(token).Do(); return err }()); c != 410 || r != "fullSyncRequired" {
		t.Errorf("expired token: %d %s", c, r)
	}
}

func TestFaults(t *testing.T) {
	srv, svc, cal := setup(t)
	srv.Inject(googletest.Fault{Kind: googletest.TooManyRequests, Op: "events.insert", RetryAfter: 3e9})
	srv.Inject(googletest.Fault{Kind: googletest.UserRateLimit, Op: "events.insert"})
	srv.Inject(googletest.Fault{Kind: googletest.QuotaExceeded, Op: "events.insert"})
	srv.Inject(googletest.Fault{Kind: googletest.ServerError, Op: "events.insert"})
	srv.Inject(googletest.Fault{Kind: googletest.LostResponse, Op: "events.insert"})
	var got []string
	for i := 0; i < 6; i++ {
		_, err := svc.Events.Insert(cal, event("abcde12345", nil)).Do()
		c, r := code(err)
		var g *googleapi.Error
		if errors.As(err, &g) && g.Header.Get("Retry-After") != "" {
			r += " retry-after " + g.Header.Get("Retry-After")
		}
		if err != nil && c == 0 {
			r = "network error"
		}
		got = append(got, fmt.Sprint(c, " ", r))
	}
	want := []string{"429 rateLimitExceeded retry-after 3", "403 userRateLimitExceeded", "403 quotaExceeded",
		"500 backendError", "0 network error", "409 duplicate"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if c := srv.Counts(); c[http.MethodPost] != 7 { // the calendar and six inserts
		t.Errorf("counts %v", c)
	}
}

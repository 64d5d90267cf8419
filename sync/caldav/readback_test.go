package caldav_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
	"github.com/confcal/confcal/sync/caldav/radicaletest"
)

// python is Debian's interpreter, which sees the python3-* packages
// (vobject comes with radicale); skipped without it, failed in CI.
func python(t *testing.T) string {
	t.Helper()
	const bin = "/usr/bin/python3"
	if err := exec.Command(bin, "-c", "import vobject").Run(); err != nil {
		msg := bin + " with vobject is not available (Debian: apt-get install radicale, which brings python3-vobject)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

type readEvent struct {
	Href, UID, Summary, Location, Description, Status, Start, End, Owner, Source, Hash string
}

// TestReadBackBySecondClient syncs a programme and reads the calendar
// back with another client, its own REPORT and vobject's parser: every
// chosen session is there once, with the feeds' UID, its text and its
// times.
func TestReadBackBySecondClient(t *testing.T) {
	t.Parallel()
	py := python(t)
	r := newRig(t)
	p := testProgramme()
	r.sync(t, p, p.Sessions)

	cmd := exec.Command(py, "testdata/readback.py", r.calURL, r.srv.User)
	cmd.Env = append(os.Environ(), "READBACK_PASSWORD="+r.srv.Password)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("readback.py: %v", err)
	}
	var events []readEvent
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatalf("readback.py: %v\n%s", err, out)
	}
	got := map[string]readEvent{}
	for _, e := range events {
		if _, dup := got[e.UID]; dup {
			t.Fatalf("UID %s twice", e.UID)
		}
		got[e.UID] = e
	}
	want, err := calsync.Build(p, p.Sessions, calsync.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want.Items) {
		t.Fatalf("the second client sees %d events, want %d", len(got), len(want.Items))
	}
	for _, it := range want.Items {
		s := session(p, it.SessionID)
		e, ok := got[p.UID(s)]
		if !ok {
			t.Errorf("%s: no event with the feeds' UID %s", s.ID, p.UID(s))
			continue
		}
		f := it.Fields
		start, end := f.StartDate, f.EndDate
		if !f.AllDay {
			start, end = f.Start.UTC().Format(time.RFC3339), f.End.UTC().Format(time.RFC3339)
		}
		managed, _ := calsync.SplitNotes(e.Description)
		checks := []struct{ what, got, want string }{
			{"summary", e.Summary, f.Title},
			{"location", e.Location, f.Location},
			{"description", managed, f.Description},
			{"status", e.Status, strings.ToUpper(f.Status)},
			{"start", e.Start, start},
			{"end", e.End, end},
			{"owner", e.Owner, calsync.Tool},
			{"source", e.Source, p.ID},
			{"hash", e.Hash, it.Marker.Hash},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: %s %q, want %q", s.ID, c.what, c.got, c.want)
			}
		}
		if !strings.HasSuffix(e.Href, "/"+it.ID+".ics") {
			t.Errorf("%s: stored at %s, want the event id %s", s.ID, e.Href, it.ID)
		}
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t)
	work := srv.NewCalendar(t, "work")
	conf := srv.NewCalendar(t, "conference")
	ctx := context.Background()
	for _, start := range []string{srv.URL, srv.URL + srv.User + "/", work} {
		found, err := caldav.Discover(ctx, caldav.Options{URL: start, Username: srv.User, Password: srv.Password})
		if err != nil {
			t.Fatalf("discover from %s: %v", start, err)
		}
		var urls []string
		for _, f := range found {
			urls = append(urls, f.URL)
			if !f.AcceptsEvents() {
				t.Errorf("%s does not accept events: %v", f.URL, f.Components)
			}
		}
		if strings.Join(urls, " ") != conf+" "+work {
			t.Errorf("discover from %s found %v", start, urls)
		}
		if found[0].Name != "conference" {
			t.Errorf("name %q", found[0].Name)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	srv := radicaletest.Start(t)
	u := srv.NewCalendar(t, "work")
	ctx := context.Background()
	check := func(u string) (caldav.Info, error) {
		cal, err := caldav.New(caldav.Options{URL: u, Username: srv.User, Password: srv.Password})
		if err != nil {
			t.Fatal(err)
		}
		return cal.Check(ctx)
	}
	info, err := check(strings.TrimSuffix(u, "/"))
	if err != nil || info.Name != "work" || info.URL != u {
		t.Fatalf("check %s: %+v, %v", u, info, err)
	}
	if _, err := check(srv.URL + srv.User + "/"); err == nil || !strings.Contains(err.Error(), "is not a calendar") {
		t.Errorf("check of the home: %v", err)
	}
	if _, err := check(srv.URL + srv.User + "/missing/"); err == nil || !strings.Contains(err.Error(), "no calendar at") {
		t.Errorf("check of a missing calendar: %v", err)
	}
}

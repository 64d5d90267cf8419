package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/internal/browsertest"
	pagepkg "github.com/confcal/confcal/page"
)

// TestBrowserAgenda opens the discovery page in headless Chromium, ticks
// two sessions, follows the agenda link the page builds and checks that
// the calendar holds exactly those two sessions. It also checks that the
// page raises no script error and reads as a list on a phone-sized
// screen. Without Chromium it is skipped, except under CI=true, where it
// fails.
func TestBrowserAgenda(t *testing.T) {
	bin := browsertest.Need(t)
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b, err := launchChromium(ctx, bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	page, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Call(ctx, page, "Runtime.enable", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Call(ctx, page, "Page.navigate", map[string]any{"url": srv.URL + "/"}); err != nil {
		t.Fatal(err)
	}
	waitEval(ctx, t, b, page, `document.readyState === "complete" && !!document.getElementById("agenda-panel")`)

	checkFeedLinks(ctx, t, b, page, srv.URL, set)

	// Nothing ticked yet: the panel invites, the links are hidden.
	if got := eval[bool](ctx, t, b, page, `document.getElementById("agenda-links").hidden`); !got {
		t.Error("agenda links shown before any session is ticked")
	}
	// Tick two sessions the way a person does: a click on each label.
	for _, id := range []string{"paint", "engines"} {
		clickSession(ctx, t, b, page, id)
	}
	if got := eval[bool](ctx, t, b, page, `document.getElementById("agenda-links").hidden`); got {
		t.Fatal("agenda links still hidden after ticking two sessions")
	}
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-count").textContent`); got != "2 sessions" {
		t.Errorf("count %q", got)
	}
	link := eval[string](ctx, t, b, page, `document.getElementById("agenda-download").href`)
	wantLink := srv.URL + "/agenda.ics?session=engines,paint"
	if link != wantLink {
		t.Errorf("agenda link %q, want %q", link, wantLink)
	}
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-webcal").href`); got != "webcal://"+strings.TrimPrefix(wantLink, "http://") {
		t.Errorf("webcal link %q", got)
	}
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-google").href`); !strings.HasPrefix(got, "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F") {
		t.Errorf("Google link %q", got)
	}
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-url").value`); got != link {
		t.Errorf("copyable URL %q", got)
	}
	// The script builds the agenda's links as the server would, under the
	// name the server gives the agenda's calendar.
	want := pagepkg.LinksFor(srv.URL, "agenda.ics?session=engines,paint", set.AgendaTitle())
	for id, want := range map[string]string{"agenda-google": want.Google, "agenda-outlook": want.Outlook, "agenda-outlook-work": want.OutlookWork} {
		if got := eval[string](ctx, t, b, page, `document.getElementById("`+id+`").href`); got != want {
			t.Errorf("%s:\n got %s\nwant %s", id, got, want)
		}
	}

	// Follow the link from the page, as the browser would.
	raw := eval[string](ctx, t, b, page, `fetch(document.getElementById("agenda-download").href).then(async r =>
		JSON.stringify({status: r.status, type: r.headers.get("content-type"), body: await r.text()}))`)
	var got struct {
		Status int
		Type   string
		Body   string
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || got.Type != calendarType {
		t.Fatalf("agenda: %d %s", got.Status, got.Type)
	}
	if !strings.Contains(got.Body, "\r\nNAME:"+set.AgendaTitle()+"\r\n") {
		t.Errorf("the agenda's calendar is not named %q", set.AgendaTitle())
	}
	titles := summaries(t, []byte(got.Body))
	sort.Strings(titles)
	if strings.Join(titles, "|") != "Analytical engines|Painting with numbers" {
		t.Errorf("the agenda holds %q, want exactly the two ticked sessions", titles)
	}

	// Unticking one updates the link; the choice survives a reload.
	clickSession(ctx, t, b, page, "paint")
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-download").href`); got != srv.URL+"/agenda.ics?session=engines" {
		t.Errorf("after unticking: %q", got)
	}
	if _, err := b.Call(ctx, page, "Page.reload", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	waitEval(ctx, t, b, page, `document.readyState === "complete" && !!document.getElementById("agenda-panel")`)
	if got := eval[string](ctx, t, b, page, `document.getElementById("agenda-count").textContent`); got != "1 session" {
		t.Errorf("after a reload: %q", got)
	}

	// A phone: the timeline becomes a list, and nothing is wider than
	// the screen.
	if _, err := b.Call(ctx, page, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](ctx, t, b, page, `getComputedStyle(document.querySelector(".tl")).display`); got != "block" {
		t.Errorf("timeline on a phone: display %s, want block (a list)", got)
	}
	if w := eval[float64](ctx, t, b, page, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("page %vpx wide on a 390px screen", w)
	}
	if errs := b.Exceptions(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// checkFeedLinks checks that the links the script builds for each feed,
// from the page's own address, are those the server renders when it
// knows its address: the same URLs, the same calendar names.
func checkFeedLinks(ctx context.Context, t *testing.T, b *browser, page, base string, set *feed.Set) {
	t.Helper()
	raw := eval[string](ctx, t, b, page, `JSON.stringify(Array.from(document.querySelectorAll(".act[data-feed]")).map(td => {
		const h = c => { const a = td.querySelector("a." + c); return !a || a.hidden ? "" : a.href; };
		return {feed: td.dataset.feed, webcal: h("w"), google: h("g"), outlook: h("o"), work: h("ow"), https: h("u")};
	}))`)
	var rows []struct{ Feed, Webcal, Google, Outlook, Work, HTTPS string }
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(set.Feeds) {
		t.Fatalf("%d feed rows, want %d", len(rows), len(set.Feeds))
	}
	for _, r := range rows {
		f := set.Feed(strings.TrimSuffix(r.Feed, ".ics"))
		if f == nil {
			t.Fatalf("row for an unknown feed %s", r.Feed)
		}
		want := pagepkg.LinksFor(base, f.Path(), f.Title)
		got := pagepkg.Links{HTTPS: r.HTTPS, Webcal: r.Webcal, Google: r.Google, Outlook: r.Outlook, OutlookWork: r.Work, Download: f.Path()}
		if got != want {
			t.Errorf("%s: the script builds\n %+v\nthe server renders\n %+v", f.Path(), got, want)
		}
	}
}

// clickSession clicks the label of the first checkbox of session id.
func clickSession(ctx context.Context, t *testing.T, b *browser, page, id string) {
	t.Helper()
	box := fmt.Sprintf(`input[name=session][value=%q]`, id)
	was := eval[bool](ctx, t, b, page, fmt.Sprintf(`document.querySelector(%q).checked`, box))
	browsertest.Click(ctx, t, b, page, box)
	if eval[bool](ctx, t, b, page, fmt.Sprintf(`document.querySelector(%q).checked`, box)) == was {
		t.Fatalf("clicking %s did not toggle it", id)
	}
}

type browser = browsertest.Browser

func launchChromium(ctx context.Context, bin, profile string) (*browser, error) {
	return browsertest.Launch(ctx, bin, profile)
}

func waitEval(ctx context.Context, t *testing.T, b *browser, page, js string) {
	t.Helper()
	browsertest.WaitEval(ctx, t, b, page, js)
}

func eval[T any](ctx context.Context, t *testing.T, b *browser, page, js string) T {
	t.Helper()
	return browsertest.Eval[T](ctx, t, b, page, js)
}

func evaluate[T any](ctx context.Context, b *browser, page, js string) (T, error) {
	return browsertest.Evaluate[T](ctx, b, page, js)
}

package serve

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/internal/browsertest"
)

// startBrowser launches headless Chromium for a test, or skips it (fails
// it under CI=true) when Chromium is missing.
func startBrowser(t *testing.T) (context.Context, *browser) {
	t.Helper()
	bin := browsertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	b, err := launchChromium(ctx, bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return ctx, b
}

// openPage opens url in a new tab; script, when not empty, runs before
// the page's own, and noJS turns the page's scripts off.
func openPage(ctx context.Context, t *testing.T, b *browser, url, script string, noJS bool) string {
	t.Helper()
	page, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method string
		params map[string]any
	}{
		{"Runtime.enable", nil}, {"Page.enable", nil},
		{"Emulation.setScriptExecutionDisabled", map[string]any{"value": noJS}},
	} {
		if _, err := b.Call(ctx, page, c.method, c.params); err != nil {
			t.Fatal(err)
		}
	}
	if script != "" {
		if _, err := b.Call(ctx, page, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": script}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Call(ctx, page, "Page.navigate", map[string]any{"url": url}); err != nil {
		t.Fatal(err)
	}
	waitEval(ctx, t, b, page, `document.readyState === "complete" && !!document.getElementById("subscribe")`)
	return page
}

// browserProgramme is the server programme with a third day that has no
// session of the art track.
const browserProgramme = feedtest.ServerProgramme + `  - {id: late, title: Late talk, start: 2025-03-12T09:00, end: 2025-03-12T10:00, venue: annex}
`

// shown returns, for each selector, whether its first element is
// displayed.
func shown(ctx context.Context, t *testing.T, b *browser, page string, selectors ...string) string {
	t.Helper()
	var out []string
	for _, sel := range selectors {
		js := `(() => { const e = document.querySelector(` + jsString(sel) + `); return !!e && e.getClientRects().length > 0; })()`
		if eval[bool](ctx, t, b, page, js) {
			out = append(out, sel)
		}
	}
	return strings.Join(out, " ")
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestBrowserTrackFilter: choosing a track shows only its sessions and
// days, with each day's count for that track, without JavaScript; with
// it, jumping to a day keeps the choice and moves the focus there.
func TestBrowserTrackFilter(t *testing.T) {
	ctx, b := startBrowser(t)
	srv, _ := newTestServer(t, feedtest.BuildSet(t, browserProgramme))
	all := []string{`.s[data-key=engines]`, `.s[data-key=paint]`, `#d-2025-03-12`, `.week a[href="#d-2025-03-12"]`,
		`.week a[href="#d-2025-03-10"] .na`, `.week a[href="#d-2025-03-10"] .c1`}
	for _, noJS := range []bool{true, false} {
		page := openPage(ctx, t, b, srv.URL+"/", "", noJS)
		wantLabel := map[bool]string{true: "Address", false: "Copy address"}[noJS]
		if got := eval[string](ctx, t, b, page, `document.querySelector(".act a.u").textContent`); got != wantLabel {
			t.Fatalf("noJS=%v: the address link reads %q, want %q (are scripts off?)", noJS, got, wantLabel)
		}
		if got, want := shown(ctx, t, b, page, all...), strings.Join(all[:5], " "); got != want {
			t.Errorf("noJS=%v, no filter: shown %q, want %q", noJS, got, want)
		}
		// The art track: click its filter link, as a person would.
		eval[bool](ctx, t, b, page, `(document.querySelector('.filter a[href="#only-1"]').click(), true)`)
		time.Sleep(100 * time.Millisecond)
		if got, want := shown(ctx, t, b, page, all...), all[1]+" "+all[5]; got != want {
			t.Errorf("noJS=%v, art: shown %q, want %q", noJS, got, want)
		}
		if got := eval[string](ctx, t, b, page, `document.querySelector('.week a[href="#d-2025-03-10"] .c1').textContent`); got != "1 session" {
			t.Errorf("noJS=%v: art's count on 10 March %q", noJS, got)
		}
		if noJS {
			sendEmptyAgenda(ctx, t, b, page)
			continue
		}
		if got := eval[string](ctx, t, b, page, `document.querySelector('.filter a[aria-current]').textContent`); got != "Art" {
			t.Errorf("the filter marks %q as chosen, want Art", got)
		}
		eval[bool](ctx, t, b, page, `(document.querySelector('.week a[href="#d-2025-03-11"]').click(), true)`)
		time.Sleep(100 * time.Millisecond)
		if got := eval[string](ctx, t, b, page, `location.hash + " " + document.activeElement.id`); got != "#only-1 h-2025-03-11" {
			t.Errorf("after a day link: hash and focus %q, want the filter kept and the day's heading focused", got)
		}
		if got := shown(ctx, t, b, page, all[0]); got != "" {
			t.Error("jumping to a day dropped the track filter")
		}
		if errs := b.Exceptions(); len(errs) > 0 {
			t.Errorf("script errors: %v", errs)
		}
	}
}

// TestBrowserNowNext: during the event, by the browser's clock, the page
// shows the sessions on now and those next; before and after it, nothing.
func TestBrowserNowNext(t *testing.T) {
	ctx, b := startBrowser(t)
	srv, _ := newTestServer(t, feedtest.BuildSet(t, browserProgramme))
	clock := func(at string) string { return `Date.now = () => Date.parse("` + at + `");` }
	list := func(page, id string) string {
		return eval[string](ctx, t, b, page, `Array.from(document.querySelectorAll("#`+id+` li")).map(li => li.textContent).join(" | ")`)
	}
	page := openPage(ctx, t, b, srv.URL+"/", clock("2025-03-10T10:40:00+01:00"), false)
	if eval[bool](ctx, t, b, page, `document.getElementById("now").hidden`) {
		t.Fatal("now / next hidden during the event")
	}
	if got, want := list(page, "now-list"), "Analytical engines 10:00–11:00 · Room A, Main Hall | Painting with numbers 10:30–11:30 · Room B, Main Hall"; got != want {
		t.Errorf("now:\n got %s\nwant %s", got, want)
	}
	if got, want := list(page, "next-list"), "Computing machinery Tue 11 Mar · 09:00–10:00 · Annex"; got != want {
		t.Errorf("next:\n got %s\nwant %s", got, want)
	}
	// It follows the track filter.
	page = openPage(ctx, t, b, srv.URL+"/#only-1", clock("2025-03-10T10:40:00+01:00"), false)
	if got := list(page, "now-list"); got != "Painting with numbers 10:30–11:30 · Room B, Main Hall" {
		t.Errorf("now, art only: %s", got)
	}
	// The cancelled art session is not next; nothing else of art is.
	if !eval[bool](ctx, t, b, page, `document.getElementById("next-list").hidden && document.getElementById("next-h").hidden`) {
		t.Errorf("next, art only: %s", list(page, "next-list"))
	}
	for _, at := range []string{"2025-03-09T23:59:00+01:00", "2025-03-13T00:00:00+01:00", "2026-03-10T10:40:00+01:00"} {
		page := openPage(ctx, t, b, srv.URL+"/", clock(at), false)
		if !eval[bool](ctx, t, b, page, `document.getElementById("now").hidden`) {
			t.Errorf("%s, outside the event: now / next shown: %s", at, list(page, "now-list"))
		}
	}
	if errs := b.Exceptions(); len(errs) > 0 {
		t.Errorf("script errors: %v", errs)
	}
}

// sendEmptyAgenda sends the page's agenda form, without JavaScript, with
// nothing ticked: the browser lands on a page that says so and leads back.
func sendEmptyAgenda(ctx context.Context, t *testing.T, b *browser, page string) {
	t.Helper()
	eval[bool](ctx, t, b, page, `(document.querySelector('#agenda-panel button[type=submit]').click(), true)`)
	waitEval(ctx, t, b, page, `location.pathname === "/agenda.ics" && document.readyState === "complete"`)
	if got := eval[string](ctx, t, b, page, `document.querySelector("h1").textContent + " | " + document.querySelector("a").getAttribute("href")`); got != "Nothing chosen | ./#programme" {
		t.Errorf("the empty agenda form leads to %q", got)
	}
	eval[bool](ctx, t, b, page, `(document.querySelector("a").click(), true)`)
	waitEval(ctx, t, b, page, `location.pathname === "/" && !!document.getElementById("programme")`)
}

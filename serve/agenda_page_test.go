package serve

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
)

// browserAccept is what a browser sends when it follows a link or submits
// a form.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// TestAgendaProblemPage: the page's form sent with nothing ticked (no
// JavaScript) gets a small page in the look of the discovery page, with a
// way back, still as a 400; calendar clients and scripts keep the one
// line of plain text.
func TestAgendaProblemPage(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	srv, _ := newTestServer(t, set)
	for _, path := range []string{"/agenda.ics", "/agenda.ics?"} {
		r := fetch(t, "GET", srv.URL+path, "Accept", browserAccept)
		if r.code != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400", path, r.code)
		}
		if got := r.hdr.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, got)
		}
		for _, want := range []string{`<html lang="en">`, "<h1>Nothing chosen</h1>", "Test Conference", `<a href="./#programme">Back to the programme</a>`, "--link:"} {
			if !bytes.Contains(r.body, []byte(want)) {
				t.Errorf("%s: no %q in\n%s", path, want, r.body)
			}
		}
		if r.hdr.Get("Cache-Control") != "no-store" || r.hdr.Get("X-Content-Type-Options") != "nosniff" || r.hdr.Get("Vary") != "Accept" {
			t.Errorf("%s: headers %v", path, r.hdr)
		}
	}
	// Not a browser: the plain-text line, as before.
	for _, accept := range []string{"", "text/calendar", "*/*", "text/html;q=0"} {
		r := fetch(t, "GET", srv.URL+"/agenda.ics", "Accept", accept)
		if r.code != 400 || r.hdr.Get("Content-Type") != "text/plain; charset=utf-8" || !bytes.HasPrefix(r.body, []byte("400 Bad Request: nothing chosen")) {
			t.Errorf("Accept %q: %d %s %q", accept, r.code, r.hdr.Get("Content-Type"), r.body)
		}
	}
	// HEAD: the status and type, no body.
	if r := fetch(t, "HEAD", srv.URL+"/agenda.ics", "Accept", browserAccept); r.code != 400 || len(r.body) != 0 ||
		r.hdr.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD: %d %s %d bytes", r.code, r.hdr.Get("Content-Type"), len(r.body))
	}
	// Another bad selection says what is wrong, escaped.
	r := fetch(t, "GET", srv.URL+"/agenda.ics?"+url.Values{"session": {"<script>alert(1)</script>"}}.Encode(), "Accept", browserAccept)
	if r.code != 400 || bytes.Contains(r.body, []byte("<script>")) || !bytes.Contains(r.body, []byte("&lt;script&gt;")) ||
		!bytes.Contains(r.body, []byte("<h1>This agenda cannot be made</h1>")) {
		t.Errorf("bad session: %d\n%s", r.code, r.body)
	}
	// A good agenda is a calendar, whatever the browser accepts.
	if r := fetch(t, "GET", srv.URL+"/agenda.ics?session=paint", "Accept", browserAccept); r.code != 200 || r.hdr.Get("Content-Type") != calendarType {
		t.Errorf("good agenda from a browser: %d %s", r.code, r.hdr.Get("Content-Type"))
	}
}

// TestAgendaProblemPageFrench: the page speaks the feeds' language.
func TestAgendaProblemPageFrench(t *testing.T) {
	p := feedtest.Decode(t, feedtest.ServerProgramme)
	set, err := feed.Build(p, feed.Options{Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newTestServer(t, set)
	r := fetch(t, "GET", srv.URL+"/agenda.ics", "Accept", browserAccept)
	if r.code != 400 || !bytes.Contains(r.body, []byte(`<html lang="fr">`)) || !bytes.Contains(r.body, []byte("Rien n&#39;est choisi")) ||
		!bytes.Contains(r.body, []byte("Retour au programme")) {
		t.Errorf("%d\n%s", r.code, r.body)
	}
}

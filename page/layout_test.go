package page

import (
	"regexp"
	"strings"
	"testing"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
)

func render(t *testing.T, set *feed.Set, opts Options) string {
	t.Helper()
	b, err := Render(set, opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPageProgrammeFirst: the programme comes first, led by a row of its
// days with their session counts, each linking to its day, and a track
// filter; the feeds come after it, folded into a Subscribe section.
func TestPageProgrammeFirst(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	s := render(t, set, Options{BaseURL: "https://cal.example.org", Live: true})
	prog, sub := strings.Index(s, `<section id="programme"`), strings.Index(s, `<section id="subscribe"`)
	if prog < 0 || sub < 0 || prog > sub {
		t.Fatalf("programme at %d, subscribe at %d: the programme must come first", prog, sub)
	}
	if strings.Contains(s[:prog], "<table") || strings.Contains(s[:prog], `class="act"`) {
		t.Error("feed lists before the programme")
	}
	for _, want := range []string{
		`<nav class="week" aria-label="Days">`,
		`<a href="#d-2025-03-10"><b>Mon 10 Mar</b> <span class="n na">3 sessions</span>`,
		`<a href="#d-2025-03-11"><b>Tue 11 Mar</b> <span class="n na">2 sessions</span>`,
		`<section class="day" id="d-2025-03-10"`, `<section class="day" id="d-2025-03-11"`,
		// The filter: a link per track to a target the page's CSS reads.
		`<a class="all" href="#programme"`, `<span class="tgt" id="only-0"></span>`, `<span class="tgt" id="only-1"></span>`,
		`<a class="f0" href="#only-0"`, `<a class="f1" href="#only-1"`,
		`#only-1:target~.week li:not(.k1),#only-1:target~* .s:not(.k1),#only-1:target~* .day:not(:has(.k1)){display:none}`,
		// Per track, each day's count, shown when the track is chosen.
		`<span class="n nt c1">1 session</span>`,
		`<h2 id="subscribe-h">Subscribe</h2>`,
		"<details open>\n<summary>Whole programme <span class=\"mute\">(1)</span></summary>",
		"<details>\n<summary>By day <span class=\"mute\">(2)</span></summary>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %s", want)
		}
	}
	if strings.Contains(s[sub:], "<details open>\n<summary>By") {
		t.Error("a group other than the whole programme is unfolded")
	}
	// Every session carries its tracks' classes and its span, for the
	// filter and for "now / next".
	for _, want := range []string{
		`<div class="s k0" style="grid-row:2/span 6;grid-column:2;--t:#1f6feb" data-key="opening" data-start="2025-03-10T09:00:00&#43;01:00" data-end="2025-03-10T09:30:00&#43;01:00">`,
		`<div id="now" data-from="2025-03-10T00:00:00&#43;01:00" data-until="2025-03-12T00:00:00&#43;01:00" aria-live="polite" hidden>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %s", want)
		}
	}
	// Every day link leads somewhere.
	for _, m := range regexp.MustCompile(`<a href="#(d-[0-9-]+)">`).FindAllStringSubmatch(s, -1) {
		if !strings.Contains(s, `id="`+m[1]+`"`) {
			t.Errorf("day link to #%s, which is nowhere", m[1])
		}
	}
}

// TestPageOneTrackNoFilter: a programme with one track or none has no
// track filter.
func TestPageOneTrackNoFilter(t *testing.T) {
	set := feedtest.BuildSet(t, `id: one
name: One
timezone: Europe/Paris
tracks: [{id: t, name: T}]
sessions:
  - {id: a, title: A, start: 2025-03-10T09:00, end: 2025-03-10T10:00, track: t}
`)
	s := render(t, set, Options{})
	if strings.Contains(s, `class="filter"`) || strings.Contains(s, `class="tgt"`) {
		t.Error("a filter for one track")
	}
	if !strings.Contains(s, `<span class="n na">1 session</span>`) {
		t.Error("no day count")
	}
}

// TestPlurals: counts read right in both languages the page speaks.
func TestPlurals(t *testing.T) {
	en, fr := wordsFor("en"), wordsFor("fr-CA")
	for _, tt := range []struct {
		w    *words
		p    plural
		n    int
		want string
	}{
		{en, en.Session, 0, "0 sessions"}, {en, en.Session, 1, "1 session"}, {en, en.Session, 2, "2 sessions"},
		{en, en.Event, 1, "1 event"}, {en, en.Event, 13, "13 events"},
		{fr, fr.Event, 0, "0 événement"}, {fr, fr.Event, 1, "1 événement"}, {fr, fr.Event, 2, "2 événements"},
		{fr, fr.Session, 1, "1 séance"}, {fr, fr.Session, 6, "6 séances"},
		{wordsFor("de"), en.Event, 1, "1 event"},
	} {
		if got := tt.w.count(tt.p, tt.n); got != tt.want {
			t.Errorf("%s %d: %q, want %q", tt.w.Lang, tt.n, got, tt.want)
		}
	}
	// The pages: no "1 events", in either language.
	p := feedtest.Decode(t, feedtest.ServerProgramme)
	for lang, bad := range map[string]*regexp.Regexp{
		"en": regexp.MustCompile(`\b1 (events|sessions)\b`),
		"fr": regexp.MustCompile(`\b[01] (événements|séances)\b|\b1 (events|sessions)\b`),
	} {
		set, err := feed.Build(p, feed.Options{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		s := render(t, set, Options{Live: true})
		if m := bad.FindString(s); m != "" {
			t.Errorf("%s: %q", lang, m)
		}
		one := map[string]string{"en": ">1 event<", "fr": ">1 événement<"}[lang]
		if !strings.Contains(s, one) {
			t.Errorf("%s: no %s", lang, one)
		}
		if !strings.Contains(s, `<html lang="`+lang+`">`) {
			t.Errorf("%s: the page does not say its language", lang)
		}
	}
}

// TestPageFrench: the page speaks the set's language.
func TestPageFrench(t *testing.T) {
	set, err := feed.Build(feedtest.Decode(t, feedtest.ServerProgramme), feed.Options{Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	s := render(t, set, Options{Live: true})
	for _, want := range []string{"10–11 mars 2025", "lundi 10 mars 2025", "<b>lun. 10 mars</b>", "Par jour", "Thèmes:",
		"Tout le programme", "Télécharger", "Ajouter à l&#39;agenda", "Annulé", `data-singular="%d séance"`,
		`data-name="Test Conference · Mon agenda"`} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q", want)
		}
	}
}

package feed_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
)

// calendarDescription returns the calendar's own DESCRIPTION and
// X-WR-CALDESC, unfolded and unescaped.
func calendarDescription(t *testing.T, f *feed.Feed) (desc, wr string) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(f.Bytes()))
	if err != nil {
		t.Fatalf("%s: %v", f.Path(), err)
	}
	for _, p := range cal.CalendarProperties {
		switch p.IANAToken {
		case string(ics.PropertyDescription):
			desc = p.Value
		case string(ics.PropertyXWRCalDesc):
			wr = p.Value
		}
	}
	return unescape(desc), unescape(wr)
}

func unescape(s string) string {
	return strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, "\n", `\\`, `\`).Replace(s)
}

// TestFeedDescriptions: every feed says what it holds, in the feed's
// language; only the whole programme's feed carries the programme's own
// description.
func TestFeedDescriptions(t *testing.T) {
	p := load(t, "summit")
	progDesc := p.Description.In("en")
	for _, tt := range []struct {
		lang string
		want map[string]string
	}{
		{"en", map[string]string{
			"all":                           progDesc,
			"day/2025-02-07":                "Day feed: Friday 7 February 2025 of AI Action Summit week",
			"track/science":                 "Track feed: Science of AI Action Summit week",
			"venue/grandpalais":             "Venue feed: Grand Palais of AI Action Summit week",
			"room/ens-jean-jaures":          "Room feed: Amphithéâtre Jean Jaurès, École normale supérieure (ENS-PSL) of AI Action Summit week",
			"speaker/emmanuel-macron":       "Speaker feed: Emmanuel Macron of AI Action Summit week",
			"session/gp-day1-macron-speech": "Session feed: Closing speech of day 1 by Emmanuel Macron of AI Action Summit week",
			"agenda":                        "Personal agenda of AI Action Summit week",
		}},
		{"fr", map[string]string{
			"all":            p.Description.In("fr"),
			"day/2025-02-07": "Flux par jour : vendredi 7 février 2025 — Semaine du Sommet pour l'action sur l'IA",
			"track/science":  "Flux par thème : Science — Semaine du Sommet pour l'action sur l'IA",
			"agenda":         "Agenda personnel — Semaine du Sommet pour l'action sur l'IA",
		}},
	} {
		set := build(t, p, feed.Options{Lang: tt.lang})
		for slug, want := range tt.want {
			var f *feed.Feed
			switch {
			case slug == "agenda":
				f = set.Render(feed.KindAgenda, "session=x", "agenda", "My agenda", "", set.Events[:2])
			case strings.HasPrefix(slug, "session/"):
				f = set.SessionFeed(set.SessionEvent(strings.TrimPrefix(slug, "session/")))
			default:
				f = set.Feed(slug)
			}
			if f == nil {
				t.Fatalf("%s: no feed %s", tt.lang, slug)
			}
			desc, wr := calendarDescription(t, f)
			if desc != want || wr != want {
				t.Errorf("%s %s:\n DESCRIPTION  %q\n X-WR-CALDESC %q\n want %q", tt.lang, slug, desc, wr, want)
			}
		}
	}
}

// TestFeedDescriptionEmpty: a programme without a description gives its
// whole-programme feed none, and its other feeds still their own.
func TestFeedDescriptionEmpty(t *testing.T) {
	set := build(t, load(t, "minimal"), feed.Options{})
	if desc, _ := calendarDescription(t, set.Feed("all")); desc != "" {
		t.Errorf("all: DESCRIPTION %q, want none", desc)
	}
	for _, f := range set.Feeds[1:] {
		if desc, _ := calendarDescription(t, f); !strings.Contains(desc, " feed: ") {
			t.Errorf("%s: DESCRIPTION %q", f.Path(), desc)
		}
	}
}

// TestExampleSaysNoEndOnce: the facts a feed adds to a description (here,
// that a session's end time was not published) are not repeated by the
// example programme's own texts, in either of its languages.
func TestExampleSaysNoEndOnce(t *testing.T) {
	p := load(t, "summit")
	for lang, phrase := range map[string]*regexp.Regexp{
		"en": regexp.MustCompile(`(?i)end time (was )?not published`),
		"fr": regexp.MustCompile(`(?i)heure de fin (n'a pas été publiée|non publiée)`),
	} {
		set := build(t, p, feed.Options{Lang: lang})
		cal, err := ics.ParseCalendar(bytes.NewReader(set.Feed("all").Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range cal.Events() {
			d := ev.GetProperty(ics.ComponentPropertyDescription)
			if d == nil {
				continue
			}
			if n := len(phrase.FindAllString(unescape(d.Value), -1)); n > 1 {
				t.Errorf("%s %s says %d times that the end was not published:\n%s", lang, ev.Id(), n, unescape(d.Value))
			}
		}
	}
}

// TestSessionURLTemplate: a session without a URL of its own gets the
// programme's session_url with its id; one with its own keeps it.
func TestSessionURLTemplate(t *testing.T) {
	src := strings.Replace(feedtest.ServerProgramme, "refresh: 30m\n", "refresh: 30m\nsession_url: https://conf.example.org/talk/{id}/\n", 1)
	src = strings.Replace(src, "track: art, status: cancelled}", "track: art, status: cancelled, url: https://elsewhere.example.org/old}", 1)
	set := feedtest.BuildSet(t, src)
	body := string(set.Feed("all").Bytes())
	for _, want := range []string{"URL:https://conf.example.org/talk/opening/", "URL:https://conf.example.org/talk/machines/", "URL:https://elsewhere.example.org/old"} {
		if !strings.Contains(body, want+"\r\n") {
			t.Errorf("the whole programme's feed lacks %q", want)
		}
	}
	if strings.Contains(body, "talk/gone/") {
		t.Error("a session's own URL was replaced by the template")
	}
}

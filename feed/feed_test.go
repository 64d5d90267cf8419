package feed_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixtures are the programmes the feed tests build.
var fixtures = map[string]string{
	"dst":     "testdata/dst.yaml",
	"summit":  "../examples/ai-action-summit/programme.yaml",
	"minimal": "../examples/minimal/programme.yaml",
}

func load(t testing.TB, name string) *programme.Programme {
	t.Helper()
	data, err := os.ReadFile(fixtures[name])
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := programme.DecodeBytes(data, fixtures[name])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func build(t testing.TB, p *programme.Programme, opts feed.Options) *feed.Set {
	t.Helper()
	set, err := feed.Build(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestGolden compares feeds byte for byte with testdata/golden; run with
// -update to rewrite them after an intended change.
func TestGolden(t *testing.T) {
	cases := []struct {
		fixture, slug string
		opts          feed.Options
	}{
		{"dst", "all", feed.Options{}},
		{"dst", "track/night", feed.Options{BaseURL: "https://example.org/cal"}},
		{"summit", "all", feed.Options{}},
		{"summit", "day/2025-02-11", feed.Options{Lang: "fr", Alarm: 10 * time.Minute}},
		{"minimal", "all", feed.Options{}},
	}
	for _, c := range cases {
		name := c.fixture + "-" + strings.ReplaceAll(c.slug, "/", "-")
		if c.opts.Lang != "" {
			name += "-" + c.opts.Lang
		}
		t.Run(name, func(t *testing.T) {
			set := build(t, load(t, c.fixture), c.opts)
			f := set.Feed(c.slug)
			if f == nil {
				t.Fatalf("no feed %s", c.slug)
			}
			golden := filepath.Join("testdata", "golden", name+".ics")
			if *update {
				if err := os.WriteFile(golden, f.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./feed -update)", err)
			}
			if !bytes.Equal(f.Bytes(), want) {
				t.Errorf("%s differs from %s; run go test ./feed -run TestGolden -update and review the diff", c.slug, golden)
			}
		})
	}
}

// TestContentLines checks RFC 5545 §3.1 on every feed: CRLF line ends,
// lines of at most 75 octets, valid UTF-8 never split by a fold, and no
// control characters.
func TestContentLines(t *testing.T) {
	for name := range fixtures {
		set := build(t, load(t, name), feed.Options{Alarm: 5 * time.Minute})
		for _, f := range set.Feeds {
			checkContentLines(t, name+"/"+f.Path(), f.Bytes())
		}
	}
}

func checkContentLines(t *testing.T, name string, body []byte) {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("%s: does not end with END:VCALENDAR CRLF", name)
	}
	lines := bytes.Split(bytes.TrimSuffix(body, []byte("\r\n")), []byte("\r\n"))
	for i, l := range lines {
		if len(l) > 75 {
			t.Errorf("%s:%d: %d octets", name, i+1, len(l))
		}
		if !utf8.Valid(l) {
			t.Errorf("%s:%d: invalid UTF-8 (a fold split a character?)", name, i+1)
		}
		for _, c := range l {
			if c < 0x20 && c != '\t' || c == 0x7f {
				t.Errorf("%s:%d: control character %#x", name, i+1, c)
			}
		}
		if len(l) == 0 {
			t.Errorf("%s:%d: empty line", name, i+1)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for name := range fixtures {
		a := build(t, load(t, name), feed.Options{})
		b := build(t, load(t, name), feed.Options{})
		if len(a.Feeds) != len(b.Feeds) {
			t.Fatalf("%s: %d feeds, then %d", name, len(a.Feeds), len(b.Feeds))
		}
		for i := range a.Feeds {
			if !bytes.Equal(a.Feeds[i].Bytes(), b.Feeds[i].Bytes()) {
				t.Errorf("%s: %s differs between two builds", name, a.Feeds[i].Path())
			}
		}
	}
}

// parsed is an event read back with an independent reading of our output.
type parsed struct {
	start, end time.Time
	allDay     bool
	raw        *ics.VEvent
}

func parse(t *testing.T, body []byte) map[string]parsed {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]parsed{}
	for _, ev := range cal.Events() {
		uid := ev.Id()
		ps := parsed{raw: ev}
		dtstart := ev.GetProperty(ics.ComponentPropertyDtStart)
		if v := dtstart.ICalParameters["VALUE"]; len(v) > 0 && v[0] == "DATE" {
			ps.allDay = true
			ps.start, _ = ev.GetAllDayStartAt()
			ps.end, _ = ev.GetAllDayEndAt()
		} else {
			ps.start, err = ev.GetStartAt()
			if err != nil {
				t.Fatalf("%s: %v", uid, err)
			}
			ps.end = ps.start
			if ev.GetProperty(ics.ComponentPropertyDtEnd) != nil {
				ps.end, _ = ev.GetEndAt()
			}
		}
		out[uid] = ps
	}
	return out
}

// TestTimes reads every event back and checks its instants against the
// programme: no event may end before it starts, including those that cross
// the autumn change.
func TestTimes(t *testing.T) {
	p := load(t, "dst")
	set := build(t, p, feed.Options{})
	got := parse(t, set.Feed("all").Bytes())
	for _, s := range p.Sessions {
		ev, ok := got[p.UID(s)]
		if !ok {
			t.Errorf("%s: missing", s.ID)
			continue
		}
		if s.AllDay {
			if !ev.allDay || programme.DateOf(ev.start) != s.StartDate || programme.DateOf(ev.end) != s.EndDate.AddDays(1) {
				t.Errorf("%s: all-day %v..%v, want %s..%s (exclusive end)", s.ID, ev.start, ev.end, s.StartDate, s.EndDate.AddDays(1))
			}
			continue
		}
		start, end := s.Interval(p)
		if !ev.start.Equal(start) || !ev.end.Equal(end) {
			t.Errorf("%s: %v..%v, want %v..%v", s.ID, ev.start.UTC(), ev.end.UTC(), start.UTC(), end.UTC())
		}
		if ev.end.Before(ev.start) {
			t.Errorf("%s: ends before it starts", s.ID)
		}
	}
}

func TestEventProperties(t *testing.T) {
	p := load(t, "dst")
	set := build(t, p, feed.Options{Alarm: 15 * time.Minute})
	body := string(set.Feed("all").Bytes())
	for _, want := range []string{
		"METHOD:PUBLISH", // the programme has an organiser e-mail
		"ORGANIZER;CN=Programme committee  Paris:mailto:programme@example.org",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "X-WR-TIMEZONE:Europe/Paris",
		"SUMMARY:Cancelled: A cancelled session", "STATUS:CANCELLED", "STATUS:TENTATIVE",
		"DURATION:PT0S", "TRIGGER:-PT15M", "GEO:48.856;2.352",
		"CONFERENCE;FEATURE=VIDEO;LABEL=Livestream;VALUE=URI:https://example.org/li",
		"CATEGORIES:b\\,c", "DTSTART;VALUE=DATE:20250601", "DTEND;VALUE=DATE:20250604",
		"BEGIN:VTIMEZONE\r\nTZID:America/New_York", "BEGIN:VTIMEZONE\r\nTZID:Australia/Sydney",
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
		"DTSTART:20251026T003000Z", // the repeated hour is written in UTC
	} {
		if !strings.Contains(body, want) {
			t.Errorf("all.ics lacks %q", want)
		}
	}
	// The cancelled session has no reminder.
	if n := strings.Count(body, "BEGIN:VALARM"); n != 14 {
		t.Errorf("%d alarms, want 14 (every timed, not cancelled session)", n)
	}
	// Every TZID used has its VTIMEZONE.
	for _, m := range regexp.MustCompile(`;TZID=([^:;]+)`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, "TZID:"+m[1]+"\r\n") {
			t.Errorf("TZID %s has no VTIMEZONE", m[1])
		}
	}
}

func TestText(t *testing.T) {
	p := load(t, "dst")
	ev := parse(t, build(t, p, feed.Options{}).Feed("all").Bytes())[p.UID(p.Session("text"))].raw
	if got, want := ev.GetProperty(ics.ComponentPropertySummary).Value, p.Session("text").Title.In(""); got != want {
		t.Errorf("summary round trip: %q, want %q", got, want)
	}
	desc := ev.GetProperty(ics.ComponentPropertyDescription).Value
	for _, want := range []string{"Line one\nline two\nline three", "Controls  dropped, tab\tkept.", "More: https://example.org/talks/text?a=1&b=2"} {
		if !strings.Contains(desc, want) {
			t.Errorf("description lacks %q:\n%s", want, desc)
		}
	}
	if strings.ContainsRune(desc, '\r') || strings.ContainsRune(desc, '\a') {
		t.Error("description keeps a CR or a control character")
	}
}

func TestFeedSet(t *testing.T) {
	p := load(t, "summit")
	set := build(t, p, feed.Options{})
	counts := map[feed.Kind]int{}
	for _, f := range set.Feeds {
		counts[f.Kind]++
		if len(f.Events) == 0 && f.Kind != feed.KindAll {
			t.Errorf("%s is empty", f.Path())
		}
	}
	want := map[feed.Kind]int{feed.KindAll: 1, feed.KindDay: 6, feed.KindTrack: 5, feed.KindVenue: 8, feed.KindRoom: 2, feed.KindSpeaker: 19}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s feeds, want %d", counts[k], k, n)
		}
	}
	if f := set.Feed("day/2025-02-10"); f == nil || len(f.Events) != 4 {
		t.Errorf("day/2025-02-10 should hold the 4 sessions starting that day")
	}
	if f := set.Feed("track/summit"); f == nil || !bytes.Contains(f.Bytes(), []byte("COLOR:")) {
		t.Error("track feed has no COLOR")
	}
	m := set.Manifest()
	if len(m.Feeds) != len(set.Feeds) || m.Feeds[0].Path != "all.ics" || m.Feeds[0].Events != 13 || len(m.Feeds[0].Hash) != 64 {
		t.Errorf("manifest: %+v", m.Feeds[0])
	}
}

// TestEventBytesShared checks that each event is serialized once: every
// feed holds the very bytes of the whole-programme feed's event.
func TestEventBytesShared(t *testing.T) {
	set := build(t, load(t, "summit"), feed.Options{})
	for _, f := range set.Feeds {
		for _, ev := range f.Events {
			if !bytes.Contains(f.Bytes(), ev.Bytes) {
				t.Fatalf("%s lacks the bytes of %s", f.Path(), ev.UID)
			}
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("Hello, world; a\\b", "line\r\nline\rline\nline")
	f.Add("é漢字🎉"+strings.Repeat("x", 80), "\x00\x07\x1b[31m")
	f.Add(strings.Repeat("é", 100), strings.Repeat("日本 ", 50))
	f.Fuzz(func(t *testing.T, title, desc string) {
		if strings.TrimSpace(title) == "" {
			return
		}
		loc, _ := time.LoadLocation("Europe/Paris")
		s := &programme.Session{ID: "x", Title: programme.Plain(title), Description: programme.Plain(desc),
			Start: time.Date(2025, 2, 10, 9, 0, 0, 0, loc), End: time.Date(2025, 2, 10, 10, 0, 0, 0, loc)}
		p := &programme.Programme{ID: "f", Name: programme.Plain("F"), TimeZone: "Europe/Paris", Location: loc, Sessions: []*programme.Session{s}}
		programme.Normalize(p)
		set, err := feed.Build(p, feed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		body := set.Feed("all").Bytes()
		checkContentLines(t, "fuzz", body)
		cal, err := ics.ParseCalendar(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("our output does not parse: %v", err)
		}
		if n := len(cal.Events()); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
	})
}

// TestDayFeedsHoldMultiDaySessions: a session that runs over several days
// is in the feed of each of its days, as the page's timeline shows it.
func TestDayFeedsHoldMultiDaySessions(t *testing.T) {
	p, _, err := programme.DecodeBytes([]byte(`id: md
name: Multi-day
timezone: Europe/Paris
sessions:
  - {id: science, title: Science days, date: 2025-02-06, end_date: 2025-02-07}
  - {id: talk, title: A talk, start: 2025-02-07T10:00, duration: 1h}
`), "md.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set := build(t, p, feed.Options{})
	for day, want := range map[string][]string{"day/2025-02-06": {"science"}, "day/2025-02-07": {"science", "talk"}} {
		f := set.Feed(day)
		if f == nil {
			t.Fatalf("no feed %s", day)
		}
		var got []string
		for _, ev := range f.Events {
			got = append(got, ev.Session.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s holds %v, want %v", day, got, want)
		}
	}
}

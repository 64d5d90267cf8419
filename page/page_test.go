package page

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme"
)

// hostileProgramme puts markup everywhere the page prints programme data.
const hostileProgramme = `id: evil
name: "<script>alert('name')</script>"
description: "</p><script>alert('description')</script>"
timezone: Europe/Paris
venues:
  - id: hall
    name: "</style><script>alert('venue')</script>"
    rooms: [{id: a, name: "<b onmouseover=alert('room')>A</b>"}]
tracks:
  - {id: t, name: "<iframe src=x>", colour: "#112233"}
  - {id: u, name: "<script>alert('track')</script>"}
speakers:
  - {id: s, name: "\"><img src=x onerror=alert('speaker')>"}
sessions:
  - id: x
    title: "<script>alert('title')</script>"
    subtitle: "' onload='alert(1)"
    start: 2025-03-10T09:00
    end: 2025-03-10T10:00
    venue: hall
    room: a
    tracks: [t, u]
    speakers: [s]
    location: "<svg onload=alert('location')>"
  - id: y
    title: "{{.Evil}} ${alert(1)}"
    date: 2025-03-10
    location: "<script>alert('elsewhere')</script>"
`

func TestPageEscapes(t *testing.T) {
	set := feedtest.BuildSet(t, hostileProgramme)
	for _, opts := range []Options{{}, {Live: true}, {BaseURL: "https://cal.example.org", Live: true}} {
		page, err := Render(set, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<script>alert", "<img", "<iframe", "<svg", "<b ", "</style><", "javascript:", "onload='"} {
			if bytes.Contains(page, []byte(bad)) {
				i := bytes.Index(page, []byte(bad))
				t.Errorf("%+v: %q unescaped: ...%s...", opts, bad, page[max(0, i-60):min(len(page), i+60)])
			}
		}
		if got := bytes.Count(page, []byte("<script>")); got != 1 {
			t.Errorf("%d scripts, want only the page's own", got)
		}
		if !bytes.Contains(page, []byte("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;")) {
			t.Error("the title is not shown, escaped")
		}
	}
}

func TestSafeColour(t *testing.T) {
	for in, want := range map[string]string{"#1F6FEB": "#1f6feb", "#123456": "#123456", "red": "", "#12345": "",
		"#123456;background:url(x)": "", "expression(alert(1))": "", "": ""} {
		if got := string(safeColour(in)); got != want {
			t.Errorf("safeColour(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageLinks(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	page, err := Render(set, Options{BaseURL: "https://cal.example.org/conf/", Live: true})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, f := range set.Feeds {
		https := "https://cal.example.org/conf/" + f.Path()
		name := attr(url.QueryEscape(f.Title))
		for _, want := range []string{
			`href="webcal://cal.example.org/conf/` + f.Path() + `"`,
			// Google takes the webcal:// form in cid, not https://.
			`href="https://calendar.google.com/calendar/r?cid=` + urlEscape("webcal://cal.example.org/conf/"+f.Path()) + `"`,
			`href="https://outlook.live.com/calendar/0/addfromweb?url=` + urlEscape(https) + `&amp;name=` + name + `"`,
			`href="https://outlook.office.com/calendar/0/addfromweb?url=` + urlEscape(https) + `&amp;name=` + name + `"`,
			`href="` + https + `"`,
			`href="` + f.Path() + `" download`,
			// The script names the calendar as the server does.
			`data-name="` + template.HTMLEscapeString(f.Title) + `"`,
		} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: no %s", f.Path(), want)
			}
		}
	}
	if !strings.Contains(s, `href="`+GoogleFromURL+`"`) {
		t.Error("no link to Google Calendar's From URL page, for when the subscribe link fails")
	}
	// The agenda panel offers both Outlooks, and names the agenda as the
	// server names the calendar it serves.
	for _, id := range []string{"agenda-webcal", "agenda-google", "agenda-outlook", "agenda-outlook-work", "agenda-download"} {
		if !strings.Contains(s, `id="`+id+`"`) {
			t.Errorf("the agenda panel has no %s link", id)
		}
	}
	if !strings.Contains(s, `data-name="`+template.HTMLEscapeString(set.AgendaTitle())+`"`) {
		t.Errorf("the agenda panel does not carry the agenda's name %q", set.AgendaTitle())
	}
	if !strings.Contains(s, `data-base="https://cal.example.org/conf/"`) {
		t.Error("the explicit base URL is not given to the script")
	}
	// Every session has a checkbox and an add link; the cancelled one is
	// marked, in words too.
	for _, id := range []string{"opening", "engines", "paint", "machines", "gone"} {
		if !strings.Contains(s, `<input type="checkbox" name="session" value="`+id+`">`) {
			t.Errorf("no checkbox for %s", id)
		}
		if !strings.Contains(s, `href="session/`+id+`.ics"`) {
			t.Errorf("no add link for %s", id)
		}
	}
	if !regexp.MustCompile(`class="s[^"]* x"[^>]*>\s*<label><input type="checkbox" name="session" value="gone">`).MatchString(s) ||
		!strings.Contains(s, `<span class="st">Cancelled</span>`) {
		t.Error("the cancelled session is not struck through and labelled")
	}
	if !strings.Contains(s, `<form id="agenda" action="agenda.ics" method="get">`) {
		t.Error("no agenda form: the agenda must work without JavaScript")
	}
	for _, want := range []string{"Test Conference", "10–11 March 2025", "times in Europe/Paris", "Monday 10 March 2025", "Tuesday 11 March 2025"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q", want)
		}
	}
}

// With the attendee sync on, every feed and the agenda panel get a "Sync
// to Google Calendar" button; without it, none.
func TestPageSyncButton(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	off, err := Render(set, Options{BaseURL: "https://cal.example.org/conf/", Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(off), "Sync to Google Calendar") || strings.Contains(string(off), "sync/google") {
		t.Error("a sync button without the attendee sync")
	}
	on, err := Render(set, Options{BaseURL: "https://cal.example.org/conf/", Live: true, SyncStart: "sync/google/start"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(on)
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`<a class="sg" href="([^"]+)"`).FindAllStringSubmatch(s, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Path != "sync/google/start" {
			t.Errorf("sync link %q", m[1])
			continue
		}
		linked[u.Query().Get("feed")] = true
	}
	for _, f := range set.Feeds {
		if !linked[f.Path()] {
			t.Errorf("%s: no sync button", f.Path())
		}
	}
	for _, want := range []string{
		`<a id="agenda-sync" data-start="sync/google/start"`,
		// Without JavaScript the agenda form itself goes to the sign-in.
		`<button type="submit" formaction="sync/google/start"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %s", want)
		}
	}
	frSet, err := feed.Build(feedtest.Decode(t, feedtest.ServerProgramme), feed.Options{Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	fr, err := Render(frSet, Options{Live: true, SyncStart: "sync/google/start"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(fr), "Synchroniser avec Google Agenda") {
		t.Error("the French page does not say Synchroniser avec Google Agenda")
	}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// attr is s as html/template writes it in a URL attribute.
func attr(s string) string {
	return strings.NewReplacer("&", "&amp;", "+", "&#43;").Replace(s)
}

func TestPageGuessedBase(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	page, err := Render(set, Options{BaseURL: "http://127.0.0.1:8080", Guessed: true, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`href="webcal://127.0.0.1:8080/all.ics"`)) {
		t.Error("a guessed base still gives links that work without JavaScript")
	}
	if bytes.Contains(page, []byte("data-base=")) {
		t.Error("a guessed base is passed to the script, which should use the page's own address")
	}
}

func TestIndexHTMLStatic(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme)
	page, err := Render(set, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, bad := range []string{`type="checkbox"`, `<form`, `action="agenda.ics"`, `id="agenda-panel"`} {
		if strings.Contains(s, bad) {
			t.Errorf("a static page has the live agenda builder: %s", bad)
		}
	}
	// No base URL: only Download works without the script, which fills
	// in the rest from the page's address.
	if !strings.Contains(s, `<a class="w" hidden>Subscribe</a>`) || !strings.Contains(s, `href="all.ics" download`) {
		t.Error("static links without a base URL")
	}
	if !strings.Contains(s, `href="session/paint.ics"`) {
		t.Error("no session links in the static page")
	}
}

func TestTimelineGrid(t *testing.T) {
	set := feedtest.BuildSet(t, feedtest.ServerProgramme+`  - {id: clash, title: Clash, start: 2025-03-10T10:15, end: 2025-03-10T10:45, venue: hall, room: a}
  - {id: allday, title: Registration, date: 2025-03-10, venue: hall}
  - {id: open-end, title: Party, start: 2025-03-10T19:00, venue: annex}
  - {id: nowhere, title: Walk, start: 2025-03-10T12:00, end: 2025-03-10T13:00, location: The park}
`)
	days := timeline(set, wordsFor("en"))
	if len(days) != 2 {
		t.Fatalf("%d days", len(days))
	}
	d := days[0]
	var cols []string
	for _, c := range d.Columns {
		cols = append(cols, c.Name+"@"+string(c.Pos))
	}
	// Room A has two lanes (engines and clash overlap); the hall itself
	// holds the registration; then room B, the annex, and elsewhere.
	want := "Main Hall@grid-row:1;grid-column:2/span 1|Room A@grid-row:1;grid-column:3/span 2|Room B@grid-row:1;grid-column:5/span 1|Annex@grid-row:1;grid-column:6/span 1|Elsewhere@grid-row:1;grid-column:7/span 1"
	if got := strings.Join(cols, "|"); got != want {
		t.Errorf("columns\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(string(d.Grid), "repeat(6,") {
		t.Errorf("grid %s", d.Grid)
	}
	pos := map[string]string{}
	var order []string
	for _, it := range d.Items {
		pos[it.ID] = string(it.Pos)
		order = append(order, it.ID)
	}
	// Rows start at 3 (names, all-day row) at 09:00, in 5-minute slots.
	for id, want := range map[string]string{
		"opening":  "grid-row:3/span 6;grid-column:3;--t:#1f6feb",
		"engines":  "grid-row:15/span 12;grid-column:3;--t:#1f6feb",
		"clash":    "grid-row:18/span 6;grid-column:4",
		"paint":    "grid-row:21/span 12;grid-column:5;--t:#a371f7",
		"nowhere":  "grid-row:39/span 12;grid-column:7",
		"open-end": "grid-row:123/span 3;grid-column:6",
	} {
		if pos[id] != want {
			t.Errorf("%s at %q, want %q", id, pos[id], want)
		}
	}
	if got := strings.Join(order, ","); got != "opening,engines,clash,paint,nowhere,open-end" {
		t.Errorf("reading order %s", got)
	}
	if len(d.AllDay) != 1 || d.AllDay[0].Items[0].ID != "allday" || string(d.AllDay[0].Pos) != "grid-row:2;grid-column:2/span 1" {
		t.Errorf("all-day cells %+v", d.AllDay)
	}
	if len(d.Hours) != 11 || d.Hours[0].Label != "09:00" || d.Hours[10].Label != "19:00" {
		t.Errorf("hours %+v", d.Hours)
	}
	for _, it := range d.Items {
		if it.ID == "open-end" && it.When != "From 19:00" {
			t.Errorf("open end: %q", it.When)
		}
	}
}

func TestDateRange(t *testing.T) {
	d := func(s string) programme.Date {
		v, err := programme.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct{ a, b, want string }{
		{"2025-02-06", "2025-02-11", "6–11 February 2025"},
		{"2025-02-28", "2025-03-02", "28 February – 2 March 2025"},
		{"2024-12-30", "2025-01-02", "30 December 2024 – 2 January 2025"},
		{"2025-02-06", "2025-02-06", "Thursday 6 February 2025"},
	} {
		if got := wordsFor("en").dateRange(d(tt.a), d(tt.b)); got != tt.want {
			t.Errorf("%s..%s: %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMinutesInto(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Paris")
	day := programme.Date{Year: 2025, Month: 3, Day: 30} // clocks go forward at 02:00
	for _, tt := range []struct {
		t    time.Time
		want int
	}{
		{time.Date(2025, 3, 30, 9, 0, 0, 0, loc), 540},
		{time.Date(2025, 3, 31, 1, 30, 0, 0, loc), 1530},
		{time.Date(2025, 3, 30, 0, 0, 0, 0, loc), 0},
	} {
		if got := minutesInto(tt.t, day); got != tt.want {
			t.Errorf("%v: %d, want %d", tt.t, got, tt.want)
		}
	}
}

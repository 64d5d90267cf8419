package programme

import (
	"strings"
	"testing"
	"time"
)

const header = "id: t\nname: T\ntimezone: Europe/Paris\n"

func decode(t *testing.T, src string) (*Programme, Diagnostics, error) {
	t.Helper()
	return DecodeBytes([]byte(src), "t.yaml")
}

func TestDecodeTimes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		name       string
		session    string
		start, end time.Time
		allDay     bool
		from, to   Date
	}{
		{"local datetime", "start: 2025-02-10T09:00\n    end: 2025-02-10T10:30",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 10, 30, 0, 0, paris), false, Date{}, Date{}},
		{"space separator", "start: 2025-02-10 09:00\n    end: 2025-02-10 10:30",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 10, 30, 0, 0, paris), false, Date{}, Date{}},
		{"date and clock", "date: 2025-02-10\n    start: \"09:00\"\n    end: \"10:30\"",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 10, 30, 0, 0, paris), false, Date{}, Date{}},
		{"duration go", "start: 2025-02-10T09:00\n    duration: 1h30m",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 10, 30, 0, 0, paris), false, Date{}, Date{}},
		{"duration clock", "start: 2025-02-10T09:00\n    duration: \"1:30\"",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 10, 30, 0, 0, paris), false, Date{}, Date{}},
		{"duration iso", "start: 2025-02-10T09:00\n    duration: PT45M",
			time.Date(2025, 2, 10, 9, 0, 0, 0, paris), time.Date(2025, 2, 10, 9, 45, 0, 0, paris), false, Date{}, Date{}},
		{"explicit offset", "start: 2025-02-10T09:00:00-05:00\n    end: 2025-02-10T10:00:00-05:00",
			time.Date(2025, 2, 10, 15, 0, 0, 0, paris), time.Date(2025, 2, 10, 16, 0, 0, 0, paris), false, Date{}, Date{}},
		{"across midnight clock", "date: 2025-02-10\n    start: \"23:00\"\n    end: \"01:00\"",
			time.Date(2025, 2, 10, 23, 0, 0, 0, paris), time.Date(2025, 2, 11, 1, 0, 0, 0, paris), false, Date{}, Date{}},
		{"no end", "start: 2025-02-10T17:30",
			time.Date(2025, 2, 10, 17, 30, 0, 0, paris), time.Time{}, false, Date{}, Date{}},
		{"all day", "date: 2025-02-10", time.Time{}, time.Time{}, true, Date{2025, 2, 10}, Date{2025, 2, 10}},
		{"date range", "date: 2025-02-10\n    end_date: 2025-02-12", time.Time{}, time.Time{}, true, Date{2025, 2, 10}, Date{2025, 2, 12}},
		{"autumn repeated hour is the first", "start: 2025-10-26T02:30\n    duration: 30m",
			time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC), false, Date{}, Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := decode(t, header+"sessions:\n  - id: s\n    title: S\n    "+tt.session+"\n")
			if err != nil {
				t.Fatal(err)
			}
			s := p.Sessions[0]
			if s.AllDay != tt.allDay {
				t.Fatalf("AllDay = %v", s.AllDay)
			}
			if tt.allDay {
				if s.StartDate != tt.from || s.EndDate != tt.to {
					t.Errorf("dates = %s..%s, want %s..%s", s.StartDate, s.EndDate, tt.from, tt.to)
				}
				return
			}
			if !s.Start.Equal(tt.start) || !s.End.Equal(tt.end) {
				t.Errorf("got %v..%v, want %v..%v", s.Start, s.End, tt.start, tt.end)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"missing id", "name: T\ntimezone: UTC\n", "id: missing programme id"},
		{"unknown zone", "id: t\nname: T\ntimezone: Mars/Olympus\n", `unknown time zone "Mars/Olympus"`},
		{"impossible date", header + "sessions:\n  - {id: a, title: A, date: 2025-02-30}\n", `"2025-02-30" is not a real date`},
		{"end before start", header + "sessions:\n  - {id: a, title: A, start: 2025-02-10T10:00, end: 2025-02-10T09:00}\n", "is not after start"},
		{"missing title", header + "sessions:\n  - {id: a, start: 2025-02-10T10:00}\n", "missing title"},
		{"wrong type", header + "sessions:\n  - {id: a, title: [x], start: 2025-02-10T10:00}\n", "expected a string"},
		{"unknown track", header + "tracks: [{id: science}]\nsessions:\n  - {id: a, title: A, track: sciense, date: 2025-02-10}\n", `unknown track "sciense" (did you mean "science"?)`},
		{"unknown room", header + "venues: [{id: v, rooms: [r1]}]\nsessions:\n  - {id: a, title: A, venue: v, room: r2, date: 2025-02-10}\n", `unknown room "r2" in venue "v"`},
		{"unknown speaker id", header + "speakers: [{id: ann, name: Ann}]\nsessions:\n  - {id: a, title: A, speakers: [bob], date: 2025-02-10}\n", `unknown speaker "bob"`},
		{"duplicate id", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10}\n  - {id: a, title: B, date: 2025-02-10}\n", `duplicate session id "a"`},
		{"spring gap", header + "sessions:\n  - {id: a, title: A, start: 2025-03-30T02:30, duration: 1h}\n", "does not exist in Europe/Paris"},
		{"end and duration", header + "sessions:\n  - {id: a, title: A, start: 2025-02-10T10:00, end: 2025-02-10T11:00, duration: 1h}\n", "either end or duration"},
		{"bad status", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10, status: maybe}\n", `unknown status "maybe"`},
		{"bad colour", header + "tracks: [{id: x, colour: blue}]\n", `colour "blue" must be`},
		{"bad id", header + "sessions:\n  - {id: 'a b', title: A, date: 2025-02-10}\n", "is not a valid id"},
		{"empty", "", "empty programme"},
		{"not a mapping", "- a\n- b\n", "expected a mapping"},
		{"clock without date", header + "sessions:\n  - {id: a, title: A, start: \"10:00\"}\n", "give a date too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := decode(t, tt.src)
			if err == nil {
				t.Fatalf("no error; diagnostics: %v", diags)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			for _, d := range diags.Errors() {
				if d.File != "t.yaml" || (d.Line == 0 && tt.name != "empty") {
					t.Errorf("diagnostic without position: %+v", d)
				}
			}
		})
	}
}

func TestDecodeReportsEveryError(t *testing.T) {
	src := header + "sessions:\n  - {id: a, title: A, venue: nowhere, date: 2025-02-10}\n  - {id: b, date: 2025-13-01}\n"
	_, diags, err := decode(t, src)
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(diags.Errors()); n != 3 {
		t.Errorf("got %d errors, want 3 (unknown venue, missing title, bad date):\n%v", n, diags)
	}
}

func TestDecodeJSON(t *testing.T) {
	src := `{"id": "j", "name": {"en": "J", "fr": "Jé"}, "timezone": "Europe/Paris", "languages": ["fr", "en"],
	"sessions": [{"id": 7, "title": "Seven", "start": "2025-02-10T09:00", "duration": 30}]}`
	p, _, err := DecodeBytes([]byte(src), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Name.In(p.Lang()); got != "Jé" {
		t.Errorf("name in %s = %q", p.Lang(), got)
	}
	if s := p.Sessions[0]; s.ID != "7" || s.End.Sub(s.Start) != 30*time.Minute {
		t.Errorf("session = %+v", s)
	}
}

func TestInlineSpeakersAreShared(t *testing.T) {
	src := header + "sessions:\n  - {id: a, title: A, date: 2025-02-10, speakers: [Éric Lombard]}\n" +
		"  - {id: b, title: B, date: 2025-02-11, speakers: [{name: Éric Lombard}]}\n"
	p, _, err := decode(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Speakers) != 1 || p.Speakers[0].ID != "eric-lombard" {
		t.Fatalf("speakers = %+v", p.Speakers)
	}
	if p.Sessions[0].Speakers[0] != p.Sessions[1].Speakers[0] {
		t.Error("the same inline speaker is two speakers")
	}
}

func TestWarnings(t *testing.T) {
	src := header + "start_date: 2025-02-10\nend_date: 2025-02-10\nvenues: [{id: v, rooms: [r]}, {id: w}]\n" +
		"speakers: [{id: ann, name: Ann}]\nsessions:\n" +
		"  - {id: a, title: A, room: r, speakers: [ann], start: 2025-02-10T10:00, end: 2025-02-10T11:00}\n" +
		"  - {id: b, title: B, room: r, start: 2025-02-10T10:30, end: 2025-02-10T11:30}\n" +
		"  - {id: c, title: C, venue: w, speakers: [ann], start: 2025-02-10T10:45, end: 2025-02-10T11:15}\n" +
		"  - {id: d, title: D, date: 2025-02-12}\n"
	_, diags, err := decode(t, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`overlaps session "a" in room r`, "speaker Ann is also in session", "outside the programme's dates"}
	all := diags.Error()
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no warning %q in:\n%s", w, all)
		}
	}
	if len(diags.Warnings()) != 3 {
		t.Errorf("got %d warnings, want 3:\n%s", len(diags.Warnings()), all)
	}
}

func TestParseDuration(t *testing.T) {
	tests := map[string]time.Duration{"45": 45 * time.Minute, "1:30": 90 * time.Minute, "01:30:15": 90*time.Minute + 15*time.Second,
		"0:05": 5 * time.Minute, "1h30m": 90 * time.Minute, "PT1H30M": 90 * time.Minute, "P1D": 24 * time.Hour}
	for in, want := range tests {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1:3", "1:60", "abc", "P", "PT"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{"Éric Lombard": "eric-lombard", "Agnès Pannier-Runacher": "agnes-pannier-runacher",
		"  Straße 5 ": "strasse-5", "李四": "", "Kak": "kak"}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRepeatedIDsGetStableDistinctKeys(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	mk := func(h int) *Session {
		return &Session{ID: "367", Title: Plain("x"), Start: time.Date(2019, 12, 27, h, 0, 0, 0, paris)}
	}
	p := &Programme{ID: "p", TimeZone: "Europe/Paris", Location: paris, Sessions: []*Session{mk(17), mk(16)}}
	Normalize(p)
	if p.Sessions[0].UIDKey != "367" || p.Sessions[1].UIDKey != "367-20191227T1600" {
		t.Errorf("keys = %s, %s", p.Sessions[0].UIDKey, p.Sessions[1].UIDKey)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(header + "sessions:\n  - {id: a, title: A, start: 2025-02-10T10:00, end: 2025-02-10T11:00}\n"))
	f.Add([]byte(header + "venues: [{id: v, geo: [1, 2], rooms: [{id: r}]}]\ntracks: [{id: t}]\nsessions:\n  - {id: a, title: {en: A, fr: B}, room: r, track: t, date: 2025-02-10, end_date: 2025-02-11}\n"))
	f.Add([]byte(`{"id":"x","name":"x","timezone":"UTC","sessions":[{"id":1,"title":"t","start":"2025-01-01T00:00Z","duration":"1:00"}]}`))
	f.Add([]byte("&a [*a, *a]"))
	f.Add([]byte(header + "sessions:\n  - {id: a, title: A, start: 9999-12-31T23:00, duration: 59m}\n  - {id: b, title: B, date: 0001-01-01, end_date: 9999-12-30}\n"))
	f.Add([]byte(header + "description: &d x\nsessions:\n  - {id: a, title: *d, date: 2025-02-10, description: *d}\n---\nx: 1\n"))
	f.Add([]byte(header + "session_url: https://example.org/{id}\nsessions:\n  - {id: true, title: [x], speakers: [nobody]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags, err := DecodeBytes(data, "fuzz.yaml")
		if err == nil && p == nil {
			t.Fatal("nil programme without error")
		}
		if err != nil && !diags.HasErrors() {
			t.Fatalf("error %v without error diagnostics", err)
		}
		if p != nil {
			for _, s := range p.Sessions {
				if !s.AllDay && !s.End.IsZero() && !s.End.After(s.Start) {
					t.Fatalf("session %s ends before it starts", s.ID)
				}
			}
		}
	})
}

func TestYearsICalendarCanWrite(t *testing.T) {
	tests := []struct {
		name, session, field string
	}{
		{"end in year 10000", "start: \"9999-12-31T23:59\"\n    duration: 30m", "duration"},
		{"end clock in year 10000", "date: 9999-12-31\n    start: \"23:00\"\n    end: \"00:30\"", "end"},
		{"start in year 0", "start: 0000-06-01T10:00\n    duration: 30m", "start"},
		{"start in year 0 in UTC", "start: 0001-01-01T00:30+01:00", "start"},
		{"day in year 0", "date: 0000-12-31", "date"},
		{"last day 9999-12-31", "date: 9999-12-30\n    end_date: 9999-12-31", "end_date"},
		{"duration in minutes that overflows", "start: 2025-02-10T10:00\n    duration: 307445735", "duration"},
		{"huge ISO duration", "start: 2025-02-10T10:00\n    duration: P99999999999999999W", "duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := decode(t, header+"sessions:\n  - id: s\n    title: S\n    "+tt.session+"\n")
			if err == nil {
				t.Fatalf("no error: %v", diags)
			}
			d := diags.Errors()[0]
			if d.Path != "sessions[0]."+tt.field || d.Line < 6 || d.Column < 5 {
				t.Errorf("got %s, want an error at sessions[0].%s", d, tt.field)
			}
		})
	}
	// The edges themselves are fine.
	for _, s := range []string{"start: 0001-01-01T10:00\n    end: 9999-12-31T23:59", "date: 0001-01-01\n    end_date: 9999-12-30"} {
		if _, diags, err := decode(t, header+"sessions:\n  - id: s\n    title: S\n    "+s+"\n"); err != nil {
			t.Errorf("%s: %v", s, diags)
		}
	}
	for _, bad := range []string{"updated: 0000-01-01T00:00:00Z\n", "start_date: 0000-01-01\n"} {
		if _, _, err := decode(t, header+bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestCheckYears(t *testing.T) {
	// An importer's programme goes through Check alone.
	p := &Programme{ID: "p", TimeZone: "UTC", Location: time.UTC, Sessions: []*Session{
		{ID: "late", Title: Plain("Late"), Start: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), End: time.Date(10000, 1, 1, 1, 0, 0, 0, time.UTC)},
		{ID: "early", Title: Plain("Early"), AllDay: true, StartDate: Date{0, 12, 31}, EndDate: Date{0, 12, 31}},
	}}
	Normalize(p)
	if n := len(Check(p).Errors()); n != 2 {
		t.Errorf("%d errors, want 2:\n%v", n, Check(p))
	}
}

func TestUnknownSpeakerWithoutASpeakerList(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no list", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10, speakers: [nobody-known]}\n", `unknown speaker "nobody-known"`},
		{"near an inline name", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10, speakers: [ada-lovelace]}\n" +
			"  - {id: b, title: B, date: 2025-02-11, speakers: [Ada Lovelace]}\n", `unknown speaker "ada-lovelace" (did you mean "Ada Lovelace"?)`},
		{"with a list", header + "speakers: [{id: ann, name: Ann}]\nsessions:\n  - {id: a, title: A, speakers: [anne], date: 2025-02-10}\n", `unknown speaker "anne" (did you mean "ann"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := decode(t, tt.src)
			if err == nil {
				t.Fatalf("no error: %v", diags)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v lacks %q", err, tt.want)
			}
		})
	}
	// Names with a capital or a space are inline speakers.
	p, _, err := decode(t, header+"sessions:\n  - {id: a, title: A, date: 2025-02-10, speakers: [Madonna, bell hooks]}\n")
	if err != nil || len(p.Speakers) != 2 {
		t.Fatalf("inline speakers: %v", err)
	}
}

func TestEveryProblemOfABadSession(t *testing.T) {
	_, diags, err := decode(t, header+"sessions:\n  - {id: true, title: [x]}\n  - {id: 'a b', start: soon}\n")
	if err == nil {
		t.Fatal("no error")
	}
	got := diags.Error()
	for _, want := range []string{"sessions[0].id: expected a string, got a boolean", "sessions[0].title: expected a string",
		"sessions[1].id: \"a b\" is not a valid id", "sessions[1].title: missing title", `sessions[1].start: "soon" is not a time`} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	// Venues, tracks and speakers too.
	_, diags, _ = decode(t, header+"venues: [{id: [v], geo: [100, 0]}]\ntracks: [{id: 't t', colour: red}]\nspeakers: [{id: 3.5.x.y z, url: ftp://x}]\n")
	got = diags.Error()
	for _, want := range []string{"venues[0].id", "venues[0].geo", "tracks[0].id", "colour \"red\"", "speakers[0].id", "speakers[0].url", "speakers[0].name"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}

func TestSessionURL(t *testing.T) {
	src := header + "session_url: https://example.org/talks/{id}/\nsessions:\n" +
		"  - {id: a.1~x, title: A, date: 2025-02-10}\n  - {id: b, title: B, date: 2025-02-10, url: https://elsewhere.example/b}\n"
	p, _, err := decode(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SessionURL(p.Session("a.1~x")); got != "https://example.org/talks/a.1~x/" {
		t.Errorf("templated URL %q", got)
	}
	if got := p.SessionURL(p.Session("b")); got != "https://elsewhere.example/b" {
		t.Errorf("own URL %q", got)
	}
	// An imported id with characters a path cannot hold is escaped.
	if got := p.SessionURL(&Session{ID: "a b/c"}); got != "https://example.org/talks/a%20b%2Fc/" {
		t.Errorf("escaped URL %q", got)
	}
	if got := (&Programme{}).SessionURL(&Session{ID: "x"}); got != "" {
		t.Errorf("no template, no URL: %q", got)
	}
	q, _, err := DecodeBytes(encode(t, p), "again.yaml")
	if err != nil || q.SessionURLTemplate != p.SessionURLTemplate || q.Session("a.1~x").URL != "" {
		t.Errorf("round trip: %v, %+v", err, q)
	}
	for _, bad := range []string{"session_url: https://example.org/talks/\n", "session_url: ftp://x/{id}\n", "session_url: https://x/{id}/{id\n"} {
		if _, _, err := decode(t, header+bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestParseMinutesIsTimeParse(t *testing.T) {
	for _, s := range []string{"2025-02-10T09:30", "2024-02-29T23:59", "0001-01-01T00:00", "9999-12-31T23:59",
		"2025-02-29T10:00", "2025-13-01T10:00", "2025-00-10T10:00", "2025-04-31T10:00", "2025-02-10T24:00",
		"2025-02-10T10:60", "2025-02-1xT10:00", "2025-02-10 10:00", "+025-02-10T10:00"} {
		want, werr := time.Parse("2006-01-02T15:04", s)
		got, ok := parseMinutes(s)
		if ok != (werr == nil) || ok && !got.Equal(want) {
			t.Errorf("parseMinutes(%q) = %v, %v; time.Parse: %v, %v", s, got, ok, want, werr)
		}
	}
}

// The domain of UIDs defaults to the programme URL's host only when that
// host is a domain name the domain field itself would accept.
func TestDefaultDomainIsADomainName(t *testing.T) {
	for url, want := range map[string]string{
		"https://summit.example.org/programme": "summit.example.org",
		"http://!":                             "confcal.invalid",
		"http://[::1]:8080/":                   "confcal.invalid",
		"":                                     "confcal.invalid",
	} {
		p := &Programme{ID: "t", URL: url}
		if got := defaultDomain(p); got != want {
			t.Errorf("URL %q: domain %q, want %q", url, got, want)
		}
	}
}

package programme_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/examples"
	"github.com/confcal/confcal/programme"
)

// festival is a small programme that exercises every kind of selection:
// two venues with a room of the same id, a two-day all-day session, a
// session with no published end, types and tags in mixed case, accents.
// loadFestival adds a second occurrence of "pitch", as foreign formats
// allow.
const festival = `
id: fest
name: Fest
timezone: Europe/Paris
venues:
  - id: hall
    geo: {lat: 48.834, lon: 2.371}
    rooms: [{id: main, name: Main}, {id: side, name: Side}]
  - id: palace
    geo: {lat: 48.866, lon: 2.312}
    rooms: [{id: main, name: Grand room}]
tracks:
  - {id: science, name: Science}
  - {id: culture, name: Culture}
  - {id: business, name: Business}
speakers:
  - {id: eric, name: Éric Lombard}
  - {id: frederic, name: Frédéric Worms}
  - {id: ada, name: Ada Lovelace}
sessions:
  - id: expo
    title: Machina Sapiens exhibition
    date: 2025-02-08
    end_date: 2025-02-09
    venue: palace
    track: culture
    type: Exhibition
    tags: [Free]
  - id: keynote
    title: Opening keynote
    description: The state of the art in machine learning.
    start: 2025-02-09T09:00
    end: 2025-02-09T10:00
    venue: hall
    room: main
    track: science
    type: talk
    speakers: [eric]
  - id: panel
    title: Panel on democracy
    subtitle: Citizens' assemblies
    start: 2025-02-09T10:00
    end: 2025-02-09T11:30
    venue: hall
    room: side
    tracks: [science, culture]
    type: Round table
    speakers: [frederic]
    tags: [registration-required]
  - id: lunch
    title: Déjeuner
    start: 2025-02-09T12:00
    venue: palace
    room: main
    type: meal
  - id: pitch
    title: Startup pitches
    start: 2025-02-10T14:00
    end: 2025-02-10T16:00
    venue: palace
    room: main
    track: business
    type: talk
    tags: [free]
    speakers: [ada]
  - id: walk
    title: City walk
    date: 2025-02-10
    location: Meet at the fountain
    type: outing
    status: cancelled
`

func loadFestival(t testing.TB) *programme.Programme {
	t.Helper()
	p, _, err := programme.DecodeBytes([]byte(festival), "festival.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first := p.Session("pitch")
	again := *first
	again.Title = programme.Plain("Startup pitches (again)")
	again.Start, again.End = first.Start.Add(3*time.Hour), first.End.Add(2*time.Hour)
	again.Tags, again.Speakers = nil, nil
	again.UIDKey = "pitch-20250210T1600"
	p.Sessions = append(p.Sessions, &again)
	p.SortSessions()
	return p
}

func loadSummit(t testing.TB) *programme.Programme {
	t.Helper()
	p, _, err := programme.Decode(bytes.NewReader(examples.Summit), examples.SummitName)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// keys lists the UID keys of sessions, which tell repeated ids apart.
func keys(ss []*programme.Session) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.UIDKey
	}
	return strings.Join(out, " ")
}

func TestSelect(t *testing.T) {
	p := loadFestival(t)
	const pitch2 = "pitch-20250210T1600" // the second "pitch"
	type sel = programme.Selection
	tests := []struct {
		name string
		sel  sel
		want string
	}{
		// One kind at a time.
		{"track", sel{Tracks: []string{"science"}}, "keynote panel"},
		{"track of a multi-track session", sel{Tracks: []string{"culture"}}, "expo panel"},
		{"day", sel{Days: []string{"2025-02-10"}}, "walk pitch " + pitch2},
		{"day inside a multi-day session", sel{Days: []string{"2025-02-09"}}, "expo keynote panel lunch"},
		{"venue", sel{Venues: []string{"hall"}}, "keynote panel"},
		{"bare room id names it in every venue", sel{Rooms: []string{"main"}}, "keynote lunch pitch " + pitch2},
		{"venue/room", sel{Rooms: []string{"hall/main"}}, "keynote"},
		{"speaker", sel{Speakers: []string{"frederic"}}, "panel"},
		{"type, any case", sel{Types: []string{"EXHIBITION"}}, "expo"},
		{"type with a space", sel{Types: []string{"round table"}}, "panel"},
		{"tag, any case", sel{Tags: []string{"free"}}, "expo pitch"},
		{"text over the title", sel{Text: []string{"keynote"}}, "keynote"},
		{"text over the description", sel{Text: []string{"machine"}}, "keynote"},
		{"text over the subtitle", sel{Text: []string{"assemblies"}}, "panel"},
		{"text over speaker names, without accents", sel{Text: []string{"eric"}}, "keynote"},
		{"text matches at the start of words only", sel{Text: []string{"ric"}}, ""},
		{"text with accents finds text without", sel{Text: []string{"Startûp"}}, "pitch " + pitch2},
		{"text without accents finds text with", sel{Text: []string{"dejeuner"}}, "lunch"},
		{"text words are AND-ed", sel{Text: []string{"startup again"}}, pitch2},
		{"text values are OR-ed", sel{Text: []string{"keynote", "walk"}}, "keynote walk"},
		{"text prefix", sel{Text: []string{"demo"}}, "panel"},

		// Values of one kind are OR-ed, kinds AND-ed.
		{"two tracks", sel{Tracks: []string{"science", "business"}}, "keynote panel pitch " + pitch2},
		{"track and day", sel{Tracks: []string{"science", "business"}, Days: []string{"2025-02-10"}}, "pitch " + pitch2},
		{"track and venue, nothing in common", sel{Tracks: []string{"science"}, Venues: []string{"palace"}}, ""},
		{"type and tag", sel{Types: []string{"talk"}, Tags: []string{"free"}}, "pitch"},

		// The time window.
		{"from a local time: sessions still running", sel{From: "2025-02-09T09:30"}, "expo keynote panel lunch walk pitch " + pitch2},
		{"from then until a local time", sel{From: "2025-02-09T10:00", Until: "2025-02-09T12:00"}, "expo panel"},
		{"a session with no end is an instant", sel{From: "2025-02-09T12:00", Until: "2025-02-09T12:01"}, "expo lunch"},
		{"an instant before from is out", sel{From: "2025-02-09T12:01", Until: "2025-02-09T13:00"}, "expo"},
		{"until a date includes that day", sel{Until: "2025-02-08"}, "expo"},
		{"from a date", sel{From: "2025-02-10"}, "walk pitch " + pitch2},
		{"RFC 3339; an all-day session runs all day", sel{From: "2025-02-10T15:30:00Z"}, "walk " + pitch2},
		{"window and track", sel{From: "2025-02-09", Until: "2025-02-09", Tracks: []string{"culture"}}, "expo panel"},

		// Exclusions.
		{"not-track alone starts from everything", sel{NotTracks: []string{"science", "business"}}, "expo lunch walk"},
		{"not-venue alone", sel{NotVenues: []string{"palace"}}, "keynote panel walk"},
		{"not-type, any case", sel{Tracks: []string{"business"}, NotTypes: []string{"Talk"}}, ""},
		{"not-tag", sel{Days: []string{"2025-02-09"}, NotTags: []string{"FREE"}}, "keynote panel lunch"},
		{"exclude alone starts from everything", sel{Exclude: []string{"walk", "pitch"}}, "expo keynote panel lunch"},
		{"exclude an id removes every occurrence", sel{Tracks: []string{"business"}, Exclude: []string{"pitch"}}, ""},
		{"exclude one occurrence by its key", sel{Tracks: []string{"business"}, Exclude: []string{pitch2}}, "pitch"},
		{"a multi-track session goes with any excluded track", sel{Tracks: []string{"culture"}, NotTracks: []string{"science"}}, "expo"},

		// Named sessions and precedence.
		{"sessions alone", sel{Sessions: []string{"lunch", "keynote"}}, "keynote lunch"},
		{"a named session is in whatever the filters say", sel{Tracks: []string{"science"}, Sessions: []string{"lunch"}}, "keynote panel lunch"},
		{"a named session beats not-track", sel{NotTracks: []string{"science"}, Sessions: []string{"keynote"}, Days: []string{"2025-02-09"}}, "expo keynote lunch"},
		{"a named session beats the time window", sel{From: "2025-02-10", Sessions: []string{"keynote"}}, "keynote walk pitch " + pitch2},
		{"named sessions with an exclusion do not start from everything", sel{Sessions: []string{"lunch"}, NotTracks: []string{"culture"}}, "lunch"},
		{"exclude beats a named session", sel{Sessions: []string{"keynote", "panel"}, Exclude: []string{"panel"}}, "keynote"},
		{"exclude beats everything", sel{Tracks: []string{"science"}, Sessions: []string{"panel"}, Exclude: []string{"panel"}}, "keynote"},
		{"a repeated id names every occurrence", sel{Sessions: []string{"pitch"}}, "pitch " + pitch2},
		{"cancelled sessions are chosen like any", sel{Types: []string{"outing"}}, "walk"},
		{"blank values are ignored", sel{Tracks: []string{" ", "science"}}, "keynote panel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Select(tt.sel)
			if err != nil {
				t.Fatalf("Select(%v): %v", tt.sel.Query(), err)
			}
			if keys(got) != tt.want {
				t.Errorf("Select(%v) = %q, want %q", tt.sel.Query(), keys(got), tt.want)
			}
			// The canonical query chooses the same sessions.
			again, err := programme.ParseQuery(tt.sel.Query())
			if err != nil {
				t.Fatalf("ParseQuery(Query()): %v", err)
			}
			if got2, err := p.Select(again); err != nil || keys(got2) != keys(got) {
				t.Errorf("through the query: %q, %v; want %q", keys(got2), err, keys(got))
			}
		})
	}
}

func TestSelectErrors(t *testing.T) {
	p := loadFestival(t)
	type sel = programme.Selection
	tests := []struct {
		name string
		sel  sel
		want string // the error message
		// field, value and suggestion of the *SelectionError, when it is one
		field, value, suggestion string
	}{
		{"zero", sel{}, programme.ErrEmptySelection.Error(), "", "", ""},
		{"only blanks", sel{Tracks: []string{" "}, Text: []string{" , "}}, programme.ErrEmptySelection.Error(), "", "", ""},
		{"unknown track", sel{Tracks: []string{"sciense"}}, `unknown track "sciense" (did you mean "science"?)`, "track", "sciense", "science"},
		{"unknown track among known", sel{Tracks: []string{"culture", "busines"}}, `unknown track "busines" (did you mean "business"?)`, "track", "busines", "business"},
		{"unknown not-track", sel{NotTracks: []string{"cultur"}}, `unknown track "cultur" (did you mean "culture"?)`, "not-track", "cultur", "culture"},
		{"unknown venue", sel{Venues: []string{"palais"}}, `unknown venue "palais" (did you mean "palace"?)`, "venue", "palais", "palace"},
		{"unknown not-venue", sel{NotVenues: []string{"hal"}}, `unknown venue "hal" (did you mean "hall"?)`, "not-venue", "hal", "hall"},
		{"unknown room", sel{Rooms: []string{"hall/mian"}}, `unknown room "hall/mian" (did you mean "hall/main"?)`, "room", "hall/mian", "hall/main"},
		{"unknown speaker", sel{Speakers: []string{"frederik"}}, `unknown speaker "frederik" (did you mean "frederic"?)`, "speaker", "frederik", "frederic"},
		{"unknown type", sel{Types: []string{"exhibit"}}, `unknown type "exhibit" (did you mean "Exhibition"?)`, "type", "exhibit", "Exhibition"},
		{"unknown not-type", sel{NotTypes: []string{"tlak"}}, `unknown type "tlak" (did you mean "talk"?)`, "not-type", "tlak", "talk"},
		{"unknown tag", sel{Tags: []string{"fre"}}, `unknown tag "fre" (did you mean "Free"?)`, "tag", "fre", "Free"},
		{"unknown session", sel{Sessions: []string{"keynot"}}, `unknown session "keynot" (did you mean "keynote"?)`, "session", "keynot", "keynote"},
		{"unknown session close to a repeated id", sel{Sessions: []string{"pitches"}}, `unknown session "pitches" (did you mean "pitch"?)`, "session", "pitches", "pitch"},
		{"unknown exclude", sel{Tracks: []string{"science"}, Exclude: []string{"panle"}}, `unknown session "panle" (did you mean "panel"?)`, "exclude", "panle", "panel"},
		{"no suggestion when nothing is close", sel{Venues: []string{"xyzzy-elsewhere"}}, `unknown venue "xyzzy-elsewhere"`, "venue", "xyzzy-elsewhere", ""},
		{"unknown day", sel{Days: []string{"2025-02-12"}}, `unknown day "2025-02-12" (did you mean "2025-02-10"?)`, "day", "2025-02-12", "2025-02-10"},
		{"day before the programme", sel{Days: []string{"2025-01-01"}}, `unknown day "2025-01-01" (did you mean "2025-02-08"?)`, "day", "2025-01-01", "2025-02-08"},
		{"impossible day", sel{Days: []string{"2025-02-30"}}, `day "2025-02-30": not a date: write YYYY-MM-DD`, "day", "2025-02-30", ""},
		{"bad from", sel{From: "tomorrow"}, `from "tomorrow": not a time: write 2025-02-10T14:00 (programme zone), 2025-02-10T14:00+01:00 or 2025-02-10`, "from", "tomorrow", ""},
		{"bad until date", sel{Until: "2025-13-01"}, `until "2025-13-01": not a real date: write YYYY-MM-DD`, "until", "2025-13-01", ""},
		{"until not after from", sel{From: "2025-02-10T12:00", Until: "2025-02-10T12:00"}, `until "2025-02-10T12:00": not after from "2025-02-10T12:00"`, "until", "2025-02-10T12:00", ""},
		{"a time the clocks skip", sel{From: "2025-03-30T02:30"}, `from "2025-03-30T02:30": does not exist in Europe/Paris (the clocks go forward then)`, "from", "2025-03-30T02:30", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Select(tt.sel)
			if err == nil {
				t.Fatalf("Select = %q, want error %q", keys(got), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			var se *programme.SelectionError
			if tt.field == "" {
				if !errors.Is(err, programme.ErrEmptySelection) {
					t.Errorf("error %v is not ErrEmptySelection", err)
				}
				return
			}
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SelectionError", err)
			}
			if se.Field != tt.field || se.Value != tt.value || se.Suggestion != tt.suggestion {
				t.Errorf("SelectionError{%q, %q, %q}, want {%q, %q, %q}", se.Field, se.Value, se.Suggestion, tt.field, tt.value, tt.suggestion)
			}
		})
	}
}

// TestSelectSummit checks the selection language on the built-in example,
// whose sessions are nearly all dated, not timed.
func TestSelectSummit(t *testing.T) {
	p := loadSummit(t)
	tests := []struct {
		query string
		want  string
	}{
		{"track=summit,business&day=2025-02-11", "gp-day2-leaders india-france-ceos-forum stationf-business-day stationf-business-day-opening"},
		{"q=macron&not-type=dinner,forum", "gp-day1-macron-speech gp-day2-leaders stationf-business-day"},
		{"q=lombard", "stationf-business-day stationf-business-day-opening"},
		{"speaker=yann-lecun", "ai-science-society"},
		{"day=2025-02-07", "ai-science-society scpo-tribunal"},
		{"room=poincare", "ai-science-society"},
		{"tag=free", "culture-weekend-bnf"},
		{"venue=stationf&from=2025-02-11T10:00", "stationf-business-day"},
		{"not-track=science,culture,side-events,business&exclude=elysee-dinner", "gp-day1-forum gp-day1-macron-speech gp-day2-leaders"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			sel, err := programme.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Select(sel)
			if err != nil {
				t.Fatal(err)
			}
			if keys(got) != tt.want {
				t.Errorf("got %q\nwant %q", keys(got), tt.want)
			}
		})
	}
}

// TestSuggestInside checks the fallback suggestion: a known value that
// holds what was typed.
func TestSuggestInside(t *testing.T) {
	p := loadSummit(t)
	_, err := p.Select(programme.Selection{Sessions: []string{"business-day"}})
	if want := `unknown session "business-day" (did you mean "stationf-business-day"?)`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		query string
		want  programme.Selection
		err   string
	}{
		{"", programme.Selection{}, ""},
		{"track=a,b&track=c&day=2025-02-10", programme.Selection{Tracks: []string{"a", "b", "c"}, Days: []string{"2025-02-10"}}, ""},
		{"session=x&venue=v&room=h/r&speaker=s&type=t&tag=g&q=hello+world",
			programme.Selection{Sessions: []string{"x"}, Venues: []string{"v"}, Rooms: []string{"h/r"}, Speakers: []string{"s"},
				Types: []string{"t"}, Tags: []string{"g"}, Text: []string{"hello world"}}, ""},
		{"from=2025-02-10T14:00&until=2025-02-11", programme.Selection{From: "2025-02-10T14:00", Until: "2025-02-11"}, ""},
		{"not-track=a&not-venue=b&not-type=c&not-tag=d&exclude=e,f",
			programme.Selection{NotTracks: []string{"a"}, NotVenues: []string{"b"}, NotTypes: []string{"c"}, NotTags: []string{"d"}, Exclude: []string{"e", "f"}}, ""},
		{"track=+a+,,b,", programme.Selection{Tracks: []string{"a", "b"}}, ""},
		{"from=&track=a", programme.Selection{Tracks: []string{"a"}}, ""},
		{"tracks=a", programme.Selection{}, `unknown parameter "tracks" (did you mean "track"?)`},
		{"alarm=10m", programme.Selection{}, `unknown parameter "alarm"`},
		{"from=2025-02-10&from=2025-02-11", programme.Selection{}, `from "2025-02-10,2025-02-11": given more than once`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := programme.ParseQuery(q)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestQueryCanonical(t *testing.T) {
	a := programme.Selection{Tracks: []string{"science", "culture", "science"}, Text: []string{"  AI,  science "}, Until: "2025-02-11",
		Exclude: []string{"b", "a"}, Sessions: []string{"z"}}
	b := programme.Selection{Sessions: []string{"z", "z"}, Exclude: []string{"a", "b"}, Tracks: []string{"culture", "science"},
		Text: []string{"AI science"}, Until: " 2025-02-11 "}
	want := "exclude=a&exclude=b&q=AI+science&session=z&track=culture&track=science&until=2025-02-11"
	for _, sel := range []programme.Selection{a, b} {
		if got := sel.Query().Encode(); got != want {
			t.Errorf("Query() = %s, want %s", got, want)
		}
	}
	if got := (programme.Selection{}).Query().Encode(); got != "" {
		t.Errorf("zero Query() = %q", got)
	}
}

func TestIsZeroAndMerge(t *testing.T) {
	if !(programme.Selection{}).IsZero() {
		t.Error("zero selection is not IsZero")
	}
	for _, sel := range []programme.Selection{{From: "x"}, {Until: "x"}, {Exclude: []string{"x"}}, {NotTags: []string{"x"}}, {Text: []string{"x"}}} {
		if sel.IsZero() {
			t.Errorf("%+v IsZero", sel)
		}
	}
	base := programme.Selection{Tracks: []string{"a"}, From: "2025-02-10"}
	got := base.Merge(programme.Selection{Tracks: []string{"b"}, Exclude: []string{"x"}, Until: "2025-02-11"})
	want := programme.Selection{Tracks: []string{"a", "b"}, Exclude: []string{"x"}, From: "2025-02-10", Until: "2025-02-11"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	if base.Tracks[0] != "a" || len(base.Tracks) != 1 {
		t.Errorf("Merge changed its receiver: %+v", base)
	}
	if got := base.Merge(programme.Selection{From: "2025-02-11"}).From; got != "2025-02-11" {
		t.Errorf("a later From does not replace: %q", got)
	}
}

func TestQueryParams(t *testing.T) {
	got := strings.Join(programme.QueryParams(), " ")
	want := "day exclude from not-tag not-track not-type not-venue q room session speaker tag track type until venue"
	if got != want {
		t.Errorf("QueryParams() = %s", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"track=a,b&day=2025-02-10", "from=2025-02-10T14:00&until=2025-02-11", "q=%C3%A9ric&exclude=x", "tracks=a", "from=a&from=b"} {
		f.Add(s)
	}
	p := loadSummit(f)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		sel, err := programme.ParseQuery(q)
		if err != nil {
			return
		}
		got, err := p.Select(sel)
		if err != nil {
			return
		}
		// The canonical query is stable and chooses the same sessions.
		canon := sel.Query()
		again, err := programme.ParseQuery(canon)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", canon.Encode(), err)
		}
		if again.Query().Encode() != canon.Encode() {
			t.Fatalf("query not canonical: %q then %q", canon.Encode(), again.Query().Encode())
		}
		got2, err := p.Select(again)
		if err != nil || keys(got2) != keys(got) {
			t.Fatalf("canonical query %q chooses %q (%v), the original %q", canon.Encode(), keys(got2), err, keys(got))
		}
	})
}

func ExampleProgramme_Select() {
	p, _, err := programme.Decode(bytes.NewReader(examples.Summit), examples.SummitName)
	if err != nil {
		panic(err)
	}
	q, _ := url.ParseQuery("track=summit,business&day=2025-02-11&not-type=forum")
	sel, err := programme.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	sessions, err := p.Select(sel)
	if err != nil {
		panic(err)
	}
	for _, s := range sessions {
		fmt.Println(s.ID)
	}
	_, err = p.Select(programme.Selection{Tracks: []string{"sumit"}})
	fmt.Println(err)
	// Output:
	// gp-day2-leaders
	// stationf-business-day
	// stationf-business-day-opening
	// unknown track "sumit" (did you mean "summit"?)
}

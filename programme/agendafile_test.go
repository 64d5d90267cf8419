package programme_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

const agendaYAML = `# my week
programme: ../programmes/summit.yaml
programme_id: ai-action-summit-2025
name: My summit week
select:
  track: [summit, business]
  day: 2025-02-11
  session: ens-ai-in-the-city
  text: ["AI, science", macron]
  not-venue: roquelaure,elysee
  exclude:
    - india-france-ceos-forum
  from: 2025-02-10T08:00
alarm: 15m
lang: fr
tz: America/New_York
`

func TestDecodeAgendaFile(t *testing.T) {
	af, err := programme.DecodeAgendaFile([]byte(agendaYAML), "my.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := programme.Selection{
		Sessions:  []string{"ens-ai-in-the-city"},
		Tracks:    []string{"summit", "business"},
		Days:      []string{"2025-02-11"},
		Text:      []string{"AI, science", "macron"},
		NotVenues: []string{"roquelaure", "elysee"},
		Exclude:   []string{"india-france-ceos-forum"},
		From:      "2025-02-10T08:00",
	}
	if !reflect.DeepEqual(af.Selection, want) {
		t.Errorf("selection\n%+v\nwant\n%+v", af.Selection, want)
	}
	if af.Programme != "../programmes/summit.yaml" || af.ProgrammeID != "ai-action-summit-2025" || af.Name != "My summit week" ||
		af.Alarm != 15*time.Minute || af.Lang != "fr" || af.TimeZone != "America/New_York" || af.Path != "my.yaml" {
		t.Errorf("options: %+v", af)
	}
}

func TestDecodeAgendaFileEmpty(t *testing.T) {
	for _, src := range []string{"{}", "~", "select:\n"} {
		af, err := programme.DecodeAgendaFile([]byte(src), "e.yaml")
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !af.Selection.IsZero() {
			t.Errorf("%q: selection %+v", src, af.Selection)
		}
	}
}

func TestDecodeAgendaFileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "a.yaml:1:1: empty agenda file"},
		{"syntax", "select: [", "a.yaml:1:1: syntax: did not find expected node content"},
		{"not a mapping", "- track", "a.yaml:1:1: an agenda file is a mapping with programme, select, alarm, lang; found a list"},
		{"unknown key", "programe: x.yaml", `a.yaml:1:1: programe: unknown key "programe" (did you mean "programme"?)`},
		{"unknown select key", "select:\n  tracks: [a]", `a.yaml:2:3: select.tracks: unknown key "tracks" (did you mean "track"?)`},
		{"select not a mapping", "select: [a]", "a.yaml:1:9: select: want a mapping of track, day, session, ...; found a list"},
		{"nested list", "select:\n  track: [[a]]", "a.yaml:2:11: select.track[0]: want a value, found a list"},
		{"mapping value", "select:\n  day: {a: b}", "a.yaml:2:8: select.day: want a value or a list, found a mapping"},
		{"from as a list", "select:\n  from: [a, b]", "a.yaml:2:9: select.from: want a single value, found a list"},
		{"bad alarm", "alarm: soon", `a.yaml:1:8: alarm: "soon" is not a duration: write 15m, 1h or PT15M`},
		{"negative alarm", "alarm: -5m", "a.yaml:1:8: alarm: must not be negative"},
		{"bad zone", "tz: Europe/Pariss", `a.yaml:1:5: tz: unknown time zone "Europe/Pariss"`},
		{"every problem at once", "name: [x]\nlang: fr\nalarm: x\n", "a.yaml:1:7: name: want a single value, found a list\n" +
			`a.yaml:3:8: alarm: "x" is not a duration: write 15m, 1h or PT15M`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := programme.DecodeAgendaFile([]byte(tt.src), "a.yaml")
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestAgendaFileSaveLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "programmes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "agendas"), 0o755); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "programmes", "summit.yaml")
	af := &programme.AgendaFile{Programme: prog, ProgrammeID: "ai-action-summit-2025", Name: "Mine",
		Selection: programme.Selection{Tracks: []string{"summit", "business", "summit"}, Text: []string{"AI, science"},
			Exclude: []string{"b", "a"}, Until: "2025-02-11"},
		Alarm: 90 * time.Minute, Lang: "fr", TimeZone: "Europe/London"}
	path := filepath.Join(dir, "agendas", "mine.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := af.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `# A confcal agenda: confcal agenda --agenda FILE (see docs/selection.md).
programme: ../programmes/summit.yaml
programme_id: ai-action-summit-2025
name: Mine
select:
  track: [business, summit]
  text: AI science
  until: "2025-02-11"
  exclude: [a, b]
alarm: 1h30m
lang: fr
tz: Europe/London
`
	if string(data) != want {
		t.Errorf("saved\n%s\nwant\n%s", data, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("Save left %d files behind", len(entries)-1)
	}
	back, err := programme.LoadAgendaFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Programme != filepath.Join(dir, "agendas", "..", "programmes", "summit.yaml") && filepath.Clean(back.Programme) != prog {
		t.Errorf("programme %q, want %q", back.Programme, prog)
	}
	if back.Selection.Query().Encode() != af.Selection.Query().Encode() {
		t.Errorf("selection %s, want %s", back.Selection.Query().Encode(), af.Selection.Query().Encode())
	}
	if back.Alarm != af.Alarm || back.Lang != af.Lang || back.TimeZone != af.TimeZone || back.Name != af.Name {
		t.Errorf("options %+v", back)
	}
	// Saved again, the file does not change.
	if err := back.Save(path); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Errorf("saved again\n%s", again)
	}
}

func TestAgendaFileRemoteProgramme(t *testing.T) {
	for _, src := range []string{"https://example.org/programme.json", ""} {
		af := &programme.AgendaFile{Programme: src, Selection: programme.Selection{Days: []string{"2025-02-10"}}}
		data, err := af.Encode(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		back, err := programme.DecodeAgendaFile(data, "x.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if back.Programme != src {
			t.Errorf("programme %q came back as %q", src, back.Programme)
		}
	}
}

func TestAgendaFileLocate(t *testing.T) {
	p := loadSummit(t)
	src := "select:\n  track: [summit, busines]\n  text: macron\n"
	af, err := programme.DecodeAgendaFile([]byte(src), "mine.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Select(af.Selection)
	err = af.Locate(err)
	want := `mine.yaml:2:19: unknown track "busines" (did you mean "business"?)`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	var se *programme.SelectionError
	if !errors.As(err, &se) || se.Field != "track" {
		t.Errorf("the located error does not unwrap to the SelectionError: %#v", err)
	}
	// An error about a value that is not in the file is left alone.
	af.Selection.Tracks = []string{"summit"}
	_, err = p.Select(af.Selection.Merge(programme.Selection{Venues: []string{"nowhere"}}))
	if got := af.Locate(err); got != err {
		t.Errorf("Locate changed an error about a flag: %v", got)
	}
	var none *programme.AgendaFile
	if got := none.Locate(err); got != err {
		t.Errorf("a nil agenda file changed an error: %v", got)
	}
}

func TestAgendaFileCheck(t *testing.T) {
	p := loadSummit(t)
	af := &programme.AgendaFile{ProgrammeID: "fosdem-2026", Path: "mine.yaml"}
	err := af.Check(p)
	want := `agenda mine.yaml is for programme "fosdem-2026", not "ai-action-summit-2025"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	af.ProgrammeID = p.ID
	if err := af.Check(p); err != nil {
		t.Error(err)
	}
}

// TestAgendaCalendarInterop makes an agenda's calendar as confcal agenda
// -o does, from the events of the public feed set, and has independent
// parsers read it: every event at its programme time, with the UID it has
// in the public feeds.
func TestAgendaCalendarInterop(t *testing.T) {
	p := loadSummit(t)
	src := "select:\n  track: [summit, business]\n  session: ens-ai-in-the-city\n  exclude: elysee-dinner\n"
	af, err := programme.DecodeAgendaFile([]byte(src), "mine.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := p.Select(af.Selection)
	if err != nil {
		t.Fatal(err)
	}
	set, err := feed.Build(p, feed.Options{Alarm: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	events := set.EventsOf(sessions)
	if len(events) != len(sessions) || len(events) != 7 {
		t.Fatalf("%d events for %d sessions, want 7", len(events), len(sessions))
	}
	cal := set.Render(feed.KindAgenda, af.Selection.Query().Encode(), "agenda", "Mine", "", events)
	for _, ev := range events {
		track := set.Feed("track/" + ev.Session.Tracks[0].ID)
		if track == nil || !strings.Contains(string(track.Bytes()), "UID:"+ev.UID[:min(len(ev.UID), 60)]) {
			t.Errorf("event %s is not in its track feed with the same UID", ev.UID)
		}
	}
	path := filepath.Join(t.TempDir(), "agenda.ics")
	if err := os.WriteFile(path, cal.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	feedtest.CheckFiles(t, set, path)
}

func FuzzDecodeAgendaFile(f *testing.F) {
	f.Add([]byte(agendaYAML))
	f.Add([]byte("select: {track: a, from: [x]}\nalarm: PT1H"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		af, err := programme.DecodeAgendaFile(data, "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		// What was read is written back and read again the same.
		out, err := af.Encode(".")
		if err != nil {
			t.Fatal(err)
		}
		back, err := programme.DecodeAgendaFile(out, "again.yaml")
		if err != nil {
			t.Fatalf("reading back %q: %v", out, err)
		}
		if back.Selection.Query().Encode() != af.Selection.Query().Encode() {
			t.Fatalf("selection %s came back as %s", af.Selection.Query().Encode(), back.Selection.Query().Encode())
		}
	})
}

// TestExampleAgendas reads every example agenda, loads its programme and
// chooses its sessions.
func TestExampleAgendas(t *testing.T) {
	files, _ := filepath.Glob("../examples/agendas/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example agendas")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			af, err := programme.LoadAgendaFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := source.Load(context.Background(), af.Programme, source.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := af.Check(p); err != nil {
				t.Fatal(err)
			}
			sessions, err := p.Select(af.Selection)
			if err != nil {
				t.Fatal(af.Locate(err))
			}
			if len(sessions) == 0 {
				t.Error("the example chooses no session")
			}
			programme.Conflicts(p, sessions, programme.ConflictOptions{})
		})
	}
}

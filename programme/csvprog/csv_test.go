package csvprog

import (
	"os"
	"strings"
	"testing"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/importtest"
)

func decodeFile(t *testing.T, name, zone string) (*programme.Programme, programme.Diagnostics) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, diags, err := Decode(data, name, Options{TimeZone: zone})
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return p, diags
}

func byTitle(p *programme.Programme, title string) *programme.Session {
	for _, s := range p.Sessions {
		if s.Title.In("") == title {
			return s
		}
	}
	return nil
}

func TestSemicolonDayFirst(t *testing.T) {
	p, diags := decodeFile(t, "semicolon.csv", "Europe/Paris")
	if len(p.Sessions) != 4 || p.ID != "semicolon" {
		t.Fatalf("%q with %d sessions", p.ID, len(p.Sessions))
	}
	open := byTitle(p, "Opening")
	if open.ID != "open" || !open.Start.Equal(importtest.UTC("2025-02-10T08:00:00Z")) || !open.End.Equal(importtest.UTC("2025-02-10T08:30:00Z")) {
		t.Errorf("opening %s at %v..%v", open.ID, open.Start, open.End)
	}
	if len(open.Speakers) != 2 || open.Speakers[1].Name != "Bo Chen" || open.Room.Name.In("") != "Main hall" || open.Tracks[0].ID != "plenary" {
		t.Errorf("opening speakers %v room %v tracks %v", open.Speakers, open.Room, open.Tracks)
	}
	if open.Description.In("") != "Hello & welcome" {
		t.Errorf("HTML description became %q", open.Description.In(""))
	}
	owl := byTitle(p, "Night owl")
	if !owl.End.Equal(importtest.UTC("2025-02-10T23:30:00Z")) || owl.Status != programme.Cancelled {
		t.Errorf("night owl ends %v, status %s", owl.End, owl.Status)
	}
	lunch := byTitle(p, `Lunch; with "friends"`)
	if lunch == nil || !lunch.AllDay || lunch.StartDate.String() != "2025-02-11" {
		t.Errorf("quoted all-day row: %+v", lunch)
	}
	ws := byTitle(p, "Workshop")
	if ws.Status != programme.Tentative || !ws.End.IsZero() || ws.Room.ID != "room-b" {
		t.Errorf("workshop %s end %v room %v", ws.Status, ws.End, ws.Room)
	}
	if !importtest.HasWarning(diags, "HTML") {
		t.Errorf("no HTML warning in %v", diags)
	}
}

func TestCommaISO(t *testing.T) {
	p, diags := decodeFile(t, "comma.csv", "Europe/Paris")
	key := byTitle(p, "Keynote")
	if !key.Start.Equal(importtest.UTC("2025-03-30T00:30:00Z")) || !key.End.Equal(importtest.UTC("2025-03-30T02:00:00Z")) {
		t.Errorf("keynote across the DST change at %v..%v", key.Start, key.End)
	}
	if key.ID != "keynote" || strings.Join(key.Tags, "|") != "ai|policy" || key.URL != "https://example.org/k" || key.Room.Name.In("") != "Aula" {
		t.Errorf("keynote %q tags %v url %q room %v", key.ID, key.Tags, key.URL, key.Room)
	}
	off := byTitle(p, "Offset given")
	if !off.Start.Equal(importtest.UTC("2025-03-30T08:00:00Z")) || off.URL != "" {
		t.Errorf("offset row at %v, url %q", off.Start, off.URL)
	}
	for _, w := range []string{"no id column", "does not exist", "not an http(s) URL"} {
		if !importtest.HasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
}

func TestColumns(t *testing.T) {
	tests := []struct {
		name string
		want Field
	}{
		{"Title", FieldTitle}, {"Session Title", FieldTitle}, {"START_TIME", FieldStart}, {"start-time", FieldStart},
		{"Speaker(s)", FieldSpeakers}, {"Room", FieldRoom}, {"Location", FieldRoom}, {"Duration (minutes)", FieldDuration},
		{"abstract", FieldDescription}, {"Session ID", FieldID}, {"Track", FieldTrack}, {"Lang", FieldLanguage},
	}
	for _, tt := range tests {
		if got, ok := FieldOf(tt.name); !ok || got != tt.want {
			t.Errorf("FieldOf(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, csv, zone, want string
		line                  int
	}{
		{"empty", "", "UTC", "empty file", 1},
		{"no title column", "when,where\n2025-01-01,x\n", "UTC", "needs a title column", 1},
		{"no zone", "title,start\nA,2025-01-01 10:00\n", "", "--timezone", 1},
		{"bad date", "title,date,start\nA,2025-13-45,10:00\n", "UTC", `date "2025-13-45" is not a date`, 2},
		{"no date", "title,start\nA,10:00\n", "UTC", `session "A" has no date`, 2},
		{"no title", "title,date\n,2025-01-01\n", "UTC", "no title", 2},
		{"end before start", "title,start,end\nA,2025-01-01 10:00,2025-01-01 09:00\n", "UTC", "is not after start", 2},
		{"bad duration", "title,start,duration\nA,2025-01-01 10:00,soon\n", "UTC", `duration "soon"`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := Decode([]byte(tt.csv), "bad.csv", Options{TimeZone: tt.zone})
			if err == nil {
				t.Fatal("no error")
			}
			errs := diags.Errors()
			if len(errs) == 0 || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != "bad.csv" {
				t.Fatalf("got %v, want an error containing %q", errs, tt.want)
			}
			if errs[0].Line != tt.line {
				t.Errorf("error at line %d, want %d", errs[0].Line, tt.line)
			}
		})
	}
}

// TestRowCellCounts checks that a row with fewer or more cells than the
// header is read and warned about, at its line.
func TestRowCellCounts(t *testing.T) {
	data := []byte("title,start,end,room\nFull,2025-01-01 09:00,2025-01-01 10:00,A\nShort,2025-01-01 11:00\nLong,2025-01-01 12:00,2025-01-01 13:00,B,extra\n")
	p, diags, err := Decode(data, "rows.csv", Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sessions) != 3 {
		t.Fatalf("%d sessions, want 3", len(p.Sessions))
	}
	want := map[int]string{
		3: `the row has 2 cells, the header 4; columns "end", "room" are left empty`,
		4: "the row has 5 cells, the header 4; the extra cells are ignored",
	}
	for _, d := range diags.Warnings() {
		if msg, ok := want[d.Line]; ok && strings.HasPrefix(d.Message, msg) && d.File == "rows.csv" && d.Column == 1 {
			delete(want, d.Line)
		}
	}
	for line, msg := range want {
		t.Errorf("no warning at rows.csv:%d:1: %s; got %v", line, msg, diags)
	}
}

func TestRepeatedID(t *testing.T) {
	data := []byte("id,title,start\nk,Keynote,2025-01-01 09:00\nk,Keynote,2025-01-02 09:00\n")
	p, diags, err := Decode(data, "rep.csv", Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Sessions[0].UIDKey == p.Sessions[1].UIDKey || !importtest.HasWarning(diags, "used by an earlier row") {
		t.Errorf("keys %q %q, findings %v", p.Sessions[0].UIDKey, p.Sessions[1].UIDKey, diags)
	}
}

func TestWindows1252(t *testing.T) {
	data := []byte("title,date\nCaf\xe9,2025-01-01\n")
	p, diags, err := Decode(data, "latin.csv", Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Sessions[0].Title.In("") != "Café" || !importtest.HasWarning(diags, "Windows-1252") {
		t.Errorf("title %q, findings %v", p.Sessions[0].Title.In(""), diags)
	}
}

package frab

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/importtest"
)

func decodeFile(t *testing.T, name string, opts Options) (*programme.Programme, programme.Diagnostics) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, diags, err := Decode(data, name, opts)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return p, diags
}

// byTitle returns the sessions titled title, in order.
func TestPentabarfNeedsZone(t *testing.T) {
	data, err := os.ReadFile("testdata/pentabarf.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, diags, err := Decode(data, "pentabarf.xml", Options{})
	if err == nil {
		t.Fatal("decoded a schedule with no zone and no offsets without --timezone")
	}
	errs := diags.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "--timezone") || errs[0].File != "pentabarf.xml" || errs[0].Line == 0 {
		t.Errorf("want one error naming the file, the place and --timezone, got %v", errs)
	}
}

func TestPentabarf(t *testing.T) {
	p, diags := decodeFile(t, "pentabarf.xml", Options{TimeZone: "Europe/Brussels"})
	if got := len(p.Sessions); got != 5 {
		t.Fatalf("got %d sessions, want 5", got)
	}
	tests := []struct {
		title      string
		n          int // which occurrence
		start, end string
		room       string
	}{
		{"Opening", 0, "2024-02-03T08:00:00Z", "2024-02-03T08:45:00Z", "main"},
		{"Opening", 1, "2024-02-04T08:00:00Z", "2024-02-04T08:45:00Z", "main"},
		{"Long workshop", 0, "2024-02-03T09:00:00Z", "2024-02-03T10:30:00Z", "main"},
		// Before the 06:00 day change: after midnight, the next date.
		{"After midnight", 0, "2024-02-04T00:30:00Z", "2024-02-04T01:30:00Z", "main"},
		{"Zero length", 0, "2024-02-04T11:00:00Z", "", "main"},
	}
	for _, tt := range tests {
		ss := importtest.ByTitle(p, tt.title)
		if len(ss) <= tt.n {
			t.Errorf("%s #%d: missing", tt.title, tt.n)
			continue
		}
		s := ss[tt.n]
		if !s.Start.Equal(importtest.UTC(tt.start)) {
			t.Errorf("%s #%d: start %s, want %s", tt.title, tt.n, s.Start.UTC().Format(time.RFC3339), tt.start)
		}
		if tt.end == "" && !s.End.IsZero() || tt.end != "" && !s.End.Equal(importtest.UTC(tt.end)) {
			t.Errorf("%s #%d: end %v, want %q", tt.title, tt.n, s.End, tt.end)
		}
		if s.Room == nil || s.Room.ID != tt.room {
			t.Errorf("%s #%d: room %v, want %s", tt.title, tt.n, s.Room, tt.room)
		}
		if s.Start.Location().String() != "Europe/Brussels" {
			t.Errorf("%s: start in %s, want the programme's zone", tt.title, s.Start.Location())
		}
	}
	open := importtest.ByTitle(p, "Opening")
	if open[0].UIDKey == open[1].UIDKey || open[0].UIDKey != "101" || open[1].UIDKey != "101-20240204T0800" {
		t.Errorf("repeated id 101 gave keys %q and %q", open[0].UIDKey, open[1].UIDKey)
	}
	if got, want := open[0].Description.In(""), "Welcome & thanks.\n\n- one\n- two"; got != want {
		t.Errorf("HTML abstract became %q, want %q", got, want)
	}
	if len(open[0].Speakers) != 2 || open[0].Speakers[0].Name != "Ada Lovelace" {
		t.Errorf("speakers: %+v", open[0].Speakers)
	}
	if p.Venues[0].ID != "old-hall" || p.Venues[0].Address != "Brussels" {
		t.Errorf("venue %q at %q", p.Venues[0].ID, p.Venues[0].Address)
	}
	if p.Track("unused-track") == nil || p.Track("kernel") == nil {
		t.Errorf("declared tracks missing: %v", p.Tracks)
	}
	for _, w := range []string{"is not the room it is listed in", "is also used by", "is zero", "HTML"} {
		if !importtest.HasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
	for _, d := range diags {
		if d.File != "pentabarf.xml" || d.Line == 0 {
			t.Errorf("warning without a place: %v", d)
		}
	}
}

func TestPretalx(t *testing.T) {
	p, diags := decodeFile(t, "pretalx.xml", Options{})
	if p.TimeZone != "Europe/Berlin" || p.ID != "tinycon-2025" || p.Name.In("") != "TinyCon 2025" {
		t.Fatalf("programme %q %q in %s", p.ID, p.Name.In(""), p.TimeZone)
	}
	tickets := importtest.ByTitle(p, "Tickets gone")[0]
	if tickets.ID != "1254" || tickets.UIDKey != "a2dd3dc7-ecae-50b3-82d9-266ad02f7a40" {
		t.Errorf("id %q, UID key %q: want the event's id and its guid", tickets.ID, tickets.UIDKey)
	}
	if !tickets.Start.Equal(importtest.UTC("2025-12-27T15:00:00Z")) || !tickets.End.Equal(importtest.UTC("2025-12-27T16:00:00Z")) {
		t.Errorf("tickets at %v..%v", tickets.Start, tickets.End)
	}
	if tickets.URL != "https://tinycon.example.org/event/tickets/" {
		t.Errorf("relative url resolved to %q", tickets.URL)
	}
	if tickets.Language != "de" {
		t.Errorf("language %q", tickets.Language)
	}
	if tickets.Description.In("") != "Fraud at scale.\n\nLonger text." {
		t.Errorf("description %q", tickets.Description.In(""))
	}
	if len(tickets.Tracks) != 1 || tickets.Tracks[0].ID != "security" || tickets.Tracks[0].Colour != "#0347b4" {
		t.Errorf("track %+v", tickets.Tracks)
	}
	night := importtest.ByTitle(p, "Night talk")[0]
	if !night.Start.Equal(importtest.UTC("2025-12-28T00:00:00Z")) || night.Tracks[0].ID != "art" {
		t.Errorf("night talk at %v in %v", night.Start, night.Tracks)
	}
	ny := importtest.ByTitle(p, "From New York")[0]
	if !ny.Start.Equal(importtest.UTC("2025-12-27T15:30:00Z")) {
		t.Errorf("explicit -05:00 offset not kept: %v", ny.Start)
	}
	inUTC := importtest.ByTitle(p, "Written in UTC")[0]
	if !inUTC.Start.Equal(importtest.UTC("2025-12-27T19:00:00Z")) {
		t.Errorf("UTC date with local start: %v", inUTC.Start)
	}
	for _, w := range []string{"not in the programme's zone", "both are the same instant", "not one language tag"} {
		if !importtest.HasWarning(diags, w) {
			t.Errorf("no warning %q in %v", w, diags)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, xml, want string
		line            int
	}{
		{"broken", "<schedule>\n<day date=\"2025-01-01\">\n<room name=\"A\"><event id=\"1\"><title>x</ti", "not a readable schedule.xml", 0},
		{"root", "<iCalendar><vcalendar/></iCalendar>", "the root element is <iCalendar>", 0},
		{"no start", "<schedule>\n<conference><time_zone_name>Europe/Paris</time_zone_name></conference>\n<day date=\"2025-01-01\">\n<room name=\"A\">\n<event id=\"e1\"><title>No start</title></event></room></day></schedule>", `event "e1" has no start time`, 5},
		{"bad zone", "<schedule><conference><time_zone_name>Mars/Olympus</time_zone_name></conference></schedule>", "no time zone", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := Decode([]byte(tt.xml), "bad.xml", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			errs := diags.Errors()
			if len(errs) == 0 || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != "bad.xml" {
				t.Fatalf("got %v, want an error containing %q", errs, tt.want)
			}
			if tt.line != 0 && errs[0].Line != tt.line {
				t.Errorf("error at line %d, want %d", errs[0].Line, tt.line)
			}
		})
	}
}

// TestSyntaxErrorPositions checks that a file the XML decoder stops on
// is reported at the line and 1-based column where it stops.
func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		name, xml, want string
		line, col       int
	}{
		{"bad UTF-8", "<?xml version=\"1.0\"?>\n<schedule>\n  <conference><title>Caf\xe9</title>", "invalid UTF-8", 3, 25},
		{"bad UTF-8 on line 1", "<schedule><conference><title>\xff</title></conference></schedule>", "invalid UTF-8", 1, 30},
		{"wrong end tag", "<schedule>\n  <conference><title>Cafe</titl></conference>\n</schedule>\n", "unexpected end element", 2, 26},
		{"control character", "<schedule>\n  <a>\x01</a>\n", "illegal character", 2, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := Decode([]byte(tt.xml), "bad.xml", Options{})
			if err == nil {
				t.Fatal("no error")
			}
			errs := diags.Errors()
			if len(errs) != 1 || !strings.Contains(errs[0].Message, tt.want) {
				t.Fatalf("got %v, want one error containing %q", errs, tt.want)
			}
			if e := errs[0]; e.Line != tt.line || e.Column != tt.col {
				t.Errorf("%s: at %d:%d, want %d:%d", e.Message, e.Line, e.Column, tt.line, tt.col)
			}
		})
	}
}

// TestUndefinedEntities checks that an entity reference the decoder
// keeps as written is warned about where it is, and that references in
// comments and CDATA sections, or that XML and HTML define, are not.
func TestUndefinedEntities(t *testing.T) {
	src := `<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>C</title><time_zone_name>UTC</time_zone_name></conference>
<day date="2025-01-01"><room name="A"><event id="1"><start>10:00</start>
<title>Hi &xxe; and &bogus; &amp; &eacute; &#233; &lt;b&gt; R&D</title>
<!-- &incomment; --><abstract><![CDATA[&incdata;]]></abstract></event></room></day></schedule>`
	p, diags, err := Decode([]byte(src), "ent.xml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sessions[0].Title.In(""); got != "Hi &xxe; and &bogus; & é é <b> R&D" {
		t.Errorf("title %q", got)
	}
	want := map[string][2]int{
		`the entity "&xxe;" is declared in the document type, which confcal does not read; kept as written`: {5, 11},
		`the entity "&bogus;" is not defined; kept as written`:                                              {5, 21},
	}
	for _, d := range diags.Warnings() {
		if at, ok := want[d.Message]; ok && d.Line == at[0] && d.Column == at[1] && d.File == "ent.xml" {
			delete(want, d.Message)
		} else if strings.Contains(d.Message, "entity") {
			t.Errorf("unexpected %v", d)
		}
	}
	for msg, at := range want {
		t.Errorf("no warning at ent.xml:%d:%d: %s; got %v", at[0], at[1], msg, diags)
	}
}

// TestEventsWithoutIdentifier checks that events with no guid, id, code
// or slug are imported with ids made from their title and start, told
// apart by their room, the same on every run, with one warning.
func TestEventsWithoutIdentifier(t *testing.T) {
	src := `<schedule><conference><title>C</title><time_zone_name>Europe/Paris</time_zone_name></conference>
<day date="2025-02-10"><room name="Salle B"><event><start>12:30</start><duration>01:00</duration><title>Déjeuner</title></event></room>
<room name="Salle A"><event><start>12:30</start><duration>01:00</duration><title>Déjeuner</title></event>
<event><start>14:00</start><duration>00:30</duration><title>Pause café</title></event>
<event id="7"><start>15:00</start><title>Talk</title></event></room></day></schedule>`
	p, diags, err := Decode([]byte(src), "flat.xml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range p.Sessions {
		got[s.Title.In("")+" in "+s.Room.Name.In("")] = s.ID + " " + s.UIDKey
	}
	want := map[string]string{
		"Déjeuner in Salle A":   "dejeuner-20250210T1230 dejeuner-20250210T1230",
		"Déjeuner in Salle B":   "dejeuner-20250210T1230-salle-b dejeuner-20250210T1230-salle-b",
		"Pause café in Salle A": "pause-cafe-20250210T1400 pause-cafe-20250210T1400",
		"Talk in Salle A":       "7 7",
	}
	if !maps.Equal(got, want) {
		t.Errorf("ids and keys\n%v\nwant\n%v", got, want)
	}
	var warned []programme.Diagnostic
	for _, d := range diags {
		if strings.Contains(d.Message, "no guid, id, code or slug") {
			warned = append(warned, d)
		}
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0].Message, "3 events have no guid") || warned[0].Line != 2 {
		t.Errorf("want one warning for the 3 events at line 2, got %v", warned)
	}
}

// TestHTMLCleanUpsSummed checks that HTML turned into plain text in many
// events gives one warning for the file, with the count, and one Info
// finding per event when Details asks for them.
func TestHTMLCleanUpsSummed(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<schedule><conference><title>C</title><time_zone_name>UTC</time_zone_name></conference><day date="2025-01-01"><room name="A">`)
	for i := range 8 {
		fmt.Fprintf(&b, "\n<event id=\"%d\"><start>%02d:00</start><title>T%d</title><abstract>&lt;p&gt;Hi&lt;/p&gt;</abstract></event>", i+1, 8+i, i)
	}
	b.WriteString("</room></day></schedule>")
	for _, details := range []bool{false, true} {
		_, diags, err := Decode([]byte(b.String()), "html.xml", Options{Details: details})
		if err != nil {
			t.Fatal(err)
		}
		var warnings []programme.Diagnostic
		for _, d := range diags.Warnings() {
			if strings.Contains(d.Message, "HTML") {
				warnings = append(warnings, d)
			}
		}
		if len(warnings) != 1 || warnings[0].Message != "HTML turned into plain text in the texts of 8 events; the first is here" || warnings[0].Line != 2 {
			t.Errorf("details %v: want one warning for 8 events at line 2, got %v", details, warnings)
		}
		infos := diags.Infos()
		if n := map[bool]int{false: 0, true: 8}[details]; len(infos) != n || n > 0 && infos[7].String() != `html.xml:9:1: info: day[1]/room[A]/event[8]: HTML in the text of event "8" turned into plain text` {
			t.Errorf("details %v: %d infos, want %d: %v", details, len(infos), n, infos)
		}
	}
}

func TestDeterministic(t *testing.T) {
	var outs [2]bytes.Buffer
	for i := range outs {
		p, _ := decodeFile(t, "pentabarf.xml", Options{TimeZone: "Europe/Brussels"})
		if err := programme.Encode(&outs[i], p); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Error("two imports of one file encode differently")
	}
}

// TestAfterMidnightStaysOnItsDay checks that an event listed under a day
// but starting after midnight belongs to that conference day.
func TestAfterMidnightStaysOnItsDay(t *testing.T) {
	src := `<schedule><conference><title>C</title><time_zone_name>Europe/Berlin</time_zone_name></conference>
<day index="1" date="2019-12-27" start="2019-12-27T10:00:00+01:00" end="2019-12-28T04:00:00+01:00">
<room name="Hall"><event guid="6a3c5f7e-0000-4000-8000-000000000001" id="1"><date>2019-12-28T01:30:00+01:00</date><start>01:30</start>
<duration>00:30</duration><room>Hall</room><title>Late</title></event></room></day></schedule>`
	p, _, err := Decode([]byte(src), "late.xml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Sessions[0]
	if d := s.Day(p); d.String() != "2019-12-27" {
		t.Errorf("after-midnight event belongs to %s, want 2019-12-27", d)
	}
}

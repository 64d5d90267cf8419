package source

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
)

const nativeYAML = "id: t\nname: T\ntimezone: Europe/Paris\nsessions:\n  - {id: a, title: A, start: 2025-02-10T09:00}\n"

const frabXML = `<?xml version="1.0"?>
<schedule><conference><title>X</title><time_zone_name>Europe/Paris</time_zone_name></conference>
<day date="2025-02-10"><room name="R"><event id="1"><start>09:00</start><duration>0:30</duration><title>A</title></event></room></day></schedule>`

const c3vocJSON = `{"schedule": {"version": "1", "conference": {"title": "X", "time_zone_name": "Europe/Paris",
 "days": [{"date": "2025-02-10", "rooms": {"R": [{"id": 1, "title": "A", "date": "2025-02-10T09:00:00+01:00", "duration": "0:30"}]}}]}}}`

const csvText = "title,start,end\nA,2025-02-10 09:00,09:30\n"

const icsText = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:A\r\nDTSTART;TZID=Europe/Paris:20250210T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestDetect(t *testing.T) {
	tests := []struct {
		name, data string
		want       Format
	}{
		{"p.yaml", nativeYAML, Native},
		{"p.yaml", "# comment\n" + nativeYAML, Native},
		{"p.json", `{"id": "t", "name": "T", "sessions": []}`, Native},
		{"p.json", `{"id": "t", "sessions": [{"id": "schedule", "title": "\"schedule\"", "x": {"schedule": 1}}]}`, Native},
		{"top.json", `{"conference": {"days": []}}`, C3VOC},
		{"schedule.xml", frabXML, Frab},
		{"download", "\xef\xbb\xbf  " + frabXML, Frab},
		{"schedule.json", c3vocJSON, C3VOC},
		{"data", `{"$schema": "x", "schedule": {"events": []}}`, C3VOC},
		{"p.csv", csvText, CSV},
		{"p.txt", "\xef\xbb\xbftitle;date\nA;10/02/2025\n", CSV},
		{"feed", icsText, ICal},
		{"feed.ics", "begin:vcalendar\n", ICal},
		{"odd", "", Native},
		{"x.ics", "garbage", ICal},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.data), tt.name); got != tt.want {
			t.Errorf("Detect(%s, %.20q) = %q, want %q", tt.name, tt.data, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Auto, "YAML": Native, "xml": Frab, "pretalx": C3VOC, "csv": CSV, "ics": ICal} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("docx"); err == nil || !strings.Contains(err.Error(), "native, frab, c3voc, csv or ical") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestDecodeEachFormat reads the same one-session programme in every
// format: each gives a session starting at 08:00 UTC.
func TestDecodeEachFormat(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		opts       Options
	}{
		{"p.yaml", nativeYAML, Options{}},
		{"schedule.xml", frabXML, Options{}},
		{"schedule.json", c3vocJSON, Options{}},
		{"p.csv", csvText, Options{TimeZone: "Europe/Paris"}},
		{"p.ics", icsText, Options{}},
		{"forced", csvText, Options{Format: CSV, TimeZone: "Europe/Paris"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := Decode([]byte(tt.data), tt.name, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sessions) != 1 || p.Sessions[0].Start.UTC().Format("15:04") != "08:00" || p.Sessions[0].UIDKey == "" {
				t.Errorf("sessions %+v", p.Sessions)
			}
		})
	}
}

func TestDecodeChecks(t *testing.T) {
	// Two sessions in one room at once: every format gets the overlap
	// warning from programme.Check.
	doc := `<schedule><conference><time_zone_name>UTC</time_zone_name></conference><day date="2025-02-10"><room name="R">
<event id="1"><start>09:00</start><duration>1:00</duration><title>A</title></event>
<event id="2"><start>09:30</start><duration>1:00</duration><title>B</title></event></room></day></schedule>`
	_, diags, err := Decode([]byte(doc), "s.xml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range diags {
		found = found || strings.Contains(d.Message, "overlaps")
	}
	if !found {
		t.Errorf("no overlap warning in %v", diags)
	}
	_, _, err = Decode([]byte(frabXML), "s.csv", Options{Format: CSV})
	var invalid *programme.InvalidError
	if !errors.As(err, &invalid) {
		t.Errorf("forcing the wrong format: %v", err)
	}
}

func TestLoadStdinAndBuiltin(t *testing.T) {
	p, _, err := Load(context.Background(), "-", Options{Stdin: strings.NewReader(csvText), TimeZone: "Europe/Paris"})
	if err != nil || p.Sessions[0].Pos.File != "<stdin>" {
		t.Fatalf("stdin: %v", err)
	}
	if _, _, err := Load(context.Background(), Builtin, Options{}); err != nil {
		t.Fatalf("built-in example: %v", err)
	}
	if _, _, err := Load(context.Background(), "no/such/file.yaml", Options{}); err == nil || !strings.Contains(err.Error(), "no/such/file.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/schedule.json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(c3vocJSON)) })
	mux.HandleFunc("/big.ics", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("x", 2048))) })
	mux.HandleFunc("/slow.ics", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	p, _, err := Load(ctx, srv.URL+"/schedule.json", Options{})
	if err != nil || len(p.Sessions) != 1 || p.Sessions[0].Pos.File != srv.URL+"/schedule.json" {
		t.Fatalf("fetch: %v", err)
	}
	tests := []struct {
		path string
		opts Options
		want string
	}{
		{"/missing.json", Options{}, "404 Not Found"},
		{"/big.ics", Options{MaxSize: 1024}, "more than the limit of 1024 bytes"},
		{"/slow.ics", Options{Timeout: 100 * time.Millisecond}, "no complete answer within 100ms"},
	}
	for _, tt := range tests {
		_, _, err := Load(ctx, srv.URL+tt.path, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), srv.URL+tt.path) {
			t.Errorf("%s: %v, want an error naming the URL and %q", tt.path, err, tt.want)
		}
	}
}

// TestDetails checks that Options.Details reaches every importer: HTML
// turned into plain text is one warning without it, and an Info finding
// besides with it.
func TestDetails(t *testing.T) {
	html := map[string]string{
		"schedule.xml":  strings.Replace(frabXML, "<title>A</title>", "<title>A</title><abstract>&lt;p&gt;Hi&lt;/p&gt;</abstract>", 1),
		"schedule.json": strings.Replace(c3vocJSON, `"title": "A"`, `"title": "A", "abstract": "<p>Hi</p>"`, 1),
		"talks.csv":     "title,start,end,description\nA,2025-02-10 09:00,09:30,<p>Hi</p>\n",
		"talks.ics":     strings.Replace(icsText, "SUMMARY:A\r\n", "SUMMARY:A\r\nDESCRIPTION:<p>Hi</p>\r\n", 1),
	}
	for name, data := range html {
		for _, details := range []bool{false, true} {
			_, diags, err := Decode([]byte(data), name, Options{TimeZone: "Europe/Paris", Details: details})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			infos := diags.Infos()
			if !strings.Contains(diags.Warnings().Error(), "HTML") || details != (len(infos) == 1) {
				t.Errorf("%s, details %v: warnings %v, infos %v", name, details, diags.Warnings(), infos)
			}
		}
	}
}

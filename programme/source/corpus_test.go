package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme"
)

// corpusZones are the zones given with --timezone for real files that
// declare none and carry no UTC offsets.
var corpusZones = map[string]string{
	"frab-xml/fosdem-2020.xml": "Europe/Brussels",
	"frab-xml/fosdem-2024.xml": "Europe/Brussels",
}

// TestCorpus imports every real programme in ../shared/data, checks the
// number of sessions and every session's start against the source read
// independently, builds the whole feed set and has the interop parsers
// read the whole-programme feed.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus test skipped in -short mode")
	}
	dir := sharedData(t)
	var files []string
	for _, sub := range []string{"frab-xml", "c3voc-json", "divoc-r2r-multiformat", "ics"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch filepath.Ext(e.Name()) {
			case ".xml", ".json", ".ics":
				files = append(files, sub+"/"+e.Name())
			}
		}
	}
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, rel)
			zone := corpusZones[rel]
			p, diags, err := Load(context.Background(), path, Options{TimeZone: zone})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			for _, d := range diags {
				if d.File == "" || d.Message == "" {
					t.Errorf("finding without a file or message: %+v", d)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := sourceStarts(t, data, filepath.Ext(rel), zone)
			var got []string
			for _, s := range p.Sessions {
				got = append(got, startKey(s))
			}
			slices.Sort(got)
			if len(got) != len(want) {
				t.Fatalf("imported %d sessions, the source has %d events", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("session starts differ from the source's: first difference %s, want %s", got[i], want[i])
				}
			}
			set, err := feed.Build(p, feed.Options{})
			if err != nil {
				t.Fatalf("build feeds: %v", err)
			}
			if len(set.Events) != len(p.Sessions) {
				t.Errorf("feed set has %d events for %d sessions", len(set.Events), len(p.Sessions))
			}
			var all *feed.Feed
			for _, f := range set.Feeds {
				if f.Kind == feed.KindAll {
					all = f
				}
			}
			if all == nil {
				t.Fatal("no whole-programme feed")
			}
			file := filepath.Join(t.TempDir(), "all.ics")
			if err := os.WriteFile(file, all.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			feedtest.CheckFiles(t, set, file)
		})
	}
}

func startKey(s *programme.Session) string {
	if s.AllDay {
		return s.StartDate.Compact()
	}
	return s.Start.UTC().Format("20060102T150405Z")
}

// sourceStarts reads every event's start from a source file with the
// standard library alone, independently of the importers.
func sourceStarts(t *testing.T, data []byte, ext, zone string) []string {
	t.Helper()
	var out []string
	switch ext {
	case ".json":
		out = jsonStarts(t, data)
	case ".xml":
		out = xmlStarts(t, data, zone)
	case ".ics":
		out = icsStarts(t, data)
	}
	slices.Sort(out)
	return out
}

func utcKey(t *testing.T, s string) string {
	t.Helper()
	v, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("source date %q: %v", s, err)
	}
	return v.UTC().Format("20060102T150405Z")
}

func jsonStarts(t *testing.T, data []byte) []string {
	var doc struct {
		Schedule struct {
			Conference struct {
				Days []struct {
					Rooms map[string][]struct {
						Date string `json:"date"`
					} `json:"rooms"`
				} `json:"days"`
			} `json:"conference"`
			Events []struct {
				Start string `json:"start"`
			} `json:"events"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range doc.Schedule.Conference.Days {
		for _, evs := range d.Rooms {
			for _, ev := range evs {
				out = append(out, utcKey(t, ev.Date))
			}
		}
	}
	for _, ev := range doc.Schedule.Events {
		out = append(out, utcKey(t, ev.Start))
	}
	return out
}

func xmlStarts(t *testing.T, data []byte, zone string) []string {
	var doc struct {
		Conference struct {
			DayChange string `xml:"day_change"`
		} `xml:"conference"`
		Days []struct {
			Date  string `xml:"date,attr"`
			Rooms []struct {
				Events []struct {
					Date  string `xml:"date"`
					Start string `xml:"start"`
				} `xml:"event"`
			} `xml:"room"`
		} `xml:"day"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range doc.Days {
		for _, r := range d.Rooms {
			for _, ev := range r.Events {
				if ev.Date != "" {
					out = append(out, utcKey(t, ev.Date))
					continue
				}
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Fatalf("event without <date> needs a zone: %v", err)
				}
				v, err := time.ParseInLocation("2006-01-02 15:04", d.Date+" "+ev.Start, loc)
				if err != nil {
					t.Fatal(err)
				}
				if dc := doc.Conference.DayChange; dc != "" && ev.Start+":00" < dc && len(ev.Start) == 5 {
					v = v.AddDate(0, 0, 1)
				}
				out = append(out, v.UTC().Format("20060102T150405Z"))
			}
		}
	}
	return out
}

func icsStarts(t *testing.T, data []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var out []string
	in := false
	for _, l := range lines {
		switch {
		case l == "BEGIN:VEVENT":
			in = true
		case l == "END:VEVENT":
			in = false
		case in && strings.HasPrefix(l, "DTSTART"):
			head, val, _ := strings.Cut(l, ":")
			val = strings.TrimSpace(val)
			switch {
			case strings.HasSuffix(val, "Z"):
				v, err := time.Parse("20060102T150405Z", val)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, v.UTC().Format("20060102T150405Z"))
			case len(val) == 8:
				out = append(out, val)
			default:
				_, tzid, _ := strings.Cut(head, "TZID=")
				tzid, _, _ = strings.Cut(tzid, ";")
				loc, err := time.LoadLocation(strings.Trim(tzid, `"`))
				if err != nil {
					t.Fatalf("DTSTART %q: %v", l, err)
				}
				v, err := time.ParseInLocation("20060102T150405", val, loc)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, v.UTC().Format("20060102T150405Z"))
			}
		}
	}
	return out
}

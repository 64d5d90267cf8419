package source

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
)

// sourceEvent is what a schedule says identifies one event.
type sourceEvent struct {
	guid, id string
	start    time.Time
}

// TestImportedIDs imports real FOSDEM and 39C3 schedules, which give
// every event a guid and a short id: each session's id must be that short
// id (with the UTC start added for all but the earliest of events sharing
// one), unique in the programme, while its UID key is still made from the
// guid, as it always was, so that no subscriber sees an event replaced.
// Converting to the native format and reading back keeps ids and UIDs.
func TestImportedIDs(t *testing.T) {
	dir := sharedData(t)
	for _, rel := range []string{
		"frab-xml/fosdem-2025.xml", "frab-xml/fosdem-2026.xml",
		"frab-xml/39c3-everything.schedule.xml", "c3voc-json/39c3-everything.schedule.json",
	} {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := Decode(data, rel, Options{})
			if err != nil {
				t.Fatal(err)
			}
			events := sourceEvents(t, data, filepath.Ext(rel))
			if len(events) != len(p.Sessions) {
				t.Fatalf("%d sessions, the source has %d events", len(p.Sessions), len(events))
			}
			var keys []string
			for _, s := range p.Sessions {
				keys = append(keys, s.UIDKey)
			}
			slices.Sort(keys)
			if want := guidKeys(events); !slices.Equal(keys, want) {
				t.Errorf("UID keys are not the guids' keys: %s", firstDiff(keys, want))
			}
			allowed := map[string]bool{}
			for _, ev := range events {
				allowed[ev.id] = true
				allowed[ev.id+"-"+ev.start.UTC().Format("20060102T1504")] = true
			}
			seen := map[string]bool{}
			for _, s := range p.Sessions {
				if !allowed[s.ID] || seen[s.ID] {
					t.Errorf("session %q (key %s): want a short id of the source, once", s.ID, s.UIDKey)
				}
				seen[s.ID] = true
			}
			roundTrip(t, p)
		})
	}
}

// roundTrip encodes p in the native format and decodes it again: every
// session must keep its id and its UID key.
func roundTrip(t *testing.T, p *programme.Programme) {
	t.Helper()
	var buf bytes.Buffer
	if err := programme.Encode(&buf, p); err != nil {
		t.Fatal(err)
	}
	q, _, err := programme.DecodeBytes(buf.Bytes(), "converted.yaml")
	if err != nil {
		t.Fatalf("the converted programme does not read back: %v", err)
	}
	ids := func(p *programme.Programme) []string {
		var out []string
		for _, s := range p.Sessions {
			out = append(out, p.ID+"-"+s.UIDKey+"@"+p.Domain+" "+s.ID)
		}
		slices.Sort(out)
		return out
	}
	if a, b := ids(p), ids(q); !slices.Equal(a, b) {
		t.Errorf("UIDs and ids change when converted: %s", firstDiff(b, a))
	}
}

// guidKeys returns the UID keys the events' guids make: the guid, with
// the UTC start added for all but the earliest of the events sharing one.
func guidKeys(events []sourceEvent) []string {
	byGUID := map[string][]time.Time{}
	for _, ev := range events {
		byGUID[ev.guid] = append(byGUID[ev.guid], ev.start)
	}
	var keys []string
	for guid, starts := range byGUID {
		slices.SortFunc(starts, time.Time.Compare)
		for i, start := range starts {
			if i == 0 {
				keys = append(keys, guid)
				continue
			}
			keys = append(keys, guid+"-"+start.UTC().Format("20060102T1504"))
		}
	}
	slices.Sort(keys)
	return keys
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("%q where %q was expected", got[i], want[i])
		}
	}
	return fmt.Sprintf("%d values, want %d", len(got), len(want))
}

// sourceEvents reads the guid, id and start of every event with the
// standard library alone.
func sourceEvents(t *testing.T, data []byte, ext string) []sourceEvent {
	t.Helper()
	var out []sourceEvent
	add := func(guid, id, date string) {
		start, err := time.Parse(time.RFC3339, strings.TrimSpace(date))
		if err != nil || guid == "" || id == "" {
			t.Fatalf("event %q %q at %q: want a guid, an id and a date with an offset (%v)", guid, id, date, err)
		}
		out = append(out, sourceEvent{guid: guid, id: id, start: start})
	}
	if ext == ".json" {
		var doc struct {
			Schedule struct {
				Conference struct {
					Days []struct {
						Rooms map[string][]struct {
							GUID string          `json:"guid"`
							ID   json.RawMessage `json:"id"`
							Date string          `json:"date"`
						} `json:"rooms"`
					} `json:"days"`
				} `json:"conference"`
			} `json:"schedule"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, d := range doc.Schedule.Conference.Days {
			for _, evs := range d.Rooms {
				for _, ev := range evs {
					add(ev.GUID, strings.Trim(string(ev.ID), `"`), ev.Date)
				}
			}
		}
		return out
	}
	var doc struct {
		Days []struct {
			Rooms []struct {
				Events []struct {
					GUID string `xml:"guid,attr"`
					ID   string `xml:"id,attr"`
					Date string `xml:"date"`
				} `xml:"event"`
			} `xml:"room"`
		} `xml:"day"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, d := range doc.Days {
		for _, r := range d.Rooms {
			for _, ev := range r.Events {
				add(ev.GUID, ev.ID, ev.Date)
			}
		}
	}
	return out
}

// TestLoadShortIDs checks that Load gives the same ids as Decode, by
// reading one real file through the path the commands take.
func TestLoadShortIDs(t *testing.T) {
	dir := sharedData(t)
	p, _, err := Load(context.Background(), filepath.Join(dir, "frab-xml/fosdem-2026.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Session("8376"); s == nil || s.UIDKey != "9c3ebb8c-7716-5130-b9fe-ff8544f5636d" {
		t.Errorf("FOSDEM 2026's opening (id 8376, guid 9c3ebb8c-...) is %+v", s)
	}
}

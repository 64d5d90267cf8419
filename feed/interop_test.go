package feed_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
)

// TestInterop has ical.js and python3-icalendar read every feed built from
// every fixture and example, and checks each event's UTC start and end
// against the programme.
func TestInterop(t *testing.T) {
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			set := build(t, load(t, name), feed.Options{Alarm: 10 * 60e9})
			feedtest.Check(t, set)
		})
	}
}

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestInteropCatchesWrongTimes proves the interop check can fail: a feed
// whose start was shifted by an hour is caught by both parsers.
func TestInteropCatchesWrongTimes(t *testing.T) {
	p := load(t, "dst")
	set := build(t, p, feed.Options{})
	body := strings.Replace(string(set.Feed("all").Bytes()), "DTSTART;TZID=Europe/Paris:20250330T013000", "DTSTART;TZID=Europe/Paris:20250330T003000", 1)
	path := filepath.Join(t.TempDir(), "shifted.ics")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	feedtest.CheckFiles(r, set, path)
	if len(r.errors) != 2 {
		t.Errorf("want one error from each parser, got %d: %q", len(r.errors), r.errors)
	}
}

package feed_test

import (
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

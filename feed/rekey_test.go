package feed_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/frab"
)

// Only imported schedules repeat a session (one guid at several times):
// the native format refuses a repeated id.

// occurrence is a frab day holding the event of guid ws at 09:00 on date.
func occurrence(date string) string {
	return `<day date="` + date + `"><room name="A"><event guid="ws" id="7"><start>09:00</start><duration>01:00</duration><title>Workshop</title></event></room></day>`
}

func frabSchedule(days ...string) string {
	return `<schedule><conference><title>Repeats</title><acronym>rp</acronym><time_zone_name>Europe/Paris</time_zone_name></conference>` +
		strings.Join(days, "") + `</schedule>`
}

// buildFrabWithState is buildWithState for a frab schedule.
func buildFrabWithState(t *testing.T, path, src string, now time.Time) *feed.Set {
	t.Helper()
	p, _, err := frab.Decode([]byte(src), "schedule.xml", frab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return buildProgrammeWithState(t, path, p, now)
}

func buildProgrammeWithState(t *testing.T, path string, p *programme.Programme, now time.Time) *feed.Set {
	t.Helper()
	store, err := feed.OpenStore(path, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := store.Reconcile(p, now)
	if err != nil {
		t.Fatal(err)
	}
	set, err := feed.Build(p, feed.Options{History: h})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Save(); err != nil {
		t.Fatal(err)
	}
	return set
}

// keysOf lists the set's events as "UID key start" (with " cancelled" for
// a ghost), sorted.
func keysOf(set *feed.Set) []string {
	var out []string
	for _, ev := range set.Events {
		s := ev.Session
		line := s.UIDKey + " " + s.Start.Format("2006-01-02T15:04")
		if ev.Ghost {
			line += " cancelled"
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// eventByKey returns the bytes of the live event of UID key k.
func eventByKey(t *testing.T, set *feed.Set, k string) string {
	t.Helper()
	for _, ev := range set.Events {
		if ev.Session.UIDKey == k && !ev.Ghost {
			return string(ev.Bytes)
		}
	}
	t.Fatalf("no event of key %s", k)
	return ""
}

func TestRepeatKeepsTheFirstOccurrencesUID(t *testing.T) {
	now := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		v2   string
		want []string
	}{
		{"later repeat", frabSchedule(occurrence("2025-06-12"), occurrence("2025-06-13")),
			[]string{"ws 2025-06-12T09:00", "ws-20250613T0700 2025-06-13T09:00"}},
		// Without a history the earlier repeat would take the bare key.
		{"earlier repeat", frabSchedule(occurrence("2025-06-11"), occurrence("2025-06-12")),
			[]string{"ws 2025-06-12T09:00", "ws-20250611T0700 2025-06-11T09:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			first := buildFrabWithState(t, path, frabSchedule(occurrence("2025-06-12")), now)
			if got := keysOf(first); !slices.Equal(got, []string{"ws 2025-06-12T09:00"}) {
				t.Fatalf("version 1: %q", got)
			}
			second := buildFrabWithState(t, path, tc.v2, now.Add(time.Hour))
			if got := keysOf(second); !slices.Equal(got, tc.want) {
				t.Errorf("version 2: %q, want %q", got, tc.want)
			}
			// The first occurrence is the same event as before: same UID,
			// no new SEQUENCE.
			if ev := eventByKey(t, second, "ws"); !strings.Contains(ev, "UID:rp-ws@confcal.invalid") || strings.Contains(ev, "SEQUENCE") {
				t.Errorf("the first occurrence changed:\n%s", ev)
			}
			// Again with the same input: every key stays.
			third := buildFrabWithState(t, path, tc.v2, now.Add(2*time.Hour))
			if got := keysOf(third); !slices.Equal(got, tc.want) {
				t.Errorf("version 2 again: %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDroppedRepeatIsTheOneCancelled(t *testing.T) {
	now := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	mon, tue, wed := occurrence("2025-06-09"), occurrence("2025-06-10"), occurrence("2025-06-11")
	path := filepath.Join(t.TempDir(), "state.json")
	buildFrabWithState(t, path, frabSchedule(mon, tue, wed), now)

	// Monday's occurrence goes: Tuesday and Wednesday keep their keys
	// (without a history Tuesday would take "ws"), Monday is cancelled.
	got := keysOf(buildFrabWithState(t, path, frabSchedule(tue, wed), now.Add(time.Hour)))
	want := []string{"ws 2025-06-09T09:00 cancelled", "ws-20250610T0700 2025-06-10T09:00", "ws-20250611T0700 2025-06-11T09:00"}
	if !slices.Equal(got, want) {
		t.Errorf("Monday dropped: %q, want %q", got, want)
	}

	// Monday comes back: it is reinstated under its own key.
	got = keysOf(buildFrabWithState(t, path, frabSchedule(mon, tue, wed), now.Add(2*time.Hour)))
	want = []string{"ws 2025-06-09T09:00", "ws-20250610T0700 2025-06-10T09:00", "ws-20250611T0700 2025-06-11T09:00"}
	if !slices.Equal(got, want) {
		t.Errorf("Monday back: %q, want %q", got, want)
	}

	// Wednesday moves to Thursday: it keeps its key (a moved event, not a
	// new one), and nothing is cancelled.
	got = keysOf(buildFrabWithState(t, path, frabSchedule(mon, tue, occurrence("2025-06-12")), now.Add(3*time.Hour)))
	want = []string{"ws 2025-06-09T09:00", "ws-20250610T0700 2025-06-10T09:00", "ws-20250611T0700 2025-06-12T09:00"}
	if !slices.Equal(got, want) {
		t.Errorf("Wednesday moved: %q, want %q", got, want)
	}
}

// A key the programme gives (uid:) is the source's to keep: a history
// neither re-keys it nor hands it to a repeat.
func TestGivenUIDIsNotRekeyed(t *testing.T) {
	now := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "state.json")
	given := func(p *programme.Programme) *programme.Programme {
		first := p.Sessions[0]
		p.Sessions = append(p.Sessions, &programme.Session{ID: "other", UIDKey: "ws-20250611T0700",
			Title: programme.Plain("Other"), Start: first.Start.Add(2 * time.Hour), End: first.End.Add(2 * time.Hour)})
		p.SortSessions()
		return p
	}
	decode := func(src string) *programme.Programme {
		p, _, err := frab.Decode([]byte(src), "schedule.xml", frab.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	buildProgrammeWithState(t, path, given(decode(frabSchedule(occurrence("2025-06-12")))), now)
	got := keysOf(buildProgrammeWithState(t, path, given(decode(frabSchedule(occurrence("2025-06-11"), occurrence("2025-06-12")))), now.Add(time.Hour)))
	want := []string{"ws 2025-06-12T09:00", "ws-20250611T0700 2025-06-11T11:00", "ws-20250611T0700-2 2025-06-11T09:00"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

package feed_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

const stateProgramme = `id: st
name: State
timezone: Europe/Paris
sessions:
  - {id: keep, title: Keep, start: 2025-06-10T09:00, duration: 1h}
  - {id: move, title: Move, start: 2025-06-10T10:00, duration: 1h}
  - {id: drop, title: Drop, start: 2025-06-10T11:00, duration: 1h}
`

func decodeString(t *testing.T, src string) *programme.Programme {
	t.Helper()
	p, _, err := programme.DecodeBytes([]byte(src), "state.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// buildWithState runs one build against the store at path, as confcal
// build does: open, reconcile, build, save.
func buildWithState(t *testing.T, path, src string, now time.Time) *feed.Set {
	t.Helper()
	return buildProgrammeWithState(t, path, decodeString(t, src), now)
}

func eventOf(t *testing.T, set *feed.Set, id string) string {
	t.Helper()
	for _, ev := range set.Events {
		if ev.Session.ID == id {
			return string(ev.Bytes)
		}
	}
	t.Fatalf("no event %s", id)
	return ""
}

func TestStateChangesAndCancellations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "st.json")
	t1 := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	t3 := t2.Add(24 * time.Hour)

	first := buildWithState(t, path, stateProgramme, t1)
	if ev := eventOf(t, first, "move"); strings.Contains(ev, "SEQUENCE") || !strings.Contains(ev, "LAST-MODIFIED:20250501T080000Z") {
		t.Errorf("first build:\n%s", ev)
	}

	// Same programme, same state: identical bytes, even at a later clock.
	again := buildWithState(t, path, stateProgramme, t2)
	if !bytes.Equal(first.Feed("all").Bytes(), again.Feed("all").Bytes()) {
		t.Error("an unchanged programme gave different bytes")
	}

	// "move" moves, "drop" disappears.
	changed := strings.Replace(stateProgramme, "start: 2025-06-10T10:00", "start: 2025-06-10T14:00", 1)
	changed = strings.Replace(changed, "  - {id: drop, title: Drop, start: 2025-06-10T11:00, duration: 1h}\n", "", 1)
	third := buildWithState(t, path, changed, t3)
	if ev := eventOf(t, third, "keep"); ev != eventOf(t, first, "keep") {
		t.Errorf("an unchanged session changed:\n%s", ev)
	}
	if ev := eventOf(t, third, "move"); !strings.Contains(ev, "SEQUENCE:1\r\n") || !strings.Contains(ev, "LAST-MODIFIED:20250503T080000Z") ||
		!strings.Contains(ev, "CREATED:20250501T080000Z") || !strings.Contains(ev, "DESCRIPTION:Moved\\; it was 2025-06-10 10:00.") {
		t.Errorf("moved session:\n%s", ev)
	}
	ev := eventOf(t, third, "drop")
	for _, want := range []string{"STATUS:CANCELLED", "SEQUENCE:1\r\n", "SUMMARY:Cancelled: Drop", "UID:st-drop@confcal.invalid"} {
		if !strings.Contains(ev, want) {
			t.Errorf("removed session lacks %q:\n%s", want, ev)
		}
	}
	if f := third.Feed("day/2025-06-10"); f == nil || len(f.Events) != 3 {
		t.Error("the cancelled session left its day feed")
	}

	// Once the programme is over, the cancelled ghost is no longer published.
	after := buildWithState(t, path, changed, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	if len(after.Events) != 2 {
		t.Errorf("%d events after the programme ended, want 2", len(after.Events))
	}

	// A session that comes back gets a higher SEQUENCE still.
	back := buildWithState(t, path, stateProgramme, time.Date(2025, 7, 2, 0, 0, 0, 0, time.UTC))
	if ev := eventOf(t, back, "drop"); !strings.Contains(ev, "SEQUENCE:2\r\n") || strings.Contains(ev, "CANCELLED") {
		t.Errorf("restored session:\n%s", ev)
	}
}

func TestStoreRejectsForeignOrCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte("{not json"), 0o644)
	if _, err := feed.OpenStore(corrupt, "st"); err == nil || !strings.Contains(err.Error(), "not a confcal state file") {
		t.Errorf("corrupt file: %v", err)
	}
	other := filepath.Join(dir, "other.json")
	buildWithState(t, other, stateProgramme, time.Now())
	if _, err := feed.OpenStore(other, "another"); err == nil || !strings.Contains(err.Error(), `belongs to programme "st"`) {
		t.Errorf("foreign file: %v", err)
	}
}

func TestExportRewritesOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	set := build(t, load(t, "summit"), feed.Options{})
	first, err := feed.Export(dir, set, site)
	if err != nil {
		t.Fatal(err)
	}
	if first.Written != len(set.Feeds)+13+2 {
		t.Errorf("first export wrote %d files, want %d", first.Written, len(set.Feeds)+13+2)
	}
	again, err := feed.Export(dir, build(t, load(t, "summit"), feed.Options{}), site)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Removed != 0 {
		t.Errorf("an unchanged set rewrote %d files and removed %d", again.Written, again.Removed)
	}
	// Without the manifest's record, unchanged files are known by their
	// content.
	if err := os.Remove(filepath.Join(dir, "feeds.json")); err != nil {
		t.Fatal(err)
	}
	again, err = feed.Export(dir, build(t, load(t, "summit"), feed.Options{}), site)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 1 {
		t.Errorf("with feeds.json lost, an unchanged set rewrote %d files, want 1 (feeds.json)", again.Written)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "all.ics"))
	if !bytes.Equal(got, set.Feed("all").Bytes()) {
		t.Error("all.ics differs from the feed")
	}
	// A feed that disappears is removed; files confcal did not write stay.
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
	p := load(t, "summit")
	p.Sessions = p.Sessions[:1]
	res, err := feed.Export(dir, build(t, p, feed.Options{}), site)
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed == 0 {
		t.Error("stale feeds were not removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "track", "business.ics")); err == nil {
		t.Error("track/business.ics survived")
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Error("a file confcal did not write was removed")
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*", ".*tmp*"))
	if len(entries) > 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestFirstStatefulBuildUsesTheProgrammesUpdatedTime(t *testing.T) {
	src := "updated: 2025-04-01T00:00:00Z\n" + stateProgramme
	set := buildWithState(t, filepath.Join(t.TempDir(), "s.json"), src, time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC))
	for _, ev := range set.Events {
		if !strings.Contains(string(ev.Bytes), "DTSTAMP:20250401T000000Z") {
			t.Errorf("%s:\n%s", ev.UID, ev.Bytes)
		}
	}
}

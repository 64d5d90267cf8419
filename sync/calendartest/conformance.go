package calendartest

import (
	"context"
	"fmt"
	"testing"
	"time"

	calsync "github.com/confcal/confcal/sync"
)

// Harness is what Run needs to test a Calendar implementation.
type Harness struct {
	// New returns a new, empty calendar. It is called once per subtest.
	New func(t *testing.T) calsync.Calendar
	// SetNotes, when set, writes notes into event id's description below
	// the notes marker and changes a field the user owns (such as the
	// colour), as a user would in a calendar app.
	SetNotes func(t *testing.T, cal calsync.Calendar, id, notes string)
	// UserFields, when set, returns the fields the user owns of event id
	// in a comparable form, to check that updates keep them.
	UserFields func(t *testing.T, cal calsync.Calendar, id string) string
}

// Owner is the owner Run writes events for.
var Owner = calsync.Owner{Source: "conformance"}

// Item returns a desired event for session n of Run's owner: timed, in
// Europe/Paris, or all-day when n is a multiple of 5.
func Item(n int, title string) calsync.Item {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	uid := fmt.Sprintf("s%03d@conformance.example", n)
	f := calsync.Fields{
		Title:       title,
		Description: "About " + title + "\n\nRoom: " + fmt.Sprint(n%7),
		Location:    fmt.Sprintf("Room %d, Hall", n%7),
		URL:         fmt.Sprintf("https://conformance.example/s/%d", n),
		Status:      "confirmed",
	}
	if n%5 == 0 {
		f.AllDay = true
		day := time.Date(2025, 2, 10+n%3, 0, 0, 0, 0, time.UTC)
		f.StartDate = day.Format(time.DateOnly)
		f.EndDate = day.AddDate(0, 0, 1).Format(time.DateOnly)
		f.Free = true
	} else {
		f.TimeZone = loc.String()
		f.Start = time.Date(2025, 2, 10, 9, 0, 0, 0, loc).Add(time.Duration(n) * 30 * time.Minute)
		f.End = f.Start.Add(45 * time.Minute)
	}
	return calsync.Item{
		ID:        calsync.EventID(Owner, uid),
		SessionID: fmt.Sprint(n),
		Fields:    f,
		Marker: calsync.Marker{Tool: calsync.Tool, Source: Owner.Source, UID: uid, Hash: f.Hash(),
			Schema: calsync.Schema},
	}
}

// Run tests that a Calendar implementation keeps the promises the engine
// relies on.
func Run(t *testing.T, h Harness) {
	t.Run("InsertListGet", func(t *testing.T) { testInsertListGet(t, h) })
	t.Run("InsertTakenID", func(t *testing.T) { testInsertTakenID(t, h) })
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, h) })
	t.Run("UpdateWithVersion", func(t *testing.T) { testUpdateWithVersion(t, h) })
	t.Run("UpdateKeepsUserFields", func(t *testing.T) { testUpdateKeepsUserFields(t, h) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, h) })
	t.Run("ListMany", func(t *testing.T) { testListMany(t, h) })
}

func testInsertListGet(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	var items []calsync.Item
	for n := 1; n <= 6; n++ {
		it := Item(n, fmt.Sprintf("Session %d", n))
		items = append(items, it)
		r, err := cal.Insert(ctx, it)
		if err != nil {
			t.Fatalf("insert %d: %v", n, err)
		}
		checkRemote(t, "insert", r, it)
	}
	have, err := cal.List(ctx, Owner)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	got := live(have)
	for _, it := range items {
		r, ok := got[it.ID]
		if !ok {
			t.Fatalf("list: event %s missing", it.ID)
		}
		checkRemote(t, "list", r, it)
		g, err := cal.Get(ctx, it.ID)
		if err != nil {
			t.Fatalf("get %s: %v", it.ID, err)
		}
		checkRemote(t, "get", g, it)
	}
}

func testInsertTakenID(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	it := Item(1, "Twice")
	mustInsert(t, cal, it)
	if _, err := cal.Insert(ctx, it); !calsync.IsKind(err, calsync.Exists) {
		t.Fatalf("second insert: got %v, want an error of kind exists", err)
	}
}

func testGetMissing(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	if _, err := cal.Get(ctx, Item(99, "x").ID); !calsync.IsKind(err, calsync.NotFound) {
		t.Fatalf("get missing: got %v, want not found", err)
	}
}

func testUpdateWithVersion(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	it := Item(2, "Before")
	first := mustInsert(t, cal, it)
	changed := Item(2, "After")
	changed.Fields.Location = "Main stage"
	changed.Marker.Hash = changed.Fields.Hash()
	second, err := cal.Update(ctx, changed, first)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	checkRemote(t, "update", second, changed)
	if first.Version != "" && first.Version == second.Version {
		t.Errorf("update kept version %q", first.Version)
	}
	if first.Version != "" {
		if _, err := cal.Update(ctx, Item(2, "Stale"), first); !calsync.IsKind(err, calsync.Precondition) {
			t.Fatalf("update with a stale version: got %v, want precondition failed", err)
		}
	}
	g, err := cal.Get(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkRemote(t, "get after update", g, changed)
}

func testUpdateKeepsUserFields(t *testing.T, h Harness) {
	ctx := context.Background()
	if h.SetNotes == nil {
		t.Skip("the harness cannot edit as a user")
	}
	cal := h.New(t)
	it := Item(3, "Notes")
	mustInsert(t, cal, it)
	h.SetNotes(t, cal, it.ID, "bring a laptop")
	var before string
	if h.UserFields != nil {
		before = h.UserFields(t, cal, it.ID)
	}
	cur, err := cal.Get(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Notes != "bring a laptop" {
		t.Fatalf("notes read back as %q", cur.Notes)
	}
	changed := Item(3, "Notes, moved")
	changed.Marker.Hash = changed.Fields.Hash()
	if _, err := cal.Update(ctx, changed, cur); err != nil {
		t.Fatalf("update: %v", err)
	}
	after, err := cal.Get(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Notes != "bring a laptop" {
		t.Errorf("update lost the notes: %q", after.Notes)
	}
	if h.UserFields != nil {
		if got := h.UserFields(t, cal, it.ID); got != before {
			t.Errorf("update changed the user's fields: %s, was %s", got, before)
		}
	}
}

func testDelete(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	it := Item(4, "Doomed")
	r := mustInsert(t, cal, it)
	if r.Version != "" {
		stale := r
		stale.Version = r.Version + "x"
		if err := cal.Delete(ctx, stale); !calsync.IsKind(err, calsync.Precondition) {
			t.Fatalf("delete with a stale version: got %v, want precondition failed", err)
		}
	}
	if err := cal.Delete(ctx, r); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := cal.Delete(ctx, r); !calsync.IsKind(err, calsync.NotFound) && !calsync.IsKind(err, calsync.Gone) {
		t.Fatalf("second delete: got %v, want not found or gone", err)
	}
	have, err := cal.List(ctx, Owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := live(have)[it.ID]; ok {
		t.Fatalf("list still shows the deleted event as live")
	}
	g, err := cal.Get(ctx, it.ID)
	if err == nil && !g.Deleted {
		t.Fatalf("get after delete: a live event")
	}
	if err != nil && !calsync.IsKind(err, calsync.NotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	// Inserting the id again either works (the id is free) or
	// reports it taken; then an update brings the event back.
	_, err = cal.Insert(ctx, it)
	switch {
	case err == nil:
	case calsync.IsKind(err, calsync.Exists):
		tomb, gerr := cal.Get(ctx, it.ID)
		if gerr != nil {
			t.Fatalf("get tombstone: %v", gerr)
		}
		if _, err := cal.Update(ctx, it, tomb); err != nil {
			t.Fatalf("restore by update: %v", err)
		}
	default:
		t.Fatalf("insert after delete: %v", err)
	}
	g, err = cal.Get(ctx, it.ID)
	if err != nil || g.Deleted {
		t.Fatalf("after restoring: %v, deleted %v", err, g.Deleted)
	}
	checkRemote(t, "restored", g, it)
}

func testListMany(t *testing.T, h Harness) {
	ctx := context.Background()
	cal := h.New(t)
	const n = 40
	for i := 1; i <= n; i++ {
		mustInsert(t, cal, Item(100+i, fmt.Sprintf("Many %d", i)))
	}
	have, err := cal.List(ctx, Owner)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(live(have)); got != n {
		t.Fatalf("list returned %d live events, want %d", got, n)
	}
}

func mustInsert(t *testing.T, cal calsync.Calendar, it calsync.Item) calsync.Remote {
	t.Helper()
	r, err := cal.Insert(context.Background(), it)
	if err != nil {
		t.Fatalf("insert %s: %v", it.ID, err)
	}
	return r
}

func live(rs []calsync.Remote) map[string]calsync.Remote {
	out := map[string]calsync.Remote{}
	for _, r := range rs {
		if !r.Deleted {
			out[r.ID] = r
		}
	}
	return out
}

// checkRemote checks that r holds it: id, marker, and managed fields.
func checkRemote(t *testing.T, what string, r calsync.Remote, it calsync.Item) {
	t.Helper()
	if r.ID != it.ID {
		t.Fatalf("%s: id %q, want %q", what, r.ID, it.ID)
	}
	if r.Deleted {
		t.Fatalf("%s: event %s is deleted", what, it.ID)
	}
	if r.Marker != it.Marker {
		t.Fatalf("%s: marker %+v, want %+v", what, r.Marker, it.Marker)
	}
	if !Owner.Owns(r) {
		t.Fatalf("%s: event %s does not pass the ownership proofs", what, it.ID)
	}
	a, b := r.Fields, it.Fields
	if a.Title != b.Title || a.Description != b.Description || a.Location != b.Location || a.URL != b.URL ||
		a.AllDay != b.AllDay || a.StartDate != b.StartDate || a.EndDate != b.EndDate ||
		!a.Start.Equal(b.Start) || !a.End.Equal(b.End) || a.Status != b.Status || a.Free != b.Free {
		t.Fatalf("%s: fields read back as\n%+v\nwant\n%+v", what, a, b)
	}
	if !b.AllDay && a.TimeZone != b.TimeZone {
		t.Fatalf("%s: time zone %q, want %q", what, a.TimeZone, b.TimeZone)
	}
}

package sync_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/calendartest"
)

// A sync is Build, Diff, Render and Apply. The second run finds nothing to
// do.
func Example() {
	loc, _ := time.LoadLocation("Europe/Paris")
	p := &programme.Programme{ID: "demo", Location: loc, Domain: "demo.example"}
	for i, title := range []string{"Opening", "Workshop"} {
		start := time.Date(2025, 2, 10, 9+i, 0, 0, 0, loc)
		p.Sessions = append(p.Sessions, &programme.Session{ID: fmt.Sprint(i), UIDKey: fmt.Sprint(i),
			Title: programme.Plain(title), Start: start, End: start.Add(45 * time.Minute)})
	}
	cal := calendartest.NewMemory() // a backend: Google, CalDAV, or this fake
	eng := calsync.New(cal, calsync.Options{Rate: 100})
	for run := 1; run <= 2; run++ {
		want, _ := calsync.Build(p, p.Sessions, calsync.BuildOptions{})
		have, _ := eng.List(context.Background(), want.Owner)
		plan := calsync.Diff(want, have, calsync.DiffOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
		calsync.Render(os.Stdout, plan, calsync.RenderOptions{Location: loc, TitleWidth: 10})
		if err := plan.Check(calsync.BrakeOptions{}); err != nil {
			fmt.Println(err)
			return
		}
		res, _ := eng.Apply(context.Background(), plan, calsync.ApplyOptions{})
		calsync.RenderResult(os.Stdout, res)
	}
	// Output:
	// + add     Mon 10 Feb 09:00    Opening     not in the calendar
	// + add     Mon 10 Feb 10:00    Workshop    not in the calendar
	// Plan: 2 to add, 0 to change, 0 to remove, 0 to keep.
	// Applied: 2 done.
	//   keep    Mon 10 Feb 09:00    Opening     up to date
	//   keep    Mon 10 Feb 10:00    Workshop    up to date
	// No changes: the calendar is up to date (2 events).
	// Applied: 0 done.
}

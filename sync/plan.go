package sync

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Action is what a Step does to one event.
type Action string

// The actions of a plan.
const (
	Add    Action = "add"
	Change Action = "change"
	Remove Action = "remove"
	Keep   Action = "keep"
)

// Step is one line of a plan: one session or one owned event.
type Step struct {
	Action Action `json:"action"`
	ID     string `json:"id"`
	UID    string `json:"uid,omitempty"`
	// Session is the programme's id of the session, when it still has one.
	Session string    `json:"session,omitempty"`
	Title   string    `json:"title"`
	Start   time.Time `json:"start"`
	AllDay  bool      `json:"all_day,omitempty"`
	Reason  string    `json:"reason"`
	// Changes names the managed fields a change rewrites.
	Changes []string `json:"changes,omitempty"`
	// Restore is set on an add that brings back a deleted event.
	Restore bool `json:"restore,omitempty"`
	// Conflict marks a keep that needs the user's attention: an event
	// confcal does not own holds the session's id.
	Conflict bool `json:"conflict,omitempty"`

	Item   *Item   `json:"-"` // the desired event (add, change)
	Remote *Remote `json:"-"` // the event in the calendar (change, remove, some keeps)
}

// Writes reports whether the step writes to the calendar.
func (s Step) Writes() bool { return s.Action != Keep }

// Plan is what a sync will do, computed by Diff.
type Plan struct {
	Owner Owner  `json:"owner"`
	Steps []Step `json:"steps"`
	// Wanted is the number of desired events.
	Wanted int `json:"wanted"`
	// Owned is the number of live events confcal owned before the run.
	Owned int `json:"owned"`
	// Foreign is the number of events in the calendar that are not
	// confcal's for this programme; they are never touched.
	Foreign int `json:"foreign"`
}

// Counts are the number of steps of each action.
type Counts struct {
	Add    int `json:"add"`
	Change int `json:"change"`
	Remove int `json:"remove"`
	Keep   int `json:"keep"`
}

// Counts returns how many steps of each action p has.
func (p *Plan) Counts() Counts {
	var c Counts
	for _, s := range p.Steps {
		switch s.Action {
		case Add:
			c.Add++
		case Change:
			c.Change++
		case Remove:
			c.Remove++
		case Keep:
			c.Keep++
		}
	}
	return c
}

// Pending reports whether p writes anything.
func (p *Plan) Pending() bool {
	for _, s := range p.Steps {
		if s.Writes() {
			return true
		}
	}
	return false
}

// Conflicts returns the keeps that need the user's attention.
func (p *Plan) Conflicts() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Conflict {
			out = append(out, s)
		}
	}
	return out
}

// DiffOptions are the user's choices that shape a plan.
type DiffOptions struct {
	// Now decides which events are past.
	Now time.Time
	// PrunePast removes past events that are no longer wanted; by
	// default they stay.
	PrunePast bool
	// RestoreDeleted brings back events the user deleted.
	RestoreDeleted bool
	// Journal says who deleted which tombstone; nil knows nothing.
	Journal *Journal
}

// Diff compares the desired events with the calendar's and returns the plan
// that makes the calendar hold exactly the desired ones. Events that fail
// either proof of ownership only ever appear as keeps. Diff is pure.
func Diff(want Desired, have []Remote, opts DiffOptions) *Plan {
	owner := want.Owner
	p := &Plan{Owner: owner, Wanted: len(want.Items)}
	byID := map[string]*Remote{}
	for i := range have {
		r := &have[i]
		if prev, ok := byID[r.ID]; ok && !prev.Deleted {
			continue // a backend listing an id twice: the live one wins
		}
		byID[r.ID] = r
	}
	wanted := map[string]bool{}
	for i := range want.Items {
		it := &want.Items[i]
		wanted[it.ID] = true
		p.Steps = append(p.Steps, diffItem(owner, it, byID[it.ID], opts))
	}
	for i := range have {
		r := &have[i]
		if byID[r.ID] != r {
			continue
		}
		owned := owner.Owns(*r)
		switch {
		case owned && !r.Deleted:
			p.Owned++
		case !owned && !r.Deleted:
			p.Foreign++
		}
		if wanted[r.ID] || !owned {
			continue
		}
		if r.Deleted {
			continue // a tombstone of a session no longer wanted: nothing to do
		}
		p.Steps = append(p.Steps, diffUnwanted(want, r, opts))
	}
	sort.SliceStable(p.Steps, func(i, j int) bool { return stepLess(p.Steps[i], p.Steps[j]) })
	return p
}

func stepLess(a, b Step) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if a.Title != b.Title {
		return a.Title < b.Title
	}
	return a.ID < b.ID
}

func newStep(a Action, it *Item, r *Remote, reason string) Step {
	s := Step{Action: a, Reason: reason, Item: it, Remote: r}
	f := Fields{}
	switch {
	case it != nil:
		s.ID, s.UID, s.Session, f = it.ID, it.Marker.UID, it.SessionID, it.Fields
	case r != nil:
		s.ID, s.UID, f = r.ID, r.Marker.UID, r.Fields
	}
	s.Title, s.AllDay = f.Title, f.AllDay
	s.Start = f.startInstant()
	return s
}

// startInstant is when the event begins: Start, or midnight UTC of an
// all-day event's first day.
func (f Fields) startInstant() time.Time {
	if f.AllDay {
		t, _ := time.Parse(time.DateOnly, f.StartDate)
		return t
	}
	return f.Start
}

// endInstant is when the event ends.
func (f Fields) endInstant() time.Time {
	if f.AllDay {
		t, _ := time.Parse(time.DateOnly, f.EndDate)
		return t
	}
	if f.End.IsZero() {
		return f.Start
	}
	return f.End
}

func diffItem(owner Owner, it *Item, r *Remote, opts DiffOptions) Step {
	switch {
	case r == nil:
		if opts.Journal.DeletedByUser(it.ID) && !opts.RestoreDeleted {
			return newStep(Keep, it, nil, "deleted in the calendar (--restore-deleted brings it back)")
		}
		return newStep(Add, it, nil, "not in the calendar")
	case r.Deleted:
		if r.Marker.Tool != "" && !owner.Owns(*r) {
			s := newStep(Keep, it, r, "its id belongs to a deleted event confcal does not own")
			s.Conflict = true
			return s
		}
		if opts.Journal.RemovedByUs(it.ID) {
			s := newStep(Add, it, r, "chosen again")
			s.Restore = true
			return s
		}
		if opts.RestoreDeleted {
			s := newStep(Add, it, r, "deleted in the calendar; restored (--restore-deleted)")
			s.Restore = true
			return s
		}
		return newStep(Keep, it, r, "deleted in the calendar (--restore-deleted brings it back)")
	case !owner.Owns(*r):
		s := newStep(Keep, it, r, "its id is held by an event confcal does not own; left alone")
		s.Conflict = true
		return s
	case r.Marker.Hash == it.Marker.Hash:
		return newStep(Keep, it, r, "up to date")
	default:
		changes := changedFields(r.Fields, it.Fields)
		reason := "changed in the programme"
		if len(changes) > 0 {
			reason = describeChanges(r.Fields, it.Fields, changes)
		}
		s := newStep(Change, it, r, reason)
		s.Changes = changes
		return s
	}
}

func diffUnwanted(want Desired, r *Remote, opts DiffOptions) Step {
	why, known := want.Excluded[r.ID]
	if !known {
		why = "no longer in the programme"
		if r.Marker.Generation != want.Owner.Generation {
			why = "from an earlier generation of ids"
		}
	}
	if !opts.PrunePast && !opts.Now.IsZero() && r.Fields.endInstant().Before(opts.Now) && !r.Fields.startInstant().IsZero() {
		return newStep(Keep, nil, r, why+"; past, kept (--prune-past removes it)")
	}
	return newStep(Remove, nil, r, why)
}

// changedFields names the managed fields that differ between a and b.
func changedFields(a, b Fields) []string {
	var out []string
	if a.AllDay != b.AllDay || a.StartDate != b.StartDate || a.EndDate != b.EndDate ||
		!a.Start.Equal(b.Start) || !a.End.Equal(b.End) {
		out = append(out, "time")
	} else if a.TimeZone != b.TimeZone {
		out = append(out, "time zone")
	}
	if a.Title != b.Title {
		out = append(out, "title")
	}
	if a.Location != b.Location {
		out = append(out, "location")
	}
	if a.Description != b.Description {
		out = append(out, "description")
	}
	if a.URL != b.URL {
		out = append(out, "link")
	}
	if a.Status != b.Status || a.Free != b.Free {
		out = append(out, "status")
	}
	return out
}

// describeChanges is a short reason naming what changed, with the old and
// new time or place when those changed.
func describeChanges(a, b Fields, changes []string) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		switch c {
		case "time":
			if !a.AllDay && !b.AllDay && !a.Start.IsZero() {
				loc := b.Start.Location()
				parts = append(parts, fmt.Sprintf("time %s → %s", shortTime(a.Start.In(loc), b.Start), shortTime(b.Start, b.Start)))
				continue
			}
		case "location":
			if a.Location != "" && b.Location != "" && len(a.Location)+len(b.Location) < 60 {
				parts = append(parts, fmt.Sprintf("location %s → %s", a.Location, b.Location))
				continue
			}
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, ", ")
}

// shortTime prints t as a clock time, with its date when it is not on
// ref's day.
func shortTime(t, ref time.Time) string {
	if t.Year() == ref.Year() && t.YearDay() == ref.YearDay() {
		return t.Format("15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

// BrakeOptions release the brakes.
type BrakeOptions struct {
	Force bool
}

// Check applies the safety brakes to p: a plan that would remove every
// event confcal owns because nothing is wanted, or that would remove more
// than max(5, 25%) of them, needs Force.
func (p *Plan) Check(opts BrakeOptions) error {
	if opts.Force {
		return nil
	}
	removes := p.Counts().Remove
	if p.Wanted == 0 && p.Owned > 0 {
		return &BrakeError{Reason: fmt.Sprintf("nothing is chosen, but confcal owns %d event%s in this calendar: refusing to remove them all (check the programme and the selection, or use --force)",
			p.Owned, plural(p.Owned))}
	}
	limit := max(5, p.Owned/4)
	if removes > limit {
		return &BrakeError{Reason: fmt.Sprintf("the plan removes %d of the %d events confcal owns in this calendar, more than the limit of %d: check the programme and the selection, or use --force",
			removes, p.Owned, limit)}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

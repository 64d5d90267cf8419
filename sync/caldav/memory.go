package caldav

import (
	"context"
	"slices"
	"sync"

	calsync "github.com/confcal/confcal/sync"
)

// Remembering is a Calendar that remembers, between runs, which of
// confcal's events it held, so that a session the user deleted stays
// deleted. CalDAV keeps no trace of a deleted object, unlike Google
// Calendar's tombstones: without this memory, the next run would find the
// session missing and add it again. An event that was in the calendar at
// the end of the last run, is missing now and was not removed by confcal
// (the journal says) was deleted by the user, and the journal records it;
// --restore-deleted brings it back.
//
// Remembering is safe for concurrent use.
type Remembering struct {
	*Calendar
	journal *calsync.Journal

	mu    sync.Mutex
	owner calsync.Owner
	was   map[string]bool // confcal's live events at the end of the last run
	live  map[string]bool // confcal's live events now
}

// Remember wraps cal with the memory of the events live at the end of the
// last run (Live's result then), recording what the user deleted into
// journal.
func Remember(cal *Calendar, live []string, journal *calsync.Journal) *Remembering {
	r := &Remembering{Calendar: cal, journal: journal, was: map[string]bool{}, live: map[string]bool{}}
	for _, id := range live {
		r.was[id] = true
	}
	return r
}

// Live returns confcal's events in the calendar as far as this run knows:
// those listed, plus those it added, minus those it removed. Save it for
// the next run.
func (r *Remembering) Live() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.live))
	for id := range r.live {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// List lists the calendar and notes in the journal which of the events
// live at the end of the last run the user has deleted since.
func (r *Remembering) List(ctx context.Context, owner calsync.Owner) ([]calsync.Remote, error) {
	have, err := r.Calendar.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.owner = owner
	r.live = map[string]bool{}
	for _, e := range have {
		if !e.Deleted && owner.Owns(e) {
			r.live[e.ID] = true
		}
	}
	for id := range r.was {
		if !r.live[id] && !r.journal.RemovedByUs(id) {
			r.journal.NoteUserDeleted(id)
		}
	}
	return have, nil
}

// Get reads the event and remembers whether it is confcal's and there.
func (r *Remembering) Get(ctx context.Context, id string) (calsync.Remote, error) {
	e, err := r.Calendar.Get(ctx, id)
	switch {
	case err == nil:
		r.mu.Lock()
		owned := !e.Deleted && r.owner.Owns(e)
		r.mu.Unlock()
		r.note(id, owned)
	case calsync.IsKind(err, calsync.NotFound):
		r.note(id, false)
	}
	return e, err
}

// Insert creates the event and remembers it.
func (r *Remembering) Insert(ctx context.Context, it calsync.Item) (calsync.Remote, error) {
	e, err := r.Calendar.Insert(ctx, it)
	if err == nil {
		r.note(it.ID, true)
	}
	return e, err
}

// Update updates the event and remembers it.
func (r *Remembering) Update(ctx context.Context, it calsync.Item, base calsync.Remote) (calsync.Remote, error) {
	e, err := r.Calendar.Update(ctx, it, base)
	if err == nil {
		r.note(it.ID, true)
	}
	return e, err
}

// Delete deletes the event and forgets it.
func (r *Remembering) Delete(ctx context.Context, base calsync.Remote) error {
	err := r.Calendar.Delete(ctx, base)
	if err == nil || calsync.IsKind(err, calsync.NotFound) || calsync.IsKind(err, calsync.Gone) {
		r.note(base.ID, false)
	}
	return err
}

func (r *Remembering) note(id string, live bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if live {
		r.live[id] = true
	} else {
		delete(r.live, id)
	}
}

package sync

import (
	"sort"
	stdsync "sync"
)

// Journal remembers, between runs, who deleted the events whose tombstones
// keep their ids taken: confcal (the session left the selection and may
// come back) or the user (confcal respects that). It is a cache: without
// it, every tombstone counts as the user's deletion, which is the safe
// reading. A Journal is safe for concurrent use.
type Journal struct {
	mu          stdsync.Mutex
	removed     map[string]bool
	userDeleted map[string]bool
}

// JournalData is a Journal's serialisable form.
type JournalData struct {
	Removed     []string `json:"removed,omitempty"`      // ids confcal deleted
	UserDeleted []string `json:"user_deleted,omitempty"` // ids the user deleted
}

// NewJournal returns a Journal holding d.
func NewJournal(d JournalData) *Journal {
	j := &Journal{removed: map[string]bool{}, userDeleted: map[string]bool{}}
	for _, id := range d.Removed {
		j.removed[id] = true
	}
	for _, id := range d.UserDeleted {
		j.userDeleted[id] = true
	}
	return j
}

// Data returns the journal's content, sorted.
func (j *Journal) Data() JournalData {
	if j == nil {
		return JournalData{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return JournalData{Removed: keys(j.removed), UserDeleted: keys(j.userDeleted)}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RemovedByUs reports whether confcal deleted event id.
func (j *Journal) RemovedByUs(id string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.removed[id]
}

// DeletedByUser reports whether the user deleted event id.
func (j *Journal) DeletedByUser(id string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.userDeleted[id]
}

// NoteRemoving records that confcal is about to delete id. It is written
// before the delete is sent, so that a run killed in between still knows
// the tombstone is confcal's.
func (j *Journal) NoteRemoving(id string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.removed[id] = true
	delete(j.userDeleted, id)
}

// NoteUserDeleted records that the user deleted id.
func (j *Journal) NoteUserDeleted(id string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.removed[id] {
		j.userDeleted[id] = true
	}
}

// NoteLive records that id is a live event of confcal's again.
func (j *Journal) NoteLive(id string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.removed, id)
	delete(j.userDeleted, id)
}

// NotePlan records, before Apply runs, every removal plan makes.
func (j *Journal) NotePlan(plan *Plan) {
	for _, s := range plan.Steps {
		if s.Action == Remove {
			j.NoteRemoving(s.ID)
		}
	}
}

// Observe forgets what it recorded about events that are live and owned by
// owner in have: they are no longer tombstones.
func (j *Journal) Observe(owner Owner, have []Remote) {
	for _, r := range have {
		if !r.Deleted && owner.Owns(r) {
			j.NoteLive(r.ID)
		}
	}
}

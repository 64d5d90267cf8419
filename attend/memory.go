package attend

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Memory is a Store in memory, for one process: what it holds is lost
// when the process ends. Tests use it; a server uses a database.
type Memory struct {
	mu   sync.Mutex
	subs map[string]*Subscription
	jobs map[string]*memJob
}

type memJob struct {
	gen      int64
	at       time.Time
	leased   time.Time // zero when no lease
	attempts int
	force    bool
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{subs: map[string]*Subscription{}, jobs: map[string]*memJob{}}
}

func clone(s *Subscription) *Subscription {
	c := *s
	c.Token = bytes.Clone(s.Token)
	c.ManageHash = bytes.Clone(s.ManageHash)
	return &c
}

// Create implements Store.
func (m *Memory) Create(_ context.Context, s *Subscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ID == "" {
		return fmt.Errorf("create a subscription: no id")
	}
	if _, dup := m.subs[s.ID]; dup {
		return fmt.Errorf("create a subscription: id %s is taken", s.ID)
	}
	m.subs[s.ID] = clone(s)
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, id string) (*Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[id]
	if !ok {
		return nil, ErrNotFound
	}
	return clone(s), nil
}

// ByManageHash implements Store.
func (m *Memory) ByManageHash(_ context.Context, hash []byte) (*Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.subs {
		if len(hash) > 0 && bytes.Equal(s.ManageHash, hash) {
			return clone(s), nil
		}
	}
	return nil, ErrNotFound
}

// List implements Store.
func (m *Memory) List(_ context.Context, programme string) ([]*Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Subscription
	for _, s := range m.subs {
		if s.Programme == programme {
			out = append(out, clone(s))
		}
	}
	slices.SortFunc(out, func(a, b *Subscription) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *Memory) update(id string, f func(s *Subscription)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[id]
	if !ok {
		return ErrNotFound
	}
	f(s)
	return nil
}

// SetSelection implements Store.
func (m *Memory) SetSelection(_ context.Context, id, selection, name string) error {
	return m.update(id, func(s *Subscription) { s.Selection, s.CalendarName = selection, name })
}

// SetStatus implements Store.
func (m *Memory) SetStatus(_ context.Context, id string, st Status, reason string) error {
	return m.update(id, func(s *Subscription) { s.Status, s.Reason = st, reason })
}

// SetToken implements Store.
func (m *Memory) SetToken(_ context.Context, id string, token []byte) error {
	return m.update(id, func(s *Subscription) { s.Token, s.Status, s.Reason = bytes.Clone(token), Active, "" })
}

// RecordSync implements Store.
func (m *Memory) RecordSync(_ context.Context, id string, r SyncRecord) error {
	return m.update(id, func(s *Subscription) { s.Sync = r })
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.subs[id]; !ok {
		return ErrNotFound
	}
	delete(m.subs, id)
	delete(m.jobs, id)
	return nil
}

// Enqueue implements Store.
func (m *Memory) Enqueue(_ context.Context, id string, at time.Time, force bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.subs[id]; !ok {
		return ErrNotFound
	}
	j, ok := m.jobs[id]
	if !ok {
		m.jobs[id] = &memJob{gen: 1, at: at, force: force}
		return nil
	}
	j.gen++
	j.force = j.force || force
	if at.Before(j.at) {
		j.at = at
	}
	return nil
}

// Claim implements Store: the job due first, then by id.
func (m *Memory) Claim(_ context.Context, now time.Time, lease time.Duration) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best string
	for id, j := range m.jobs {
		if j.at.After(now) || !j.leased.IsZero() && j.leased.After(now) {
			continue
		}
		if b := m.jobs[best]; best == "" || j.at.Before(b.at) || j.at.Equal(b.at) && id < best {
			best = id
		}
	}
	if best == "" {
		return nil, nil
	}
	j := m.jobs[best]
	j.leased = now.Add(lease)
	return &Job{Subscription: best, Gen: j.gen, Attempts: j.attempts, Force: j.force}, nil
}

// Finish implements Store.
func (m *Memory) Finish(_ context.Context, job *Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[job.Subscription]
	if !ok {
		return nil
	}
	if j.gen == job.Gen {
		delete(m.jobs, job.Subscription)
		return nil
	}
	j.leased, j.attempts = time.Time{}, 0 // enqueued again while it ran
	return nil
}

// Retry implements Store.
func (m *Memory) Retry(_ context.Context, job *Job, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[job.Subscription]
	if !ok {
		return nil
	}
	j.leased, j.attempts = time.Time{}, job.Attempts+1
	if j.gen == job.Gen || at.Before(j.at) {
		j.at = at
	}
	return nil
}

// Pending implements Store.
func (m *Memory) Pending(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.jobs), nil
}

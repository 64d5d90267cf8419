// Package calendartest helps test sync backends and the engine: Memory is
// an in-memory Calendar that behaves like a careful server (versions,
// tombstones, conflicts) and can inject faults, and Run is the conformance
// suite every Calendar implementation must pass.
package calendartest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	calsync "github.com/confcal/confcal/sync"
)

// Memory is an in-memory Calendar. Deleting an event leaves a tombstone
// that keeps its id taken and loses its marker and fields, as Google
// Calendar does. Extra fields (colour, reminders) live in Remote.Raw as a
// map[string]string and survive updates. Memory is safe for concurrent
// use.
type Memory struct {
	mu      sync.Mutex
	events  map[string]*calsync.Remote
	version int
	calls   map[string]int
	// Fault, when set, is consulted before every call; an error it returns
	// is returned instead of doing the call. With after set, the call is
	// done first and the error returned instead of its answer: a write
	// applied whose response was lost.
	Fault func(op, id string) (err error, after bool)
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{events: map[string]*calsync.Remote{}, calls: map[string]int{}}
}

// Calls returns how many calls of each operation Memory answered.
func (m *Memory) Calls() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.calls)
}

// Writes returns the number of insert, update and delete calls.
func (m *Memory) Writes() int {
	c := m.Calls()
	return c["insert"] + c["update"] + c["delete"]
}

func (m *Memory) nextVersion() string {
	m.version++
	return strconv.Itoa(m.version)
}

func clone(r *calsync.Remote) calsync.Remote {
	c := *r
	if extra, ok := r.Raw.(map[string]string); ok {
		c.Raw = maps.Clone(extra)
	}
	return c
}

// call runs op under the lock, with faults.
func (m *Memory) call(op, id string, do func() error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[op]++
	var fault error
	after := false
	if m.Fault != nil {
		fault, after = m.Fault(op, id)
		if fault != nil && !after {
			return fault
		}
	}
	err := do()
	if fault != nil {
		return fault
	}
	return err
}

// List returns every event, tombstones included, sorted by id.
func (m *Memory) List(_ context.Context, _ calsync.Owner) ([]calsync.Remote, error) {
	var out []calsync.Remote
	err := m.call("list", "", func() error {
		for _, id := range slices.Sorted(maps.Keys(m.events)) {
			out = append(out, clone(m.events[id]))
		}
		return nil
	})
	return out, err
}

// Get returns event id.
func (m *Memory) Get(_ context.Context, id string) (calsync.Remote, error) {
	var out calsync.Remote
	err := m.call("get", id, func() error {
		r, ok := m.events[id]
		if !ok {
			return &calsync.Error{Kind: calsync.NotFound, Op: "get", ID: id}
		}
		out = clone(r)
		return nil
	})
	return out, err
}

// Insert creates event it.ID.
func (m *Memory) Insert(_ context.Context, it calsync.Item) (calsync.Remote, error) {
	var out calsync.Remote
	err := m.call("insert", it.ID, func() error {
		if !calsync.ValidID(it.ID) {
			return &calsync.Error{Kind: calsync.Permanent, Op: "insert", ID: it.ID, Err: errors.New("invalid id")}
		}
		if _, ok := m.events[it.ID]; ok {
			return &calsync.Error{Kind: calsync.Exists, Op: "insert", ID: it.ID}
		}
		r := &calsync.Remote{ID: it.ID, Version: m.nextVersion(), Marker: it.Marker, Fields: it.Fields, Raw: map[string]string{}}
		m.events[it.ID] = r
		out = clone(r)
		return nil
	})
	return out, err
}

// Update replaces the managed fields of base.ID.
func (m *Memory) Update(_ context.Context, it calsync.Item, base calsync.Remote) (calsync.Remote, error) {
	var out calsync.Remote
	err := m.call("update", it.ID, func() error {
		r, ok := m.events[it.ID]
		if !ok {
			return &calsync.Error{Kind: calsync.NotFound, Op: "update", ID: it.ID}
		}
		if base.Version != "" && base.Version != r.Version {
			return &calsync.Error{Kind: calsync.Precondition, Op: "update", ID: it.ID}
		}
		extra := map[string]string{}
		if e, ok := base.Raw.(map[string]string); ok {
			extra = maps.Clone(e)
		}
		*r = calsync.Remote{ID: it.ID, Version: m.nextVersion(), Marker: it.Marker, Fields: it.Fields, Notes: base.Notes, Raw: extra}
		out = clone(r)
		return nil
	})
	return out, err
}

// Delete turns base.ID into a tombstone.
func (m *Memory) Delete(_ context.Context, base calsync.Remote) error {
	return m.call("delete", base.ID, func() error {
		r, ok := m.events[base.ID]
		switch {
		case !ok:
			return &calsync.Error{Kind: calsync.NotFound, Op: "delete", ID: base.ID}
		case r.Deleted:
			return &calsync.Error{Kind: calsync.Gone, Op: "delete", ID: base.ID}
		case base.Version != "" && base.Version != r.Version:
			return &calsync.Error{Kind: calsync.Precondition, Op: "delete", ID: base.ID}
		}
		*r = calsync.Remote{ID: r.ID, Version: m.nextVersion(), Deleted: true}
		return nil
	})
}

// Put stores r as it is, as a user or another program would: for foreign
// events and user edits. It gets a new version.
func (m *Memory) Put(r calsync.Remote) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := clone(&r)
	c.Version = m.nextVersion()
	m.events[r.ID] = &c
}

// Edit changes event id as the user would, giving it a new version.
func (m *Memory) Edit(id string, edit func(*calsync.Remote)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.events[id]
	if !ok {
		return fmt.Errorf("no event %s", id)
	}
	c := clone(r)
	edit(&c)
	c.Version = m.nextVersion()
	m.events[id] = &c
	return nil
}

// UserDelete deletes event id as the user would.
func (m *Memory) UserDelete(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.events[id]
	if !ok || r.Deleted {
		return fmt.Errorf("no live event %s", id)
	}
	*r = calsync.Remote{ID: id, Version: m.nextVersion(), Deleted: true}
	return nil
}

// Events returns every event, tombstones included, sorted by id, without
// counting a call or consulting Fault.
func (m *Memory) Events() []calsync.Remote {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []calsync.Remote
	for _, id := range slices.Sorted(maps.Keys(m.events)) {
		out = append(out, clone(m.events[id]))
	}
	return out
}

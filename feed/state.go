package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/confcal/confcal/internal/atomicfile"
	"github.com/confcal/confcal/programme"
)

// Meta is what subscribers' clients use to tell versions of an event apart.
type Meta struct {
	Sequence int
	Created  time.Time
	Modified time.Time
	// Was is the session before its last change, when that change moved
	// it in time or place, so the event can say where it used to be.
	Was *Snapshot
}

// History is what a build knows of earlier builds: each session's Meta by
// UID key, and the sessions that left the programme and must still be
// published as cancelled.
type History struct {
	Meta   map[string]Meta
	Ghosts []*programme.Session
}

// Store is the small state store that remembers, between builds, each
// session's content hash, SEQUENCE, CREATED and LAST-MODIFIED, and a
// snapshot of it, so that changes and removals reach subscribers. It is one
// JSON file, replaced atomically: a crash at any moment leaves either the
// old or the new file.
type Store struct {
	path string
	file stateFile
	// dirty are the keys of the entries Reconcile or Merge changed since
	// Changes was last called.
	dirty map[string]bool
}

const stateVersion = 1

type stateFile struct {
	Version   int                    `json:"version"`
	Programme string                 `json:"programme"`
	Sessions  map[string]*stateEntry `json:"sessions"`
}

type stateEntry struct {
	Hash     string    `json:"hash"`
	Sequence int       `json:"sequence"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	Removed  time.Time `json:"removed,omitzero"`
	Snapshot Snapshot  `json:"snapshot"`
	// Was is the snapshot before the last change that moved the session.
	Was *Snapshot `json:"was,omitempty"`
}

// OpenStore opens the store at path for programme id. A missing file is an
// empty store; it is created on Save.
func OpenStore(path, id string) (*Store, error) {
	s := &Store{path: path, file: stateFile{Version: stateVersion, Programme: id, Sessions: map[string]*stateEntry{}}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	if err := json.Unmarshal(data, &s.file); err != nil {
		return nil, fmt.Errorf("open state %s: not a confcal state file (%v); move it away to start afresh", path, err)
	}
	if s.file.Version != stateVersion {
		return nil, fmt.Errorf("open state %s: version %d, this confcal reads version %d", path, s.file.Version, stateVersion)
	}
	if s.file.Programme != id {
		return nil, fmt.Errorf("open state %s: it belongs to programme %q, not %q", path, s.file.Programme, id)
	}
	if s.file.Sessions == nil {
		s.file.Sessions = map[string]*stateEntry{}
	}
	return s, nil
}

// Path returns the file the store lives in.
func (s *Store) Path() string { return s.path }

// Reconcile compares p with what the store remembers, as of now: new
// sessions are recorded, changed ones get a higher SEQUENCE and a new
// LAST-MODIFIED, and sessions gone from p become cancelled ghosts, kept
// until p has ended. Occurrences of a repeated session first take the UID
// keys they were published with (their UIDKey may change). It updates the
// store in memory; call Save to keep it.
func (s *Store) Reconcile(p *programme.Programme, now time.Time) (*History, error) {
	now = now.UTC().Truncate(time.Second)
	rekeyRepeats(p, s.file.Sessions)
	h := &History{Meta: make(map[string]Meta, len(p.Sessions))}
	present := make(map[string]bool, len(p.Sessions))
	// A new store takes the programme's own "updated" time for every
	// session it first sees, rather than the clock.
	fresh := len(s.file.Sessions) == 0
	for _, sess := range p.Sessions {
		snap := Snap(p, sess)
		hash := snap.Hash()
		present[sess.UIDKey] = true
		e := s.file.Sessions[sess.UIDKey]
		switch {
		case e == nil:
			stamp := now
			if fresh && !p.Updated.IsZero() && p.Updated.Before(now) {
				stamp = p.Updated.UTC().Truncate(time.Second)
			}
			e = &stateEntry{Hash: hash, Created: stamp, Modified: stamp, Snapshot: snap}
			s.file.Sessions[sess.UIDKey] = e
			s.touch(sess.UIDKey)
		case e.Hash != hash || !e.Removed.IsZero():
			if e.Removed.IsZero() && e.Snapshot.moved(snap) {
				was := e.Snapshot
				e.Was = &was
			} else if e.Was != nil && !e.Was.moved(snap) {
				e.Was = nil // moved back where it was
			}
			e.Hash, e.Snapshot, e.Removed = hash, snap, time.Time{}
			e.Sequence++
			e.Modified = later(now, e.Modified)
			s.touch(sess.UIDKey)
		}
		h.Meta[sess.UIDKey] = Meta{Sequence: e.Sequence, Created: e.Created, Modified: e.Modified, Was: e.Was}
	}
	_, end := p.Bounds()
	keys := make([]string, 0, len(s.file.Sessions))
	for k := range s.file.Sessions {
		if !present[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := s.file.Sessions[k]
		if e.Removed.IsZero() {
			e.Removed = now
			e.Sequence++
			e.Modified = later(now, e.Modified)
			s.touch(k)
		}
		ghost, err := e.Snapshot.Session(p)
		if err != nil {
			continue // an unreadable snapshot cannot be published
		}
		ghost.Status = programme.Cancelled
		_, gEnd := ghost.Interval(p)
		if gEnd.After(end) {
			end = gEnd
		}
		h.Ghosts = append(h.Ghosts, ghost)
		h.Meta[k] = Meta{Sequence: e.Sequence, Created: e.Created, Modified: e.Modified}
	}
	// Ghosts are published until the programme (ghosts included) is over.
	if now.After(end) {
		h.Ghosts = nil
	}
	return h, nil
}

func (s *Store) touch(key string) {
	if s.dirty == nil {
		s.dirty = map[string]bool{}
	}
	s.dirty[key] = true
}

// NewStore returns an empty store of programme id that lives in no file:
// a database keeps its entries, read with SetEntry and written from
// Changes.
func NewStore(id string) *Store {
	return &Store{file: stateFile{Version: stateVersion, Programme: id, Sessions: map[string]*stateEntry{}}}
}

// ReadStore reads a state file whatever its programme, to import it.
func ReadStore(path string) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	s := &Store{path: path}
	if err := json.Unmarshal(data, &s.file); err != nil || s.file.Programme == "" {
		return nil, fmt.Errorf("read state %s: not a confcal state file", path)
	}
	if s.file.Version != stateVersion {
		return nil, fmt.Errorf("read state %s: version %d, this confcal reads version %d", path, s.file.Version, stateVersion)
	}
	if s.file.Sessions == nil {
		s.file.Sessions = map[string]*stateEntry{}
	}
	return s, nil
}

// Programme returns the id of the programme the store belongs to.
func (s *Store) Programme() string { return s.file.Programme }

// Len returns the number of sessions the store remembers.
func (s *Store) Len() int { return len(s.file.Sessions) }

// SetEntry sets the entry of key from its encoding (as Changes gives it).
func (s *Store) SetEntry(key string, data []byte) error {
	var e stateEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("state entry %q: %w", key, err)
	}
	s.file.Sessions[key] = &e
	return nil
}

// Changes returns the encoded entries that Reconcile or Merge created or
// changed since the store was made or Changes last called, by key.
func (s *Store) Changes() (map[string][]byte, error) {
	out := make(map[string][]byte, len(s.dirty))
	for k := range s.dirty {
		b, err := json.Marshal(s.file.Sessions[k])
		if err != nil {
			return nil, fmt.Errorf("state entry %q: %w", k, err)
		}
		out[k] = b
	}
	s.dirty = nil
	return out, nil
}

// Merge takes in the entries of other that are newer: those this store
// lacks, and those of a higher SEQUENCE, so that importing a history
// never makes a SEQUENCE go backwards. It returns how many it took.
func (s *Store) Merge(other *Store) int {
	n := 0
	for k, e := range other.file.Sessions {
		if mine, ok := s.file.Sessions[k]; ok && mine.Sequence >= e.Sequence {
			continue
		}
		c := *e
		s.file.Sessions[k] = &c
		s.touch(k)
		n++
	}
	return n
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b.Add(time.Second)
}

// Save writes the store atomically.
func (s *Store) Save() error {
	data, err := json.MarshalIndent(&s.file, "", " ")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// Stateless returns the History of a build without a store: every session
// at SEQUENCE 0, created and modified when the programme says it was
// updated, or else at its first session's start, so that the output still
// depends only on the data.
func Stateless(p *programme.Programme) *History {
	stamp := p.Updated
	if stamp.IsZero() {
		stamp, _ = p.Bounds()
	}
	if stamp.IsZero() {
		stamp = time.Unix(0, 0)
	}
	stamp = stamp.UTC().Truncate(time.Second)
	h := &History{Meta: make(map[string]Meta, len(p.Sessions))}
	for _, s := range p.Sessions {
		h.Meta[s.UIDKey] = Meta{Created: stamp, Modified: stamp}
	}
	return h
}

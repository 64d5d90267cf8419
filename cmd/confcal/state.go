package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/confcal/confcal/internal/atomicfile"
)

// statePath returns where confcal keeps the state called name of programme
// id: $XDG_STATE_HOME/confcal/<id>/<name>, with XDG_STATE_HOME defaulting
// to ~/.local/state.
func (a *app) statePath(id, name string) (string, error) {
	dir, ok := a.env("XDG_STATE_HOME")
	if !ok || dir == "" {
		home, ok := a.env("HOME")
		if !ok || home == "" {
			return "", errors.New("neither XDG_STATE_HOME nor HOME is set: cannot place the state (use --state)")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "confcal", id, name), nil
}

// loadSyncState reads the JSON state at path into v; a missing file leaves
// v as it is.
func loadSyncState(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the sync state: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the sync state %s is damaged (%v); move it away to start afresh", path, err)
	}
	return nil
}

// saveSyncState writes v as JSON to path, atomically and readable only by
// its owner.
func saveSyncState(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save the sync state: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the sync state: %w", err)
	}
	return nil
}

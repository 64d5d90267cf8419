package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDBCommands(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	if err := os.WriteFile(prog, []byte(attendProgramme), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runIn(t, dir, "db", "status", "-p", prog)
	if code != 0 || strings.Count(out, "pending") != 3 || !strings.Contains(out, "att/confcal.db") {
		t.Fatalf("status of a new database: %d\n%s%s", code, out, errs)
	}
	if code, out, errs = runIn(t, dir, "db", "migrate", "-p", prog); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %d\n%s%s", code, out, errs)
	}
	if code, out, _ = runIn(t, dir, "db", "status", "-p", prog); code != 0 || strings.Contains(out, "pending") || strings.Count(out, "applied") != 2 {
		t.Errorf("status after migrate: %d\n%s", code, out)
	}

	// --state given a directory keeps state.json in it.
	stateDir := filepath.Join(dir, "st")
	os.Mkdir(stateDir, 0o755)
	if code, _, errs = runIn(t, dir, "build", "-p", prog, "--state", stateDir, "--out", filepath.Join(dir, "out")); code != 0 {
		t.Fatalf("build --state DIR: %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "state.json")); err != nil {
		t.Fatalf("no state.json in the --state directory: %v", err)
	}
	code, out, errs = runIn(t, dir, "db", "import", "--state", stateDir)
	if code != 0 || !strings.Contains(out, "imported 3 sessions of att") {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	if code, out, _ = runIn(t, dir, "db", "import", "--state", stateDir); code != 0 || !strings.Contains(out, "imported 0 sessions") {
		t.Errorf("a second import: %d\n%s", code, out)
	}
	if code, _, errs = runIn(t, dir, "db", "import"); code == 0 || !strings.Contains(errs, "--state FILE") {
		t.Errorf("import without --state: %d\n%s", code, errs)
	}
}

func TestServeUnreachableDatabase(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runIn(t, dir, "serve", "--addr", "127.0.0.1:0", "--database", "postgres://confcal:hunter2@127.0.0.1:1/confcal?connect_timeout=2")
	if code == 0 || strings.Contains(errs, "hunter2") || !strings.Contains(errs, "unreachable") || !strings.Contains(errs, "127.0.0.1:1") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// A server upgraded from a state file takes its history into the new
// database on its first start.
func TestServeImportsTheOldStateFile(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	os.WriteFile(prog, []byte(attendProgramme), 0o644)
	if code, _, errs := runIn(t, dir, "build", "-p", prog, "--out", filepath.Join(dir, "out")); code != 0 {
		t.Fatal(errs)
	}
	srv := startServeEnv(t, map[string]string{"XDG_STATE_HOME": filepath.Join(dir, "home", ".local", "state")}, "-p", prog)
	srv.stop(t)
	if !strings.Contains(srv.stderr.String(), "imported the history of the state file") {
		t.Errorf("no import logged:\n%s", srv.stderr)
	}
}

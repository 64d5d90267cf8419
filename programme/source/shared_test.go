package source

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the folder of real programme files beside the
// repository (../shared/data from its root), or skips the test when it is
// absent.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found")
		}
		dir = parent
	}
	data := filepath.Join(filepath.Dir(dir), "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "INDEX.md")); err != nil {
		tb.Skipf("no real programmes at %s", data)
	}
	return data
}

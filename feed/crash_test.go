package feed_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
)

// TestStoreSurvivesKill kills a process that keeps rewriting a store, at
// several moments, with SIGKILL, and checks the store always opens.
func TestStoreSurvivesKill(t *testing.T) {
	if os.Getenv("CONFCAL_CRASH_STORE") != "" {
		crashWriter(os.Getenv("CONFCAL_CRASH_STORE"))
		return
	}
	if testing.Short() {
		t.Skip("short")
	}
	path := filepath.Join(t.TempDir(), "state.json")
	for i, delay := range []time.Duration{5, 20, 45, 80, 130} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreSurvivesKill$")
		cmd.Env = append(os.Environ(), "CONFCAL_CRASH_STORE="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(path); err != nil {
			continue // killed before the first save
		}
		if _, err := feed.OpenStore(path, "st"); err != nil {
			t.Fatalf("kill %d after %v: %v", i, delay*time.Millisecond, err)
		}
	}
}

// crashWriter rewrites the store in a loop until it is killed.
func crashWriter(path string) {
	for i := 0; ; i++ {
		src := strings.Replace(stateProgramme, "title: Move", fmt.Sprintf("title: Move %d", i), 1)
		buildWithState(&testing.T{}, path, src, time.Date(2025, 5, 1, 0, 0, i, 0, time.UTC))
	}
}

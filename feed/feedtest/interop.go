// Package feedtest checks calendars with iCalendar parsers confcal did not
// write: ical.js (Mozilla's, in Node) and python3-icalendar. Tests skip
// when a parser is missing, and fail instead when CI=true.
package feedtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// Reading is one event as a parser read it: start and end in UTC
// (20250210T163000Z) or as dates (20250210).
type Reading struct {
	Parser     string
	File       string
	UID        string
	Start, End string
}

// Need skips the test, or fails it under CI=true, with the reason.
func Need(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: .ci/run must install it)", msg)
	}
	t.Skip(msg)
}

// moduleRoot finds the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

func interopDir(t testing.TB) string {
	return filepath.Join(moduleRoot(t), "feed", "testdata", "interop")
}

// Parse runs both parsers over files and returns every event they read.
// Any parse error fails the test.
func Parse(t testing.TB, files ...string) []Reading {
	t.Helper()
	dir := interopDir(t)
	var out []Reading

	if _, err := exec.LookPath("node"); err != nil {
		Need(t, "node not installed: cannot check feeds with ical.js")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ical.js")); err != nil {
		Need(t, "ical.js not installed: run npm ci --prefix %s", dir)
	}
	out = append(out, run(t, "ical.js", exec.Command("node", append([]string{filepath.Join(dir, "check.mjs")}, files...)...))...)

	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		Need(t, "python3-icalendar not installed (apt-get install python3-icalendar)")
	}
	out = append(out, run(t, "python-icalendar", exec.Command(py, append([]string{filepath.Join(dir, "check.py")}, files...)...))...)
	return out
}

func run(t testing.TB, parser string, cmd *exec.Cmd) []Reading {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s rejects our output: %v\n%s", parser, err, stderr.String())
	}
	var out []Reading
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("%s: unexpected line %q", parser, sc.Text())
		}
		out = append(out, Reading{Parser: parser, File: f[0], UID: f[1], Start: f[2], End: f[3]})
	}
	return out
}

// Expected returns what a correct reader must find for each event of set:
// UTC instants for timed sessions (the start again as the end when none is
// published), dates with an exclusive end for all-day ones.
func Expected(set *feed.Set) map[string][2]string {
	p := set.Programme
	want := map[string][2]string{}
	for _, ev := range set.Events {
		s := ev.Session
		if s.AllDay {
			want[ev.UID] = [2]string{s.StartDate.Compact(), s.EndDate.AddDays(1).Compact()}
			continue
		}
		start, end := s.Interval(p)
		want[ev.UID] = [2]string{utc(start), utc(end)}
	}
	return want
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Check writes every feed of set under a temporary directory, has both
// parsers read them, and fails the test for any event missing or read at
// other times than the programme says.
func Check(t testing.TB, set *feed.Set) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, f := range set.Feeds {
		path := filepath.Join(dir, strings.ReplaceAll(f.Path(), "/", "_"))
		if err := os.WriteFile(path, f.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	CheckFiles(t, set, files...)
}

// CheckFiles has both parsers read files, calendars made from set, and
// fails the test for any event read at other times than set's programme
// says, or not found in set.
func CheckFiles(t testing.TB, set *feed.Set, files ...string) {
	t.Helper()
	want := Expected(set)
	seen := map[string]int{}
	for _, r := range Parse(t, files...) {
		w, ok := want[r.UID]
		if !ok {
			t.Errorf("%s: %s: unknown UID %s", r.Parser, r.File, r.UID)
			continue
		}
		seen[r.Parser+"\x00"+r.File+"\x00"+r.UID]++
		if r.Start != w[0] || r.End != w[1] {
			t.Errorf("%s reads %s in %s as %s..%s, want %s..%s", r.Parser, r.UID, filepath.Base(r.File), r.Start, r.End, w[0], w[1])
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("event read %d times: %q", n, k)
		}
	}
}

// Build builds p's feed set and checks it.
func Build(t testing.TB, p *programme.Programme, opts feed.Options) *feed.Set {
	t.Helper()
	set, err := feed.Build(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	Check(t, set)
	return set
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// readmeSections are the sections of the README whose examples
// TestReadmeExamples runs: the first sh block of each.
var readmeSections = []string{"Quick tour", "Personal agendas"}

// TestReadmeExamples runs every command of the README's quick tour and of
// its agenda examples, in order, in a fresh directory with the built-in
// example, and checks that each succeeds and shows something: output, and
// never "no sessions". The one file the tour assumes (schedule.xml, to
// convert) is a frab fixture. A sync without --offline would need a
// sign-in: it runs with --dry-run --offline. serve runs until it answers
// its page.
func TestReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("../../programme/frab/testdata/pretalx.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range readmeSections {
		t.Run(section, func(t *testing.T) {
			lines := readmeCommands(t, string(readme), section)
			if len(lines) < 3 {
				t.Fatalf("found only %d commands in %q", len(lines), section)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "schedule.xml"), fixture, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			for _, line := range lines {
				args := shellWords(t, line)[1:]
				if args[0] == "sync" && !slices.Contains(args, "--offline") {
					args = append(args, "--dry-run", "--offline")
				}
				var out string
				if args[0] == "serve" {
					out = runServeExample(t, dir, args)
				} else {
					out = runExample(t, dir, line, args)
				}
				if strings.TrimSpace(out) == "" || strings.Contains(out, "no sessions") {
					t.Errorf("%s\nshows nothing: %q", line, out)
				}
			}
		})
	}
}

// readmeCommands returns the confcal commands of the first sh block of
// the README section called title, without their comments.
func readmeCommands(t *testing.T, readme, title string) []string {
	_, rest, ok := strings.Cut(readme, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("no section %q in the README", title)
	}
	_, block, ok := strings.Cut(rest, "```sh\n")
	if !ok {
		t.Fatalf("no sh block in %q", title)
	}
	block, _, _ = strings.Cut(block, "```")
	comment := regexp.MustCompile(`\s+#.*$`)
	var out []string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "confcal ") {
			out = append(out, comment.ReplaceAllString(line, ""))
		}
	}
	return out
}

// shellWords splits a command line as a shell does, for the quoting the
// README uses: single and double quotes, no escapes.
func shellWords(t *testing.T, line string) []string {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>$`\\", r):
			t.Fatalf("%s: the test runs plain commands, not shell", line)
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

func runExample(t *testing.T, dir, line string, args []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, testEnv(dir))
	if code != exitOK && code != exitReported {
		t.Errorf("%s\nexit %d:\n%s%s", line, code, stdout.String(), stderr.String())
	}
	return stdout.String() + stderr.String()
}

// lockedBuffer is a buffer the server writes to while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runServeExample starts serve on a free port, fetches its page and
// stops it; it returns the banner and the page.
func runServeExample(t *testing.T, dir string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr, testEnv(dir, "CONFCAL_SERVE_ADDR", "127.0.0.1:0"))
	}()
	exited := false
	defer func() {
		cancel()
		if code := <-done; !exited && code != exitOK {
			t.Errorf("serve: exit %d: %s", code, stderr.String())
		}
	}()
	banner := regexp.MustCompile(`serving (http://\S+)/`)
	var local string
	for deadline := time.Now().Add(20 * time.Second); local == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			exited = true
			done <- code
			t.Fatalf("serve stopped: exit %d: %s", code, stderr.String())
		default:
		}
		if m := banner.FindStringSubmatch(stdout.String()); m != nil {
			local = m[1]
		}
	}
	if local == "" {
		t.Fatalf("serve did not start: %s%s", stdout.String(), stderr.String())
	}
	resp, err := http.Get(local + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(bufio.NewReader(resp.Body))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: %s", resp.Status)
	}
	return stdout.String() + string(page)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcal/confcal/internal/pgtest"
	"github.com/confcal/confcal/store"
)

// feedPaths lists the feeds a server's manifest names.
func feedPaths(t *testing.T, base string) []string {
	t.Helper()
	_, _, body := get(t, base+"feeds.json")
	var m struct {
		Feeds []struct {
			Path string `json:"path"`
		} `json:"feeds"`
	}
	if err := json.Unmarshal(body, &m); err != nil || len(m.Feeds) == 0 {
		t.Fatalf("feeds.json: %v\n%s", err, body)
	}
	paths := []string{"agenda.ics?session=s0,s1"}
	for _, f := range m.Feeds {
		paths = append(paths, f.Path)
	}
	return paths
}

// TestServeReplicasAgree runs two confcal serve on one PostgreSQL
// database and the same programme file, and edits the file while both
// serve: once both have the edit, every feed has the same ETag and bytes
// on both, and the changed session's SEQUENCE rose once.
func TestServeReplicasAgree(t *testing.T) {
	pg := pgtest.Start(t)
	dsn := pg.NewDatabase()
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	os.WriteFile(prog, []byte(programmeVersion(1)), 0o644)
	a := startServe(t, "-p", prog, "--database", dsn)
	b := startServe(t, "-p", prog, "--database", dsn)
	edited := strings.Replace(programmeVersion(1), "title: v1 talk 0,", "title: v1 talk zero,", 1)
	if err := os.WriteFile(prog, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*server{a, b} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, _, body := get(t, s.url+"all.ics")
			if bytes.Contains(body, []byte("talk zero")) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the edit was not served:\n%s", s.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, path := range feedPaths(t, a.url) {
		codeA, hA, bodyA := get(t, a.url+path)
		codeB, hB, bodyB := get(t, b.url+path)
		if codeA != 200 || codeB != 200 || hA.Get("ETag") != hB.Get("ETag") || !bytes.Equal(bodyA, bodyB) {
			t.Errorf("%s: %d %s and %d %s, bytes equal %v", path, codeA, hA.Get("ETag"), codeB, hB.Get("ETag"), bytes.Equal(bodyA, bodyB))
		}
	}
	_, _, all := get(t, a.url+"all.ics")
	if n := bytes.Count(all, []byte("SEQUENCE:1\r\n")); n != 1 || bytes.Contains(all, []byte("SEQUENCE:2")) {
		t.Errorf("%d events at SEQUENCE 1 (want the one edited), or one at 2:\n%s", n, all)
	}
}

// confcalBinary returns the test binary under the name confcal, which
// TestMain runs as the command.
func confcalBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "confcal")
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// TestServeKilledWhileRecording kills confcal serve with SIGKILL at random
// moments while it records editions, twenty times: the database stays
// readable and every start serves one complete edition.
func TestServeKilledWhileRecording(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a server twenty times")
	}
	for name, database := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "confcal.db") },
		"postgres": func() string { return pgtest.Start(t).NewDatabase() },
	} {
		t.Run(name, func(t *testing.T) { killWhileRecording(t, database()) })
	}
}

func killWhileRecording(t *testing.T, database string) {
	bin := confcalBinary(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	version := 1
	os.WriteFile(prog, []byte(fixedVersion(version)), 0o644)
	rng := rand.New(rand.NewPCG(1, 2))
	serving := regexp.MustCompile(`serving (http://\S+/) `)
	for try := range 20 {
		cmd := exec.Command(bin, "serve", "-p", prog, "--database", database, "--addr", "127.0.0.1:0", "--no-access-log")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		url := ""
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
				break
			}
		}
		go io.Copy(io.Discard, stdout)
		if url == "" {
			cmd.Wait()
			t.Fatalf("try %d: the server did not start:\n%s", try, stderr.String())
		}
		_, _, body := get(t, url+"all.ics")
		if v, err := fixedCalendarVersion(body); err != nil || v != version {
			t.Fatalf("try %d: on start: v%d, %v (want v%d)", try, v, err, version)
		}
		// Edits in a burst, then the kill at a random moment among them.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				version++
				writeAtomically(t, prog, fixedVersion(version))
			}
		})
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		cmd.Process.Kill()
		close(stop)
		wg.Wait()
		cmd.Wait()
	}
	db, err := store.Open(context.Background(), database)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Version(context.Background(), "reload"); err != nil || v == 0 {
		t.Errorf("history version %d, %v: nothing was recorded", v, err)
	}
}

// fixedVersion is programmeVersion(n) with six sessions whatever n.
func fixedVersion(n int) string {
	p := programmeVersion(4)
	return versionMark.ReplaceAllString(p, fmt.Sprintf("v%d", n))
}

// fixedCalendarVersion checks body is one complete calendar of one
// version of fixedVersion, and returns it.
func fixedCalendarVersion(body []byte) (int, error) {
	return versionOf(body, func(int) int { return 6 })
}

func writeAtomically(t *testing.T, path, content string) {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Error(err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Error(err)
	}
}

// TestServeDatabaseRestart stops PostgreSQL under a serving confcal: no
// feed request fails, an edit made meanwhile is served once it is back.
func TestServeDatabaseRestart(t *testing.T) {
	pg := pgtest.Start(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	os.WriteFile(prog, []byte(programmeVersion(1)), 0o644)
	s := startServe(t, "-p", prog, "--database", pg.NewDatabase())
	pg.Stop()
	writeAtomically(t, prog, programmeVersion(2))
	for i := range 50 {
		resp, err := http.Get(s.url + "all.ics")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d with the database down: %v %v", i, err, resp)
		}
		resp.Body.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if _, _, body := get(t, s.url+"all.ics"); !bytes.Contains(body, []byte("v1 talk")) {
		t.Errorf("with the database down the server does not serve the last edition")
	}
	pg.Restart()
	waitVersion(t, s, 2, 20*time.Second, "the edit made while the database was down was not served")
	if !strings.Contains(s.stderr.String(), "trying again") {
		t.Errorf("the failed reload was not logged:\n%s", s.stderr)
	}
}

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/sync/google/googletest"
)

// TestServeAttendeeSyncSurvivesKill kills confcal serve with SIGKILL while
// the syncs of 200 subscriptions are queued: after a restart every
// attendee's calendar converges, with no duplicate event.
func TestServeAttendeeSyncSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("signs up 200 attendees")
	}
	fake := googletest.NewServer()
	defer fake.Close()
	fake.RequireAuth()
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	os.WriteFile(prog, []byte(attendProgramme), 0o644)
	secrets := filepath.Join(dir, "client.json")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	os.WriteFile(secrets, []byte(`{"web": {"client_id": "web-id", "client_secret": "web-secret", "redirect_uris": ["`+base+`/auth/google/callback"]}}`), 0o600)
	fake.AddClient(googletest.Client{ID: "web-id", Secret: "web-secret", Name: "Attend", RedirectURIs: []string{base + "/auth/google/callback"}})
	key := writeKeyFile(t)
	bin := confcalBinary(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "-p", prog, "--addr", addr, "--base-url", base, "--no-access-log",
			"--google-client-secrets", secrets, "--secret-key-file", key, "--attendee-rate", "1000", "--attendee-user-rate", "1000")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"),
			"CONFCAL_ATTEND_LEASE=3s", "CONFCAL_ATTEND_SIGNIN_RATE=1000")
		for k, v := range fakeGoogleEnv(fake) {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "serving ") {
				go io.Copy(io.Discard, out)
				return cmd
			}
		}
		cmd.Wait()
		t.Fatalf("confcal serve did not start:\n%s", stderr.String())
		return nil
	}
	srv := start()
	defer func() { srv.Process.Kill(); srv.Wait() }()

	request := regexp.MustCompile(`name="request" value="([^"]+)"`)
	const n = 200
	for i := range n {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar}
		resp, err := browser.Get(base + "/sync/google/start?session=a,b")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := request.FindSubmatch(page)
		if m == nil {
			t.Fatalf("sign-up %d: no consent page:\n%s", i, page)
		}
		resp, err = browser.PostForm(fake.URL()+"/o/oauth2/auth", url.Values{"request": {html.UnescapeString(string(m[1]))}, "decision": {"allow"}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("sign-up %d: %s", i, resp.Status)
		}
	}
	// Every calendar holds Alpha and Beta. Then Beta moves, and the
	// server is killed while the 200 syncs run slowly.
	fake.SetLatency(20 * time.Millisecond)
	writeAtomically(t, prog, strings.Replace(attendProgramme, "title: Beta, start: 2025-03-10T10:00, end: 2025-03-10T11:00",
		"title: Beta, start: 2025-03-10T15:00, end: 2025-03-10T16:00", 1))
	time.Sleep(800 * time.Millisecond)
	srv.Process.Kill()
	srv.Wait()
	fake.SetLatency(0)
	moved, stale := state(fake)
	t.Logf("at the kill: %d calendars up to date, %d not", moved, stale)
	if stale == 0 {
		t.Log("every sync had finished before the kill: the restart has nothing to do")
	}
	srv = start()
	deadline := time.Now().Add(60 * time.Second)
	for {
		moved, stale = state(fake)
		if moved == n && stale == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d calendars up to date, %d not", moved, stale)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, cal := range fake.Calendars() {
		if cal == googletest.Primary {
			continue
		}
		if got := summaries(fake, cal); got != "Alpha 09:00, Beta 15:00" {
			t.Errorf("calendar %s holds %s", cal, got)
		}
	}
}

// state counts the attendees' calendars that show Beta moved, and those
// that do not yet.
func state(fake *googletest.Server) (moved, stale int) {
	for _, cal := range fake.Calendars() {
		if cal == googletest.Primary {
			continue
		}
		if summaries(fake, cal) == "Alpha 09:00, Beta 15:00" {
			moved++
		} else {
			stale++
		}
	}
	return moved, stale
}

// summaries lists a calendar's live events, each title once per copy.
func summaries(fake *googletest.Server, cal string) string {
	var out []string
	for _, ev := range fake.Events(cal) {
		if ev.Status != "cancelled" {
			out = append(out, fmt.Sprintf("%s %s", ev.Summary, ev.Start.DateTime[11:16]))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

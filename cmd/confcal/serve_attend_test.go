package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/sync/google/googletest"
)

// attendProgramme is a small programme for the attendee sync.
const attendProgramme = `id: att
name: Attend
timezone: Europe/Paris
sessions:
  - {id: a, title: Alpha, start: 2025-03-10T09:00, end: 2025-03-10T10:00}
  - {id: b, title: Beta, start: 2025-03-10T10:00, end: 2025-03-10T11:00}
  - {id: c, title: Gamma, start: 2025-03-10T11:00, end: 2025-03-10T12:00}
`

// fakeGoogleEnv points confcal at the fake's authorization server and
// Calendar API.
func fakeGoogleEnv(fake *googletest.Server) map[string]string {
	return map[string]string{
		"CONFCAL_GOOGLE_AUTH_URL": fake.AuthURL(), "CONFCAL_GOOGLE_TOKEN_URL": fake.TokenURL(),
		"CONFCAL_GOOGLE_REVOKE_URL": fake.RevokeURL(), "CONFCAL_GOOGLE_ENDPOINT": fake.Endpoint(),
	}
}

func writeKeyFile(t *testing.T) string {
	raw := make([]byte, 32)
	rand.Read(raw)
	path := filepath.Join(t.TempDir(), "confcal.key")
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(raw)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeAttendeeSync runs confcal serve with the attendee sync against
// the fake Google: the page offers the button, a sign-up fills the
// attendee's calendar, and an edit of the programme file reaches it.
func TestServeAttendeeSync(t *testing.T) {
	fake := googletest.NewServer()
	defer fake.Close()
	fake.RequireAuth()
	dir := t.TempDir()
	prog := filepath.Join(dir, "programme.yaml")
	if err := os.WriteFile(prog, []byte(attendProgramme), 0o644); err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(dir, "client.json")
	os.WriteFile(secrets, []byte(`{"web": {"client_id": "web-id", "client_secret": "web-secret", "redirect_uris": []}}`), 0o600)
	env := fakeGoogleEnv(fake)
	env["XDG_STATE_HOME"] = filepath.Join(dir, "state")
	srv := startServeEnv(t, env, "-p", prog, "--google-client-secrets", secrets, "--secret-key-file", writeKeyFile(t))
	m := regexp.MustCompile(`redirect URI for this server is (\S+)`).FindStringSubmatch(srv.stdout.String())
	if m == nil {
		t.Fatalf("no redirect URI printed:\n%s", srv.stdout)
	}
	if !strings.Contains(srv.stderr.String(), "does not list this server's redirect URI") {
		t.Errorf("no warning about the unregistered redirect URI:\n%s", srv.stderr)
	}
	fake.AddClient(googletest.Client{ID: "web-id", Secret: "web-secret", Name: "Attend", RedirectURIs: []string{m[1]}})

	_, _, page := get(t, srv.url)
	if !strings.Contains(string(page), `href="sync/google/start?feed=all.ics"`) {
		t.Fatalf("the page has no sync button")
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	read := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", resp.Request.URL, resp.StatusCode, b)
		}
		return string(b)
	}
	consent := read(browser.Get(srv.url + "sync/google/start?session=a,b"))
	req := regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(consent)
	if req == nil {
		t.Fatalf("not the consent page:\n%s", consent)
	}
	result := read(browser.PostForm(fake.URL()+"/o/oauth2/auth", url.Values{"request": {html.UnescapeString(req[1])}, "decision": {"allow"}}))
	if !strings.Contains(result, "Alpha") || !strings.Contains(result, "Beta") {
		t.Fatalf("result page:\n%s", result)
	}
	summaries := func() []string {
		var out []string
		for _, cal := range fake.Calendars() {
			for _, ev := range fake.Events(cal) {
				if ev.Status != "cancelled" {
					out = append(out, ev.Summary+" "+ev.Start.DateTime)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	want := []string{"Alpha 2025-03-10T09:00:00+01:00", "Beta 2025-03-10T10:00:00+01:00"}
	if got := summaries(); !slices.Equal(got, want) {
		t.Fatalf("the attendee's calendar: %q, want %q", got, want)
	}
	edited := strings.Replace(attendProgramme, "title: Beta, start: 2025-03-10T10:00, end: 2025-03-10T11:00",
		"title: Beta, start: 2025-03-10T15:00, end: 2025-03-10T16:00", 1)
	if err := os.WriteFile(prog, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	want = []string{"Alpha 2025-03-10T09:00:00+01:00", "Beta 2025-03-10T15:00:00+01:00"}
	deadline := time.Now().Add(15 * time.Second)
	for !slices.Equal(summaries(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the edit did not reach the calendar: %q\n%s", summaries(), srv.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without a key file the attendee sync refuses to start, and says how to
// make one.
func TestServeAttendeeSyncNeedsAKey(t *testing.T) {
	secrets := filepath.Join(t.TempDir(), "client.json")
	os.WriteFile(secrets, []byte(`{"web": {"client_id": "web-id", "client_secret": "s", "redirect_uris": []}}`), 0o600)
	var out, errb strings.Builder
	env := func(k string) (string, bool) {
		if k == "HOME" {
			return t.TempDir(), true
		}
		return "", false
	}
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--google-client-secrets", secrets}, strings.NewReader(""), &out, &errb, env)
	if code == 0 || !strings.Contains(errb.String(), "--secret-key-file") || !strings.Contains(errb.String(), "head -c 32 /dev/urandom") {
		t.Errorf("exit %d:\n%s", code, errb.String())
	}
}

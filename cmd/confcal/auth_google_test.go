package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/confcal/confcal/sync/google/googletest"
)

// consentOnFake plays the user's browser for 'auth google --no-browser':
// when the sign-in address appears on stderr it opens it on the fake,
// presses Allow and follows the redirect to confcal's loopback address.
type consentOnFake struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
	done chan string
}

var signInURL = regexp.MustCompile(`http://\S+/o/oauth2/auth\?\S+`)

func (b *consentOnFake) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if u := signInURL.FindString(b.buf.String()); u != "" {
		b.once.Do(func() { go func() { b.done <- pressAllow(u) }() })
	}
	return len(p), nil
}

func pressAllow(authURL string) string {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return err.Error()
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="request" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		return "no consent form: " + resp.Status
	}
	u, _ := url.Parse(authURL)
	resp, err = client.PostForm(u.Scheme+"://"+u.Host+u.Path, url.Values{"request": {string(m[1])}, "decision": {"allow"}})
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	if resp, err = client.Get(resp.Header.Get("Location")); err != nil {
		return err.Error()
	}
	resp.Body.Close()
	return resp.Status
}

// TestAuthGoogleAgainstTheFake signs in with 'confcal auth google' on the
// fake's authorization server (CONFCAL_GOOGLE_AUTH_URL and _TOKEN_URL),
// syncs with the saved token into the fake in auth mode, and revokes
// (CONFCAL_GOOGLE_REVOKE_URL).
func TestAuthGoogleAgainstTheFake(t *testing.T) {
	srv := googletest.NewServer()
	defer srv.Close()
	srv.AddClient(googletest.Client{ID: "desk.apps.googleusercontent.com", Secret: "dsecret", Desktop: true})
	srv.RequireAuth()
	srv.SetUser("ada@example.org")
	root := repoRoot(t)
	dir := t.TempDir()
	t.Chdir(dir)
	client := filepath.Join(dir, "client.json")
	os.WriteFile(client, []byte(`{"installed":{"client_id":"desk.apps.googleusercontent.com","client_secret":"dsecret","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","redirect_uris":["http://localhost"]}}`), 0o600)
	prog, _ := os.ReadFile(filepath.Join(root, "examples", "minimal", "programme.yaml"))
	os.WriteFile(filepath.Join(dir, "programme.yaml"), prog, 0o600)
	env := testEnv(dir, "CONFCAL_GOOGLE_AUTH_URL", srv.AuthURL(), "CONFCAL_GOOGLE_TOKEN_URL", srv.TokenURL(),
		"CONFCAL_GOOGLE_REVOKE_URL", srv.RevokeURL(), "CONFCAL_GOOGLE_ENDPOINT", srv.Endpoint())
	confcal := func(stderr io.Writer, args ...string) (int, string) {
		var stdout bytes.Buffer
		if stderr == nil {
			stderr = &bytes.Buffer{}
		}
		code := run(context.Background(), args, strings.NewReader(""), &stdout, stderr, env)
		if code != 0 {
			t.Logf("confcal %s: stderr %s", strings.Join(args, " "), stderr)
		}
		return code, stdout.String()
	}

	browser := &consentOnFake{done: make(chan string, 1)}
	code, out := confcal(browser, "auth", "google", "--client-secrets", client, "--no-browser")
	if code != 0 || !strings.Contains(out, "Signed in as ada@example.org") {
		t.Fatalf("auth google: %d %q (browser: %s)", code, out, <-browser.done)
	}
	if st := <-browser.done; st != "200 OK" {
		t.Fatalf("callback answered %s", st)
	}
	if code, out := confcal(nil, "auth", "google", "--status"); code != 0 || !strings.Contains(out, "account:   ada@example.org") {
		t.Fatalf("status: %d %q", code, out)
	}
	if code, out := confcal(nil, "sync", "google", "-p", "programme.yaml", "--all"); code != 0 || !strings.Contains(out, "Applied: 1 done.") {
		t.Fatalf("sync: %d %q", code, out)
	}
	cals := srv.Calendars()
	if len(cals) != 1 {
		t.Fatalf("calendars %v", cals)
	}
	if user, app, _ := srv.CalendarOwner(cals[0]); user != "ada@example.org" || app != "desk.apps.googleusercontent.com" {
		t.Fatalf("calendar of %q by %q", user, app)
	}
	if code, _ := confcal(nil, "auth", "google", "--revoke"); code != 0 {
		t.Fatal("revoke failed")
	}
	if n := srv.LiveRefreshTokens("ada@example.org"); n != 0 || srv.TokenRequests()["revoke"] != 1 {
		t.Fatalf("after --revoke: %d live refresh tokens, %d revocations", n, srv.TokenRequests()["revoke"])
	}
}

// repoRoot is the module's root, two levels above this package.
func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

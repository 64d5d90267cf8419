package google_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/sync/calendartest"
	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestAuthServerFromEnv(t *testing.T) {
	a, err := google.AuthServerFromEnv(envOf(nil))
	if err != nil || a != google.DefaultAuthServer || a.AuthURL != "https://accounts.google.com/o/oauth2/auth" ||
		a.TokenURL != "https://oauth2.googleapis.com/token" || a.RevokeURL != "https://oauth2.googleapis.com/revoke" {
		t.Fatalf("defaults: %+v %v", a, err)
	}
	a, err = google.AuthServerFromEnv(envOf(map[string]string{"CONFCAL_GOOGLE_TOKEN_URL": "http://127.0.0.1:9/token"}))
	if err != nil || a.TokenURL != "http://127.0.0.1:9/token" || a.AuthURL != google.GoogleAuthURL || a.RevokeURL != google.GoogleRevokeURL {
		t.Fatalf("one override: %+v %v", a, err)
	}
	if ep := a.Endpoint(); ep.TokenURL != a.TokenURL || ep.AuthURL != a.AuthURL {
		t.Fatalf("endpoint %+v", ep)
	}
	for _, bad := range []string{"127.0.0.1:9/auth", "ftp://x/auth", "http:///auth", "::"} {
		_, err := google.AuthServerFromEnv(envOf(map[string]string{"CONFCAL_GOOGLE_AUTH_URL": bad}))
		if err == nil || !strings.Contains(err.Error(), "CONFCAL_GOOGLE_AUTH_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestLoadWebClientSecrets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	web := write("web.json", `{"web":{"client_id":"wid.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"wsecret","redirect_uris":["https://conf.example/auth/google/callback"],"javascript_origins":["https://conf.example"]}}`)
	c, err := google.LoadWebClientSecrets(web)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "wid.apps.googleusercontent.com" || c.Secret != "wsecret" || !c.HasRedirect("https://conf.example/auth/google/callback") || c.HasRedirect("https://conf.example/auth/google/callback/") {
		t.Fatalf("client %+v", c)
	}
	cfg := c.Config(google.DefaultAuthServer, "https://conf.example/auth/google/callback", google.ScopeAppCreated)
	if cfg.ClientID != c.ID || cfg.Endpoint.TokenURL != google.GoogleTokenURL || cfg.RedirectURL == "" || cfg.Scopes[0] != google.ScopeAppCreated {
		t.Fatalf("config %+v", cfg)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"desktop.json", `{"installed":{"client_id":"x","client_secret":"y"}}`, `"Desktop app" client`},
		{"junk.json", `not json`, "is not an OAuth client file"},
		{"other.json", `{"type":"service_account"}`, `no "web" object`},
		{"half.json", `{"web":{"client_id":"x"}}`, "lacks client_id or client_secret"},
	} {
		_, err := google.LoadWebClientSecrets(write(tc.name, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"Web application"`) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := google.LoadWebClientSecrets(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestRevokeAgainstTheFake(t *testing.T) {
	srv := googletest.NewServer()
	t.Cleanup(srv.Close)
	a := google.AuthServer{RevokeURL: srv.RevokeURL()}
	ctx := context.Background()
	// An unknown token is revoked already: no error.
	if err := a.Revoke(ctx, nil, "1//unknown"); err != nil {
		t.Fatalf("unknown token: %v", err)
	}
	if err := a.Revoke(ctx, nil, ""); err == nil {
		t.Fatal("an empty token revoked")
	}
	broken := httpServer(t, http.StatusInternalServerError, `{"error":"server_error"}`)
	err := google.AuthServer{RevokeURL: broken + "/revoke"}.Revoke(ctx, nil, "1//secret-token")
	if err == nil || !strings.Contains(err.Error(), "500") || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("server error: %v", err)
	}
}

func httpServer(t *testing.T, status int, body string) string {
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return "http://" + ln.Addr().String()
}

var requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)

// consentBrowser plays the user on the fake's consent page: it waits for
// the sign-in URL, presses Allow and follows the redirect to confcal.
type consentBrowser struct {
	browser
}

func (b *consentBrowser) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if u := regexp.MustCompile(`http://\S+/o/oauth2/auth\?\S+`).FindString(b.buf.String()); u != "" {
		b.once.Do(func() { go func() { b.done <- allow(u) }() })
	}
	return len(p), nil
}

func allow(authURL string) string {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return err.Error()
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := requestField.FindSubmatch(page)
	if m == nil {
		return fmt.Sprintf("consent page %s: %s", resp.Status, page)
	}
	u, _ := url.Parse(authURL)
	resp, err = client.PostForm(u.Scheme+"://"+u.Host+u.Path, url.Values{"request": {string(m[1])}, "decision": {"allow"}})
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	resp, err = client.Get(resp.Header.Get("Location"))
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	return resp.Status
}

// Login signs in against the fake's authorization server, and the saved
// token then syncs into the fake in auth mode, refreshing when it expires.
func TestLoginAgainstTheFake(t *testing.T) {
	srv := googletest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddClient(googletest.Client{ID: "desk", Secret: "dsecret", Desktop: true})
	srv.RequireAuth()
	srv.SetUser("ada@example.org")
	client := filepath.Join(t.TempDir(), "client.json")
	os.WriteFile(client, []byte(`{"installed":{"client_id":"desk","client_secret":"dsecret","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","redirect_uris":["http://localhost"]}}`), 0o600)
	server, err := google.AuthServerFromEnv(envOf(map[string]string{"CONFCAL_GOOGLE_AUTH_URL": srv.AuthURL(),
		"CONFCAL_GOOGLE_TOKEN_URL": srv.TokenURL(), "CONFCAL_GOOGLE_REVOKE_URL": srv.RevokeURL()}))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := google.LoadClientSecrets(client, google.Scopes(false))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = server.Endpoint()
	b := &consentBrowser{browser{done: make(chan string, 1)}}
	tok, err := google.Login(context.Background(), google.LoginOptions{Config: cfg, Out: b, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("login: %v (browser: %s)", err, <-b.done)
	}
	if st := <-b.done; st != "200 OK" {
		t.Fatalf("callback answered %s", st)
	}
	if tok.Account != "ada@example.org" || tok.Token.RefreshToken == "" || tok.TokenURL != srv.TokenURL() {
		t.Fatalf("token of %q, refresh %t, token URL %s", tok.Account, tok.Token.RefreshToken != "", tok.TokenURL)
	}
	file := &google.TokenFile{Path: filepath.Join(t.TempDir(), "t.json")}
	tok.Token.Expiry = time.Now().Add(-time.Minute)
	file.Save(tok)
	opts, err := google.ClientOptions(context.Background(), google.AuthOptions{Endpoint: srv.Endpoint(), Token: file})
	if err != nil {
		t.Fatal(err)
	}
	c, err := google.New(context.Background(), google.Options{Client: opts, Create: &google.NewCalendar{Summary: "Summit", TimeZone: "UTC"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Insert(context.Background(), calendartest.Item(1, "Keynote")); err != nil {
		t.Fatal(err)
	}
	if user, app, _ := srv.CalendarOwner(c.ID()); user != "ada@example.org" || app != "desk" {
		t.Fatalf("calendar of %q by %q", user, app)
	}
	if n := srv.TokenRequests()["refresh_token"]; n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	if err := google.Revoke(context.Background(), nil, server, tok); err != nil {
		t.Fatal(err)
	}
	if n := srv.LiveRefreshTokens("ada@example.org"); n != 0 {
		t.Fatalf("%d refresh tokens live after revoke", n)
	}
}

package google_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcal/confcal/sync/google"
)

// authServer is a fake Google authorisation and token server.
type authServer struct {
	*httptest.Server
	mu         sync.Mutex
	challenges map[string]string // code -> PKCE challenge
	refreshes  int
	revoked    []string
}

func newAuthServer(t *testing.T) *authServer {
	a := &authServer{challenges: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for k, want := range map[string]string{"client_id": "cid.apps.googleusercontent.com", "response_type": "code",
			"code_challenge_method": "S256", "access_type": "offline", "prompt": "consent"} {
			if q.Get(k) != want {
				http.Error(w, "bad "+k+": "+q.Get(k), http.StatusBadRequest)
				return
			}
		}
		if !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") || q.Get("state") == "" || q.Get("code_challenge") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if !strings.Contains(q.Get("scope"), google.ScopeAppCreated) {
			http.Error(w, "bad scope", http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		code := fmt.Sprintf("code%d", len(a.challenges))
		a.challenges[code] = q.Get("code_challenge")
		a.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
		}
		if id != "cid.apps.googleusercontent.com" || secret != "s3cret-client" {
			jsonError(w, "invalid_client")
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		switch r.Form.Get("grant_type") {
		case "authorization_code":
			challenge, ok := a.challenges[r.Form.Get("code")]
			sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
			if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
				jsonError(w, "invalid_grant")
				return
			}
			delete(a.challenges, r.Form.Get("code"))
			w.Header().Set("Content-Type", "application/json")
			claims := base64.RawURLEncoding.EncodeToString([]byte(`{"email":"ada@example.org"}`))
			json.NewEncoder(w).Encode(map[string]any{"access_token": "access-1", "refresh_token": "refresh-1",
				"token_type": "Bearer", "expires_in": 3600, "id_token": "x." + claims + ".y",
				"scope": google.ScopeAppCreated + " openid email"})
		case "refresh_token":
			if r.Form.Get("refresh_token") != "refresh-1" {
				jsonError(w, "invalid_grant")
				return
			}
			a.refreshes++
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", a.refreshes+1),
				"token_type": "Bearer", "expires_in": 3600})
		default:
			jsonError(w, "unsupported_grant_type")
		}
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		a.mu.Lock()
		a.revoked = append(a.revoked, r.Form.Get("token"))
		a.mu.Unlock()
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func jsonError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":%q}`, code)
}

func (a *authServer) clientFile(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "client.json")
	body := fmt.Sprintf(`{"installed":{"client_id":"cid.apps.googleusercontent.com","project_id":"p","auth_uri":"%s/auth","token_uri":"%s/token","client_secret":"s3cret-client","redirect_uris":["http://localhost"]}}`, a.URL, a.URL)
	os.WriteFile(f, []byte(body), 0o600)
	return f
}

// browser plays the user's browser: it waits for the sign-in URL to be
// printed and follows it, through the consent page's redirect, to confcal's
// loopback address; tamper may change the redirect first.
type browser struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	once   sync.Once
	tamper func(*url.URL)
	done   chan string
}

var urlPattern = regexp.MustCompile(`https?://\S+/auth\?\S+`)

func (b *browser) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if u := urlPattern.FindString(b.buf.String()); u != "" {
		b.once.Do(func() { go b.visit(u) })
	}
	return len(p), nil
}

func (b *browser) visit(u string) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u)
	if err != nil {
		b.done <- err.Error()
		return
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		b.done <- fmt.Sprintf("consent page: %s", resp.Status)
		return
	}
	if b.tamper != nil {
		b.tamper(loc)
	}
	resp, err = client.Get(loc.String())
	if err != nil {
		b.done <- err.Error()
		return
	}
	resp.Body.Close()
	b.done <- resp.Status
}

func TestLoginPKCEAndRefresh(t *testing.T) {
	a := newAuthServer(t)
	cfg, err := google.LoadClientSecrets(a.clientFile(t), google.Scopes(false))
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{done: make(chan string, 1)}
	tok, err := google.Login(context.Background(), google.LoginOptions{Config: cfg, Out: b, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("login: %v (browser: %s)", err, <-b.done)
	}
	if st := <-b.done; st != "200 OK" {
		t.Fatalf("callback answered %s", st)
	}
	if tok.Account != "ada@example.org" || tok.Token.RefreshToken != "refresh-1" || !tok.HasScope(google.ScopeAppCreated) {
		t.Fatalf("token: account %q scopes %v", tok.Account, tok.Scopes)
	}
	if strings.Contains(b.buf.String(), "s3cret") {
		t.Fatal("the client secret was printed")
	}

	file := &google.TokenFile{Path: filepath.Join(t.TempDir(), "confcal", "google-token.json")}
	if err := file.Save(tok); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v", fi.Mode(), err)
	}

	// An expired token is refreshed, and the file rewritten, keeping the
	// refresh token the server did not send again.
	tok.Token.Expiry = time.Now().Add(-time.Minute)
	file.Save(tok)
	ts := file.TokenSource(context.Background(), tok)
	got, err := ts.Token()
	if err != nil || got.AccessToken != "access-2" {
		t.Fatalf("refresh: %v %v", got, err)
	}
	saved, err := file.Load()
	if err != nil || saved.Token.AccessToken != "access-2" || saved.Token.RefreshToken != "refresh-1" || saved.Account != "ada@example.org" {
		t.Fatalf("after refresh the file holds %+v, %v", saved, err)
	}
	if fi, _ := os.Stat(file.Path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("rewritten token file mode %v", fi.Mode())
	}
	// The valid token is reused without another refresh.
	ts.Token()
	if a.refreshes != 1 {
		t.Fatalf("%d refreshes", a.refreshes)
	}

	if err := google.Revoke(context.Background(), nil, google.AuthServer{RevokeURL: a.URL + "/revoke"}, saved); err != nil || len(a.revoked) != 1 || a.revoked[0] != "refresh-1" {
		t.Fatalf("revoke: %v %v", err, a.revoked)
	}
}

func TestLoginRejectsStateMismatch(t *testing.T) {
	a := newAuthServer(t)
	cfg, err := google.LoadClientSecrets(a.clientFile(t), google.Scopes(false))
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{done: make(chan string, 1), tamper: func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	}}
	_, err = google.Login(context.Background(), google.LoginOptions{Config: cfg, Out: b, Timeout: 10 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("login with a forged state: %v", err)
	}
	if st := <-b.done; st != "400 Bad Request" {
		t.Fatalf("forged callback answered %s", st)
	}
}

func TestRevokedTokenSaysHowToFix(t *testing.T) {
	a := newAuthServer(t)
	srv := newFakeAPI(t)
	file := &google.TokenFile{Path: filepath.Join(t.TempDir(), "t.json")}
	file.Save(&google.Token{Scopes: google.Scopes(false), ClientID: "cid.apps.googleusercontent.com", ClientSecret: "s3cret-client",
		TokenURL: a.URL + "/token", Token: tokenExpired("refresh-revoked")})
	opts, err := google.ClientOptions(context.Background(), google.AuthOptions{Endpoint: srv.Endpoint(), Token: file})
	if err != nil {
		t.Fatal(err)
	}
	c, err := google.New(context.Background(), google.Options{Client: opts, CalendarID: srv.AddCalendar("x", "UTC")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), testOwner)
	if err == nil || !strings.Contains(err.Error(), "confcal auth google") {
		t.Fatalf("revoked token: %v", err)
	}
	for _, secret := range []string{"refresh-revoked", "s3cret-client", "access-old"} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("the error shows a secret: %v", err)
		}
	}
}

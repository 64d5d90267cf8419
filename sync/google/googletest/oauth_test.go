package googletest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

const redirect = "https://confcal.example/auth/google/callback"

// authSetup starts a fake in auth mode with one web client and returns it
// with the client's configuration.
func authSetup(t *testing.T, scopes ...string) (*googletest.Server, *oauth2.Config) {
	t.Helper()
	srv := googletest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddClient(googletest.Client{ID: "web-1", Secret: "s3cret", Name: "confcal", RedirectURIs: []string{redirect}})
	srv.RequireAuth()
	if len(scopes) == 0 {
		scopes = []string{google.ScopeAppCreated}
	}
	cfg := &oauth2.Config{ClientID: "web-1", ClientSecret: "s3cret", RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: srv.AuthURL(), TokenURL: srv.TokenURL()}}
	return srv, cfg
}

// noRedirect is a client that stops at the first redirect, as the
// browser's answer is what the test looks at.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var requestID = regexp.MustCompile(`name="request" value="([^"]+)"`)

// consent opens authURL and presses the button (allow or deny); it
// returns the query of the redirect to the client.
func consent(t *testing.T, authURL, decision string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %s\n%s", resp.Status, page)
	}
	m := requestID.FindSubmatch(page)
	if m == nil || !strings.Contains(string(page), `id="allow"`) || !strings.Contains(string(page), `id="deny"`) {
		t.Fatalf("consent page without its form:\n%s", page)
	}
	u, _ := url.Parse(authURL)
	resp, err = noRedirect.PostForm(u.Scheme+"://"+u.Host+u.Path, url.Values{"request": {string(m[1])}, "decision": {decision}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent: %s", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirect+"?") {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

// signIn runs the whole flow and returns the token.
func signIn(t *testing.T, cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts = append(opts, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))
	q := consent(t, cfg.AuthCodeURL("state-1", opts...), "allow")
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("answer %v", q)
	}
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func service(t *testing.T, srv *googletest.Server, client *http.Client) *calendar.Service {
	t.Helper()
	svc, err := calendar.NewService(context.Background(), option.WithEndpoint(srv.Endpoint()), option.WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func errorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestCodeFlow(t *testing.T) {
	srv, cfg := authSetup(t, google.ScopeAppCreated, "openid", "email")
	srv.SetUser("ada@example.com")
	verifier := oauth2.GenerateVerifier()
	q := consent(t, cfg.AuthCodeURL("st", oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier)), "allow")
	ctx := context.Background()
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.Expiry.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("token %+v", tok)
	}
	if got := tok.Extra("scope"); got != google.ScopeAppCreated+" openid email" {
		t.Errorf("scope %v", got)
	}
	if id, _ := tok.Extra("id_token").(string); google.AccountFromIDToken(id) != "ada@example.com" {
		t.Errorf("id token names %q", google.AccountFromIDToken(id))
	}
	// The code is single-use.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
		t.Fatalf("replayed code: %v, want invalid_grant", err)
	}
	svc := service(t, srv, cfg.Client(ctx, tok))
	cal, err := svc.Calendars.Insert(&calendar.Calendar{Summary: "Summit", TimeZone: "Europe/Paris"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if user, client, _ := srv.CalendarOwner(cal.Id); user != "ada@example.com" || client != "web-1" {
		t.Errorf("calendar of %q by %q", user, client)
	}
	if _, err := svc.Events.Insert(cal.Id, event("abcde12345", nil)).Do(); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests()["authorization_code"]; n != 2 {
		t.Errorf("%d code exchanges counted, want 2", n)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	srv, cfg := authSetup(t)
	good := func() url.Values {
		u, _ := url.Parse(cfg.AuthCodeURL("st", oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		return u.Query()
	}
	for _, tc := range []struct {
		name   string
		edit   func(url.Values)
		status int
		error  string
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "nobody") }, 401, "invalid_client"},
		{"no redirect", func(q url.Values) { q.Del("redirect_uri") }, 400, "invalid_request"},
		{"unregistered redirect", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, 400, "redirect_uri_mismatch"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "token") }, 400, "unsupported_response_type"},
		{"no scope", func(q url.Values) { q.Del("scope") }, 400, "invalid_request"},
		{"unknown scope", func(q url.Values) { q.Set("scope", "https://www.googleapis.com/auth/drive") }, 400, "invalid_scope"},
		{"no state", func(q url.Values) { q.Del("state") }, 400, "invalid_request"},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, 400, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 400, "invalid_request"},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", "abc") }, 400, "invalid_request"},
		{"bad access_type", func(q url.Values) { q.Set("access_type", "forever") }, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := good()
			tc.edit(q)
			resp, err := noRedirect.Get(srv.AuthURL() + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), `<span id="error">`+tc.error+`</span>`) {
				t.Fatalf("%s\n%s", resp.Status, body)
			}
			if strings.Contains(string(body), `id="allow"`) {
				t.Fatal("a refused request shows the consent form")
			}
		})
	}
}

func TestDeny(t *testing.T) {
	_, cfg := authSetup(t)
	q := consent(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "deny")
	if q.Get("error") != "access_denied" || q.Get("state") != "st" || q.Has("code") {
		t.Fatalf("answer %v", q)
	}
}

func TestTokenRefusals(t *testing.T) {
	srv, cfg := authSetup(t)
	srv.AddClient(googletest.Client{ID: "web-2", Secret: "other", RedirectURIs: []string{redirect}})
	ctx := context.Background()
	now := time.Now()
	srv.SetClock(func() time.Time { return now })
	code := func() (string, string) {
		v := oauth2.GenerateVerifier()
		return consent(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), "allow").Get("code"), v
	}
	c, v := code()
	bad := *cfg
	bad.ClientSecret = "wrong"
	if _, err := bad.Exchange(ctx, c, oauth2.VerifierOption(v)); errorCode(err) != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
	other := *cfg
	other.ClientID, other.ClientSecret = "web-2", "other"
	if _, err := other.Exchange(ctx, c, oauth2.VerifierOption(v)); errorCode(err) != "invalid_grant" {
		t.Errorf("another client's code: %v", err)
	}
	moved := *cfg
	moved.RedirectURL = "https://confcal.example/elsewhere"
	if _, err := moved.Exchange(ctx, c, oauth2.VerifierOption(v)); errorCode(err) != "redirect_uri_mismatch" {
		t.Errorf("other redirect: %v", err)
	}
	if _, err := cfg.Exchange(ctx, c); errorCode(err) != "invalid_grant" {
		t.Errorf("no verifier: %v", err)
	}
	if _, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(oauth2.GenerateVerifier())); errorCode(err) != "invalid_grant" {
		t.Errorf("wrong verifier: %v", err)
	}
	if _, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(v)); err != nil {
		t.Errorf("the right exchange after refused ones: %v", err)
	}
	c, v = code()
	now = now.Add(11 * time.Minute)
	if _, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(v)); errorCode(err) != "invalid_grant" {
		t.Errorf("expired code: %v", err)
	}
	resp, err := http.PostForm(srv.TokenURL(), url.Values{"grant_type": {"password"}, "client_id": {"web-1"}, "client_secret": {"s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"error":"unsupported_grant_type"`) {
		t.Errorf("password grant: %s %s", resp.Status, body)
	}
}

// Both ways of sending the client's credentials work, as at Google.
func TestClientAuthStyles(t *testing.T) {
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		_, cfg := authSetup(t)
		cfg.Endpoint.AuthStyle = style
		if tok := signIn(t, cfg); tok.AccessToken == "" {
			t.Errorf("style %d: no token", style)
		}
	}
}

func TestRefreshAndRevoke(t *testing.T) {
	srv, cfg := authSetup(t)
	srv.SetAccessTokenLifetime(5 * time.Second) // expired at once for x/oauth2
	ctx := context.Background()
	tok := signIn(t, cfg)
	ts := cfg.TokenSource(ctx, tok)
	first, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if first.AccessToken == tok.AccessToken || first.RefreshToken != tok.RefreshToken {
		t.Fatalf("refresh gave %+v", first)
	}
	svc := service(t, srv, oauth2.NewClient(ctx, ts))
	if _, err := svc.CalendarList.List().Do(); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests()["refresh_token"]; n < 2 {
		t.Fatalf("%d refreshes, want one per token use", n)
	}
	post := func(token string) (int, string) {
		resp, err := http.PostForm(srv.RevokeURL(), url.Values{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := post(tok.RefreshToken); code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, body := post(tok.RefreshToken); code != 400 || !strings.Contains(body, `"error":"invalid_token"`) {
		t.Fatalf("revoke again: %d %s", code, body)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); errorCode(err) != "invalid_grant" {
		t.Fatalf("refresh after revoke: %v", err)
	}
	// The access tokens of the grant went with it.
	stale := service(t, srv, cfg.Client(ctx, &oauth2.Token{AccessToken: first.AccessToken, Expiry: time.Now().Add(time.Hour)}))
	if c, r := code(func() error { _, err := stale.CalendarList.List().Do(); return err }()); c != 401 || r != "authError" {
		t.Fatalf("revoked access token: %d %s", c, r)
	}
	if n := srv.TokenRequests()["revoke"]; n != 2 {
		t.Errorf("%d revocations counted", n)
	}
}

func TestUserRevokesAndTokensExpire(t *testing.T) {
	srv, cfg := authSetup(t)
	srv.SetUser("ada@example.com")
	ctx := context.Background()
	tok := signIn(t, cfg)
	fixed := service(t, srv, cfg.Client(ctx, &oauth2.Token{AccessToken: tok.AccessToken, Expiry: time.Now().Add(time.Hour)}))
	srv.ExpireAccessTokens()
	if c, _ := code(func() error { _, err := fixed.CalendarList.List().Do(); return err }()); c != 401 {
		t.Fatalf("expired access token: %d", c)
	}
	fresh, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service(t, srv, cfg.Client(ctx, fresh)).CalendarList.List().Do(); err != nil {
		t.Fatalf("refreshed token: %v", err)
	}
	if n := srv.RevokeUser("ada@example.com"); n == 0 {
		t.Fatal("nothing revoked")
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); errorCode(err) != "invalid_grant" {
		t.Fatalf("refresh after the user removed access: %v", err)
	}
	if c, _ := code(func() error { _, err := service(t, srv, cfg.Client(ctx, fresh)).CalendarList.List().Do(); return err }()); c != 401 {
		t.Fatalf("access token after the user removed access: %d", c)
	}
}

// Google hands out a refresh token at the first offline consent only, or
// again when asked with prompt=consent.
func TestRefreshTokenAtFirstConsent(t *testing.T) {
	srv, cfg := authSetup(t)
	if tok := signIn(t, cfg); tok.RefreshToken == "" {
		t.Fatal("no refresh token at the first consent")
	}
	if tok := signIn(t, cfg); tok.RefreshToken != "" {
		t.Fatal("a refresh token at the second consent")
	}
	if tok := signIn(t, cfg, oauth2.ApprovalForce); tok.RefreshToken == "" {
		t.Fatal("no refresh token with prompt=consent")
	}
	if n := srv.LiveRefreshTokens(googletest.Primary); n != 2 {
		t.Fatalf("%d live refresh tokens, want 2", n)
	}
	// A login_hint picks the account.
	if tok := signIn(t, cfg, oauth2.SetAuthURLParam("login_hint", "bob@example.com")); tok.RefreshToken == "" {
		t.Fatal("no refresh token for another user")
	}
	if n := srv.LiveRefreshTokens("bob@example.com"); n != 1 {
		t.Fatalf("bob has %d refresh tokens", n)
	}
}

func TestAppCreatedScope(t *testing.T) {
	srv, cfg := authSetup(t)
	srv.AddClient(googletest.Client{ID: "web-2", Secret: "other", RedirectURIs: []string{redirect}})
	ctx := context.Background()
	mine := srv.AddCalendarFor(googletest.Primary, "Family", "UTC")
	svc := service(t, srv, cfg.Client(ctx, signIn(t, cfg)))
	created, err := svc.Calendars.Insert(&calendar.Calendar{Summary: "Summit"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	other := *cfg
	other.ClientID, other.ClientSecret = "web-2", "other"
	svc2 := service(t, srv, other.Client(ctx, signIn(t, &other)))
	theirs, err := svc2.Calendars.Insert(&calendar.Calendar{Summary: "Other app"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"primary", googletest.Primary, mine, theirs.Id} {
		if c, _ := code(func() error { _, err := svc.Events.List(id).Do(); return err }()); c != 404 {
			t.Errorf("events of %s: %d, want 404", id, c)
		}
		if c, _ := code(func() error { _, err := svc.Calendars.Get(id).Do(); return err }()); c != 404 {
			t.Errorf("calendar %s: %d, want 404", id, c)
		}
	}
	list, err := svc.CalendarList.List().Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Id != created.Id {
		t.Fatalf("calendarList shows %d calendars", len(list.Items))
	}
	if err := svc.Calendars.Delete(created.Id).Do(); err != nil {
		t.Fatal(err)
	}
	// Another user does not see the calendars of the first.
	bob := service(t, srv, cfg.Client(ctx, signIn(t, cfg, oauth2.SetAuthURLParam("login_hint", "bob@example.com"))))
	if c, _ := code(func() error { _, err := bob.Calendars.Get(theirs.Id).Do(); return err }()); c != 404 {
		t.Errorf("another user's calendar: %d", c)
	}
}

func TestScopesAndCredentials(t *testing.T) {
	srv, cfg := authSetup(t, google.ScopeEvents)
	ctx := context.Background()
	svc := service(t, srv, cfg.Client(ctx, signIn(t, cfg)))
	if c, r := code(func() error { _, err := svc.Calendars.Insert(&calendar.Calendar{Summary: "x"}).Do(); return err }()); c != 403 || r != "insufficientPermissions" {
		t.Errorf("calendars.insert with calendar.events: %d %s", c, r)
	}
	if _, err := svc.Events.Insert("primary", event("abcde12345", nil)).Do(); err != nil {
		t.Errorf("events.insert on primary with calendar.events: %v", err)
	}
	anon := service(t, srv, http.DefaultClient)
	if c, r := code(func() error { _, err := anon.Events.List("primary").Do(); return err }()); c != 401 || r != "required" {
		t.Errorf("no token: %d %s", c, r)
	}
	forged := service(t, srv, cfg.Client(ctx, &oauth2.Token{AccessToken: "ya29.forged", Expiry: time.Now().Add(time.Hour)}))
	if c, r := code(func() error { _, err := forged.Events.List("primary").Do(); return err }()); c != 401 || r != "authError" {
		t.Errorf("forged token: %d %s", c, r)
	}
	if got := srv.OpCounts()["events.list"]; got != 2 {
		t.Errorf("refused requests logged: %d", got)
	}
}

func TestTokenEndpointFaults(t *testing.T) {
	srv, cfg := authSetup(t)
	tok := signIn(t, cfg)
	srv.Inject(googletest.Fault{Op: "oauth.token", Kind: googletest.ServiceUnavailable})
	srv.Inject(googletest.Fault{Kind: googletest.ServerError, Times: -1}) // API faults leave the token endpoint alone
	refresh := func() error {
		_, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		return err
	}
	var re *oauth2.RetrieveError
	if err := refresh(); !errors.As(err, &re) || re.Response.StatusCode != 503 || re.ErrorCode != "server_error" {
		t.Fatalf("injected 503: %v", err)
	}
	if err := refresh(); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	srv.Inject(googletest.Fault{Op: "oauth.revoke", Kind: googletest.TooManyRequests})
	err := google.AuthServer{RevokeURL: srv.RevokeURL()}.Revoke(context.Background(), nil, tok.RefreshToken)
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("injected 429 on revoke: %v", err)
	}
	if n := srv.LiveRefreshTokens(googletest.Primary); n != 1 {
		t.Fatalf("a failed revoke revoked (%d live)", n)
	}
}

func TestGrant(t *testing.T) {
	srv, cfg := authSetup(t)
	if _, err := srv.Grant("nobody", "ada@example.org", google.ScopeAppCreated); err == nil {
		t.Error("a grant to an unknown client")
	}
	if _, err := srv.Grant("web-1", "ada@example.org", "https://www.googleapis.com/auth/drive"); err == nil {
		t.Error("a grant of an unknown scope")
	}
	tok, err := srv.Grant("web-1", "ada@example.org", google.ScopeAppCreated)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cal, err := service(t, srv, cfg.Client(ctx, tok)).Calendars.Insert(&calendar.Calendar{Summary: "x"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if user, _, _ := srv.CalendarOwner(cal.Id); user != "ada@example.org" || tok.Extra("scope") != google.ScopeAppCreated {
		t.Fatalf("calendar of %q, scope %v", user, tok.Extra("scope"))
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh a granted token: %v", err)
	}
}

// Tokens, clients and auth mode outlive the process through Save and
// Load, as calendars do.
func TestSaveLoadKeepsTheAuthorizationServer(t *testing.T) {
	srv, cfg := authSetup(t)
	srv.SetUser("ada@example.org")
	tok := signIn(t, cfg)
	revoked := signIn(t, cfg, oauth2.ApprovalForce, oauth2.SetAuthURLParam("login_hint", "bob@example.com"))
	srv.RevokeUser("bob@example.com")
	file := t.TempDir() + "/fake.json"
	if err := srv.Save(file); err != nil {
		t.Fatal(err)
	}
	next := googletest.NewServer()
	t.Cleanup(next.Close)
	if err := next.Load(file); err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = oauth2.Endpoint{AuthURL: next.AuthURL(), TokenURL: next.TokenURL()}
	ctx := context.Background()
	if _, err := service(t, next, cfg.Client(ctx, tok)).CalendarList.List().Do(); err != nil {
		t.Fatalf("the saved access token: %v", err)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("the saved refresh token: %v", err)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: revoked.RefreshToken}).Token(); errorCode(err) != "invalid_grant" {
		t.Fatalf("a revoked token came back: %v", err)
	}
	if c, _ := code(func() error { _, err := service(t, next, http.DefaultClient).CalendarList.List().Do(); return err }()); c != 401 {
		t.Fatalf("auth mode was not kept: %d", c)
	}
	// Without a client nothing of the authorization server is saved.
	plain := googletest.NewServer()
	t.Cleanup(plain.Close)
	plain.Save(file)
	if b, _ := os.ReadFile(file); strings.Contains(string(b), `"auth"`) {
		t.Fatal("an unused authorization server was saved")
	}
}

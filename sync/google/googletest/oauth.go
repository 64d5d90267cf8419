package googletest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The fake's authorization server follows Google's OAuth 2.0 for web
// server applications (RFC 6749 with PKCE, RFC 7636): GET /o/oauth2/auth
// shows a consent page, POST /token exchanges codes and refresh tokens,
// POST /revoke revokes a grant (RFC 7009). Where Google departs from the
// RFCs the fake follows Google: an unknown client or a redirect URI that is
// not registered gets an error page rather than a redirect, a refresh token
// is handed out only at the first offline consent of a user to a client
// (or again with prompt=consent), and revoking any token of a grant
// revokes all of them. Unlike Google, the fake insists on PKCE with S256
// and on a state: confcal always sends both.

// Lifetimes Google uses: an access token lives an hour, a code minutes.
const (
	DefaultAccessTokenLifetime = time.Hour
	codeLifetime               = 10 * time.Minute
)

// Client is an OAuth client registered with the fake's authorization
// server, like one created in the Google Cloud console.
type Client struct {
	ID     string
	Secret string
	// Name is shown on the consent page (the ID if empty).
	Name string
	// RedirectURIs are the registered redirect URIs of a web application
	// client; they must match exactly.
	RedirectURIs []string
	// Desktop makes it a "Desktop app" client, whose redirect URI may be
	// any http://127.0.0.1:PORT/ or http://[::1]:PORT/ address (RFC 8252).
	Desktop bool
}

func (c *Client) allows(redirect string) bool {
	if slices.Contains(c.RedirectURIs, redirect) {
		return true
	}
	if !c.Desktop {
		return false
	}
	u, err := url.Parse(redirect)
	return err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "::1" || u.Hostname() == "localhost")
}

// knownScopes are the scopes the fake's consent page can grant.
var knownScopes = map[string]string{
	"openid":  "Associate you with your personal info on Google",
	"email":   "See your primary Google Account email address",
	"profile": "See your personal info",
	"https://www.googleapis.com/auth/userinfo.email":                 "See your primary Google Account email address",
	"https://www.googleapis.com/auth/calendar":                       "See, edit, share, and permanently delete all the calendars you can access using Google Calendar",
	"https://www.googleapis.com/auth/calendar.readonly":              "See and download any calendar you can access using your Google Calendar",
	"https://www.googleapis.com/auth/calendar.events":                "View and edit events on all your calendars",
	"https://www.googleapis.com/auth/calendar.events.readonly":       "View events on all your calendars",
	"https://www.googleapis.com/auth/calendar.app.created":           "Make secondary Google calendars, and see, create, change, and delete events on them",
	"https://www.googleapis.com/auth/calendar.calendarlist.readonly": "See the list of Google calendars you're subscribed to",
}

// grantKey names a grant: what one user allowed one client.
type grantKey struct{ client, user string }

// authRequest is an authorisation request waiting on the consent page.
type authRequest struct {
	key       grantKey
	redirect  string
	state     string
	challenge string
	scopes    []string
	offline   bool
	consent   bool // prompt=consent: hand out a new refresh token
}

type authCode struct {
	authRequest
	expiry time.Time
	used   bool
}

type refreshToken struct {
	key     grantKey
	scopes  []string
	revoked bool
}

type accessToken struct {
	key     grantKey
	scopes  []string
	expiry  time.Time
	revoked bool
}

// oauth is the authorization server's state, guarded by Server.mu.
type oauth struct {
	required bool
	user     string
	lifetime time.Duration
	clients  map[string]*Client
	pending  map[string]*authRequest
	codes    map[string]*authCode
	refresh  map[string]*refreshToken
	access   map[string]*accessToken
	counts   map[string]int
}

func newOAuth() oauth {
	return oauth{user: Primary, lifetime: DefaultAccessTokenLifetime, clients: map[string]*Client{},
		pending: map[string]*authRequest{}, codes: map[string]*authCode{}, refresh: map[string]*refreshToken{},
		access: map[string]*accessToken{}, counts: map[string]int{}}
}

// AuthURL is the authorization endpoint, like
// https://accounts.google.com/o/oauth2/auth.
func (s *Server) AuthURL() string { return s.srv.URL + "/o/oauth2/auth" }

// TokenURL is the token endpoint, like https://oauth2.googleapis.com/token.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// RevokeURL is the revocation endpoint, like
// https://oauth2.googleapis.com/revoke.
func (s *Server) RevokeURL() string { return s.srv.URL + "/revoke" }

// AddClient registers an OAuth client.
func (s *Server) AddClient(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	s.auth.clients[c.ID] = &c
}

// RequireAuth makes the Calendar API routes accept only valid access
// tokens of the fake's authorization server and apply their scopes, as
// Google does. Without it they serve anyone, as one user.
func (s *Server) RequireAuth() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.required = true
}

// SetUser sets the account the consent page signs in as (Primary by
// default); a login_hint in the authorisation request overrides it.
func (s *Server) SetUser(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.user = email
}

// SetAccessTokenLifetime sets the lifetime of the access tokens handed
// out from now on. Below ten seconds golang.org/x/oauth2 treats a token
// as expired at once and refreshes it before every request.
func (s *Server) SetAccessTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.lifetime = d
}

// ExpireAccessTokens ends the life of every access token handed out so
// far: the API answers 401 to them and a client must refresh.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.now().Add(-time.Second)
	for _, t := range s.auth.access {
		t.expiry = past
	}
}

// RevokeUser revokes every grant of user, as when the user removes the
// app's access in their Google account, and returns how many tokens it
// revoked.
func (s *Server) RevokeUser(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.auth.refresh {
		if t.key.user == user && !t.revoked {
			t.revoked = true
			n++
		}
	}
	for _, t := range s.auth.access {
		if t.key.user == user && !t.revoked {
			t.revoked = true
			n++
		}
	}
	return n
}

// TokenRequests returns the number of requests to the authorization
// server: "authorize" (consent pages asked for), token requests by
// grant_type ("authorization_code", "refresh_token", anything else as
// sent) and "revoke".
func (s *Server) TokenRequests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.auth.counts)
}

// LiveRefreshTokens returns the number of refresh tokens of user that are
// not revoked.
func (s *Server) LiveRefreshTokens(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.auth.refresh {
		if t.key.user == user && !t.revoked {
			n++
		}
	}
	return n
}

// Grant returns the token an exchange would give after user allowed
// client the scopes at a consent page with offline access: for tests
// and benchmarks that need many signed-in users without a browser. The
// client must be registered.
func (s *Server) Grant(client, user string, scopes ...string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.auth.clients[client]; !ok {
		return nil, fmt.Errorf("grant: no client %q", client)
	}
	for _, sc := range scopes {
		if _, ok := knownScopes[sc]; !ok {
			return nil, fmt.Errorf("grant: unknown scope %q", sc)
		}
	}
	key := grantKey{client: client, user: user}
	body := s.issueAccess(key, slices.Clone(scopes))
	rt := randomToken("1//fake-")
	s.auth.refresh[rt] = &refreshToken{key: key, scopes: slices.Clone(scopes)}
	tok := &oauth2.Token{AccessToken: body["access_token"].(string), TokenType: "Bearer", RefreshToken: rt,
		Expiry: time.Now().Add(time.Duration(body["expires_in"].(int)) * time.Second)}
	return tok.WithExtra(map[string]any{"scope": body["scope"]}), nil
}

func (s *Server) oauthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /o/oauth2/auth", s.authorize)
	mux.HandleFunc("POST /o/oauth2/auth", s.consent)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// s256 is the PKCE S256 challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenError answers a token or revocation request with Google's error
// JSON.
func tokenError(w http.ResponseWriter, code int, kind, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, map[string]string{"error": kind, "error_description": description})
}

// clientAuth authenticates the client of a token request, by HTTP Basic
// or by client_id and client_secret in the form, as Google accepts both.
func (s *Server) clientAuth(r *http.Request) (*Client, string) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := s.auth.clients[id]
	if !known {
		return nil, "The OAuth client was not found."
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return nil, "Unauthorized"
	}
	return c, ""
}

// token serves POST /token: grant_type authorization_code and
// refresh_token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Could not parse the request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grantType := r.PostForm.Get("grant_type")
	s.auth.counts[grantType]++
	if status, kind, hit := s.takeOAuthFault("oauth.token"); hit {
		tokenError(w, status, kind, "Injected fault")
		return
	}
	c, why := s.clientAuth(r)
	if c == nil {
		tokenError(w, http.StatusUnauthorized, "invalid_client", why)
		return
	}
	var (
		body   map[string]any
		status int
		kind   string
		desc   string
	)
	switch grantType {
	case "authorization_code":
		body, status, kind, desc = s.exchangeCode(c, r.PostForm)
	case "refresh_token":
		body, status, kind, desc = s.refreshGrant(c, r.PostForm)
	case "":
		status, kind, desc = http.StatusBadRequest, "unsupported_grant_type", "Missing required parameter: grant_type"
	default:
		status, kind, desc = http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+grantType
	}
	if kind != "" {
		tokenError(w, status, kind, desc)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// exchangeCode trades a code for tokens, with s.mu held.
func (s *Server) exchangeCode(c *Client, f url.Values) (map[string]any, int, string, string) {
	code := f.Get("code")
	if code == "" {
		return nil, http.StatusBadRequest, "invalid_request", "Missing required parameter: code"
	}
	ac, ok := s.auth.codes[code]
	switch {
	case !ok:
		return nil, http.StatusBadRequest, "invalid_grant", "Malformed auth code."
	case ac.used:
		return nil, http.StatusBadRequest, "invalid_grant", "Bad Request"
	case ac.key.client != c.ID:
		return nil, http.StatusBadRequest, "invalid_grant", "Unauthorized"
	case !s.now().Before(ac.expiry):
		ac.used = true
		return nil, http.StatusBadRequest, "invalid_grant", "Bad Request"
	case f.Get("redirect_uri") != ac.redirect:
		return nil, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request"
	case f.Get("code_verifier") == "":
		return nil, http.StatusBadRequest, "invalid_grant", "Missing code verifier."
	case subtle.ConstantTimeCompare([]byte(s256(f.Get("code_verifier"))), []byte(ac.challenge)) != 1:
		return nil, http.StatusBadRequest, "invalid_grant", "Invalid code verifier."
	}
	ac.used = true
	body := s.issueAccess(ac.key, ac.scopes)
	if ac.offline && (ac.consent || !s.hasLiveGrant(ac.key)) {
		rt := randomToken("1//fake-")
		s.auth.refresh[rt] = &refreshToken{key: ac.key, scopes: ac.scopes}
		body["refresh_token"] = rt
	}
	return body, 0, "", ""
}

// refreshGrant hands out a new access token for a refresh token, with
// s.mu held.
func (s *Server) refreshGrant(c *Client, f url.Values) (map[string]any, int, string, string) {
	rt := f.Get("refresh_token")
	if rt == "" {
		return nil, http.StatusBadRequest, "invalid_request", "Missing required parameter: refresh_token"
	}
	t, ok := s.auth.refresh[rt]
	if !ok || t.revoked {
		return nil, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked."
	}
	if t.key.client != c.ID {
		return nil, http.StatusBadRequest, "unauthorized_client", "Unauthorized"
	}
	return s.issueAccess(t.key, t.scopes), 0, "", ""
}

func (s *Server) hasLiveGrant(key grantKey) bool {
	for _, t := range s.auth.refresh {
		if t.key == key && !t.revoked {
			return true
		}
	}
	return false
}

// issueAccess makes an access token and the answer that carries it.
func (s *Server) issueAccess(key grantKey, scopes []string) map[string]any {
	at := randomToken("ya29.fake-")
	life := s.auth.lifetime
	s.auth.access[at] = &accessToken{key: key, scopes: scopes, expiry: s.now().Add(life)}
	body := map[string]any{"access_token": at, "expires_in": max(int(life.Seconds())-1, 1),
		"scope": strings.Join(scopes, " "), "token_type": "Bearer"}
	if slices.Contains(scopes, "openid") {
		body["id_token"] = fakeIDToken(key, s.now())
	}
	return body
}

// fakeIDToken is an unsigned OpenID Connect ID token naming the user: the
// shape of Google's, for clients that read the email claim.
func fakeIDToken(key grantKey, now time.Time) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"iss": "https://accounts.google.com", "aud": key.client,
		"sub": fmt.Sprintf("%x", sha256.Sum256([]byte(key.user)))[:21], "email": key.user, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	return enc.EncodeToString(head) + "." + enc.EncodeToString(claims) + ".fake"
}

// revoke serves POST /revoke: the token, access or refresh, in the form
// or the query. Revoking any token of a grant revokes the whole grant, as
// at Google.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Could not parse the request body.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.counts["revoke"]++
	if status, kind, hit := s.takeOAuthFault("oauth.revoke"); hit {
		tokenError(w, status, kind, "Injected fault")
		return
	}
	tok := r.Form.Get("token")
	var key grantKey
	if t, ok := s.auth.refresh[tok]; ok && !t.revoked {
		key = t.key
	} else if t, ok := s.auth.access[tok]; ok && !t.revoked && s.now().Before(t.expiry) {
		key = t.key
	} else {
		tokenError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
		return
	}
	for _, t := range s.auth.refresh {
		if t.key == key {
			t.revoked = true
		}
	}
	for _, t := range s.auth.access {
		if t.key == key {
			t.revoked = true
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

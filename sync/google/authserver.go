package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"
)

// Google's OAuth 2.0 endpoints.
const (
	GoogleAuthURL   = "https://accounts.google.com/o/oauth2/auth"
	GoogleTokenURL  = "https://oauth2.googleapis.com/token"
	GoogleRevokeURL = "https://oauth2.googleapis.com/revoke"
)

// The environment variables that point confcal at another authorization
// server, such as the fake of googletest.
const (
	EnvAuthURL   = "CONFCAL_GOOGLE_AUTH_URL"
	EnvTokenURL  = "CONFCAL_GOOGLE_TOKEN_URL"
	EnvRevokeURL = "CONFCAL_GOOGLE_REVOKE_URL"
)

// AuthServer is where the OAuth 2.0 authorization server answers: Google,
// or a fake for tests.
type AuthServer struct {
	AuthURL   string
	TokenURL  string
	RevokeURL string
}

// DefaultAuthServer is Google's authorization server.
var DefaultAuthServer = AuthServer{AuthURL: GoogleAuthURL, TokenURL: GoogleTokenURL, RevokeURL: GoogleRevokeURL}

// AuthServerFromEnv returns Google's authorization server with each
// endpoint replaced by CONFCAL_GOOGLE_AUTH_URL, CONFCAL_GOOGLE_TOKEN_URL
// or CONFCAL_GOOGLE_REVOKE_URL when set. A value that is not an absolute
// http or https URL is an error naming the variable.
func AuthServerFromEnv(env func(string) (string, bool)) (AuthServer, error) {
	a := DefaultAuthServer
	for _, v := range []struct {
		name string
		dst  *string
	}{{EnvAuthURL, &a.AuthURL}, {EnvTokenURL, &a.TokenURL}, {EnvRevokeURL, &a.RevokeURL}} {
		val, ok := env(v.name)
		if !ok || val == "" {
			continue
		}
		u, err := url.Parse(val)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return AuthServer{}, fmt.Errorf("%s=%q is not an http or https URL", v.name, val)
		}
		*v.dst = val
	}
	return a, nil
}

// Endpoint returns the endpoint for an oauth2.Config.
func (a AuthServer) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: a.AuthURL, TokenURL: a.TokenURL}
}

// Revoke revokes the grant that token, a refresh or an access token,
// belongs to (RFC 7009; Google revokes the whole grant). A token the
// server no longer knows (400 invalid_token) is no error: it is revoked
// already. The token never appears in the error.
func (a AuthServer) Revoke(ctx context.Context, client *http.Client, token string) error {
	if token == "" {
		return errors.New("revoke: no token")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.RevokeURL, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("revoke at %s: %w", hostOf(a.RevokeURL), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusBadRequest && oauthErrorCode(body) == "invalid_token":
		return nil
	}
	if code := oauthErrorCode(body); code != "" {
		return fmt.Errorf("revoke at %s: %s (%s)", hostOf(a.RevokeURL), resp.Status, code)
	}
	return fmt.Errorf("revoke at %s: %s", hostOf(a.RevokeURL), resp.Status)
}

func oauthErrorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}

// WebClient is an OAuth client of type "Web application" from the Google
// Cloud console: what a server needs to sign attendees in.
type WebClient struct {
	ID           string
	Secret       string
	RedirectURIs []string
}

// LoadWebClientSecrets reads the JSON of a "Web application" OAuth client
// ({"web": {...}}) downloaded from the Google Cloud console. A Desktop
// client, or anything else, is an error that names the file and says what
// to download instead.
func LoadWebClientSecrets(path string) (*WebClient, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the OAuth client file: %w", err)
	}
	var f struct {
		Web *struct {
			ClientID     string   `json:"client_id"`
			ClientSecret string   `json:"client_secret"`
			RedirectURIs []string `json:"redirect_uris"`
		} `json:"web"`
		Installed json.RawMessage `json:"installed"`
	}
	const want = `download the JSON of an OAuth client ID of type "Web application" from the Google Cloud console`
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s is not an OAuth client file (%v): %s", path, err, want)
	}
	switch {
	case f.Web == nil && f.Installed != nil:
		return nil, fmt.Errorf("%s is a \"Desktop app\" client, which cannot sign in attendees on a server: %s", path, want)
	case f.Web == nil:
		return nil, fmt.Errorf("%s is not an OAuth client file (no \"web\" object): %s", path, want)
	case f.Web.ClientID == "" || f.Web.ClientSecret == "":
		return nil, fmt.Errorf("%s lacks client_id or client_secret: %s", path, want)
	}
	return &WebClient{ID: f.Web.ClientID, Secret: f.Web.ClientSecret, RedirectURIs: f.Web.RedirectURIs}, nil
}

// HasRedirect reports whether uri is one of the client's registered
// redirect URIs: Google refuses any other, byte for byte.
func (c *WebClient) HasRedirect(uri string) bool { return slices.Contains(c.RedirectURIs, uri) }

// Config returns the OAuth configuration of the client on server a, with
// redirect as the redirect URI.
func (c *WebClient) Config(a AuthServer, redirect string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, RedirectURL: redirect,
		Scopes: slices.Clone(scopes), Endpoint: a.Endpoint()}
}

// TokenOptions returns the API client options that authenticate with ts,
// at endpoint ("" for Google's), over base (nil: http.DefaultClient's
// transport): for a server that holds many users' tokens.
func TokenOptions(ctx context.Context, endpoint string, ts oauth2.TokenSource, base *http.Client) []option.ClientOption {
	if base != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, base)
	}
	opts := []option.ClientOption{option.WithHTTPClient(oauth2.NewClient(ctx, ts))}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint))
	}
	return opts
}

// CalendarURL is the address of calendar id in Google Calendar's web
// interface, where it opens with the calendar added to the user's list.
func CalendarURL(id string) string {
	return "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(id)
}

package google

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/confcal/confcal/internal/atomicfile"
)

// ErrNoToken is returned by TokenFile.Load when no one has signed in.
var ErrNoToken = errors.New("not signed in to Google: run 'confcal auth google --client-secrets client.json'")

// Token is what confcal keeps after a sign-in: the OAuth token and what is
// needed to refresh it. It is stored with mode 0600 and never printed.
type Token struct {
	Account      string        `json:"account,omitempty"` // the Google account's email, when known
	Scopes       []string      `json:"scopes"`
	ClientID     string        `json:"client_id"`
	ClientSecret string        `json:"client_secret"`
	AuthURL      string        `json:"auth_uri,omitempty"`
	TokenURL     string        `json:"token_uri"`
	Token        *oauth2.Token `json:"token"`
	Saved        time.Time     `json:"saved"`
}

// Config returns the OAuth configuration that refreshes t.
func (t *Token) Config() *oauth2.Config {
	return &oauth2.Config{ClientID: t.ClientID, ClientSecret: t.ClientSecret, Scopes: t.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: t.AuthURL, TokenURL: t.TokenURL}}
}

// HasScope reports whether t was granted scope.
func (t *Token) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// TokenFile is where the token is kept.
type TokenFile struct {
	Path string
	mu   stdsync.Mutex
}

// DefaultTokenPath returns $XDG_CONFIG_HOME/confcal/google-token.json, or
// the same under ~/.config.
func DefaultTokenPath(env func(string) (string, bool)) (string, error) {
	if dir, ok := env("XDG_CONFIG_HOME"); ok && dir != "" {
		return filepath.Join(dir, "confcal", "google-token.json"), nil
	}
	if home, ok := env("HOME"); ok && home != "" {
		return filepath.Join(home, ".config", "confcal", "google-token.json"), nil
	}
	return "", errors.New("neither XDG_CONFIG_HOME nor HOME is set: cannot place the Google token")
}

// Load reads the token; ErrNoToken when there is none.
func (f *TokenFile) Load() (*Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoToken
	}
	if err != nil {
		return nil, fmt.Errorf("read the Google token: %w", err)
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil || t.Token == nil {
		return nil, fmt.Errorf("the Google token %s is damaged; run 'confcal auth google' to sign in again", f.Path)
	}
	return &t, nil
}

// Save writes t atomically with mode 0600, in a directory of mode 0700.
func (f *TokenFile) Save(t *Token) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("save the Google token: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(f.Path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the Google token: %w", err)
	}
	return nil
}

// Remove deletes the token; a missing token is no error.
func (f *TokenFile) Remove() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the Google token: %w", err)
	}
	return nil
}

// TokenSource returns a token source for t that refreshes it when it
// expires and rewrites the file with each new access token, so that a
// rotated refresh token is never lost.
func (f *TokenFile) TokenSource(ctx context.Context, t *Token) oauth2.TokenSource {
	return &persisting{file: f, tok: t, base: t.Config().TokenSource(ctx, t.Token), last: t.Token.AccessToken}
}

type persisting struct {
	mu   stdsync.Mutex
	file *TokenFile
	tok  *Token
	base oauth2.TokenSource
	last string
}

func (p *persisting) Token() (*oauth2.Token, error) {
	t, err := p.base.Token()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.AccessToken != p.last {
		saved := *p.tok
		saved.Token = t
		saved.Saved = time.Now().UTC()
		if err := p.file.Save(&saved); err != nil {
			return nil, err
		}
		p.tok, p.last = &saved, t.AccessToken
	}
	return t, nil
}

// AccountFromIDToken returns the email claim of an OpenID Connect ID
// token, without verifying it: it only names the account to the user.
func AccountFromIDToken(idToken string) string {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return ""
	}
	return claims.Email
}

package google

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	googleoauth "golang.org/x/oauth2/google"
	calendar "google.golang.org/api/calendar/v3"
)

// The scopes confcal asks for: the narrowest that does the job.
const (
	// ScopeAppCreated lets confcal create secondary calendars and manage
	// their events, and nothing else: enough for the dedicated calendar.
	ScopeAppCreated = calendar.CalendarAppCreatedScope
	// ScopeEvents lets confcal edit events on existing calendars: needed
	// only for --calendar ID.
	ScopeEvents = calendar.CalendarEventsScope
)

// identityScopes name the account, so that 'auth google --status' can say
// whose token it is.
var identityScopes = []string{"openid", "email"}

// Scopes returns the scopes to ask for: ScopeAppCreated for a dedicated
// calendar, ScopeEvents to write to existing calendars, and the identity
// scopes.
func Scopes(existingCalendars bool) []string {
	s := ScopeAppCreated
	if existingCalendars {
		s = ScopeEvents
	}
	return append([]string{s}, identityScopes...)
}

// LoadClientSecrets reads the OAuth client JSON downloaded from the Google
// Cloud console (an OAuth client ID of type "Desktop app").
func LoadClientSecrets(path string, scopes []string) (*oauth2.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the OAuth client file: %w", err)
	}
	cfg, err := googleoauth.ConfigFromJSON(b, scopes...)
	if err != nil {
		return nil, fmt.Errorf("%s is not an OAuth client file: download the JSON of an OAuth client ID of type \"Desktop app\" from the Google Cloud console", path)
	}
	if cfg.ClientID == "" || cfg.Endpoint.TokenURL == "" {
		return nil, fmt.Errorf("%s lacks client_id or token_uri: download it again from the Google Cloud console", path)
	}
	return cfg, nil
}

// LoginOptions configure Login.
type LoginOptions struct {
	Config *oauth2.Config
	// Out is where the sign-in URL is printed.
	Out io.Writer
	// Open opens the URL in a browser; nil only prints it.
	Open func(url string) error
	// Timeout bounds the wait for the browser (default 5 minutes).
	Timeout time.Duration
	// Client is the HTTP client for the token exchange (default
	// http.DefaultClient).
	Client *http.Client
}

// Login runs the OAuth 2.0 flow for installed apps (RFC 8252): it listens
// on 127.0.0.1 on a random port, sends the user to Google's consent page
// with a random state and a PKCE S256 challenge (RFC 7636), checks the
// state on the redirect, and exchanges the code, with the verifier, for a
// token with offline access.
func Login(ctx context.Context, opts LoginOptions) (*Token, error) {
	if opts.Config == nil {
		return nil, errors.New("sign in: no OAuth client")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Minute
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sign in: listen on 127.0.0.1: %w", err)
	}
	defer ln.Close()
	cfg := *opts.Config
	cfg.RedirectURL = fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)
	state, err := randomString(32)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier))

	answers := make(chan answer, 1)
	srv := &http.Server{Handler: callback(state, answers), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		// Let the browser get its page before the server goes.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}()

	fmt.Fprintf(opts.Out, "Open this address in a browser to let confcal use Google Calendar:\n\n  %s\n\n", authURL)
	if opts.Open != nil {
		if err := opts.Open(authURL); err != nil {
			fmt.Fprintf(opts.Out, "(could not open a browser: %v; open the address yourself)\n", err)
		}
	}
	fmt.Fprintln(opts.Out, "Waiting for the browser...")

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var a answer
	select {
	case a = <-answers:
	case <-ctx.Done():
		return nil, fmt.Errorf("sign in: no answer from the browser: %w", ctx.Err())
	}
	if a.err != nil {
		return nil, a.err
	}
	return exchange(ctx, &cfg, a.code, verifier, opts.Client)
}

// answer is what the browser brought back to the callback: a code, or
// why there is none.
type answer struct {
	code string
	err  error
}

// callback answers Google's redirect on /callback: it checks the state
// and sends the first answer, code or error, on answers.
func callback(state string, answers chan<- answer) http.Handler {
	send := func(a answer) {
		select {
		case answers <- a:
		default:
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(w, http.StatusBadRequest, "This sign-in answer does not belong to the sign-in confcal started. Run 'confcal auth google' again.")
			send(answer{err: errors.New("sign in: the answer's state does not match the request (possible forgery); run 'confcal auth google' again")})
			return
		}
		if e := q.Get("error"); e != "" {
			page(w, http.StatusOK, "Sign-in was not completed: "+e+". You can close this tab.")
			send(answer{err: fmt.Errorf("sign in: Google answered %q", e)})
			return
		}
		code := q.Get("code")
		if code == "" {
			page(w, http.StatusBadRequest, "The sign-in answer has no code.")
			send(answer{err: errors.New("sign in: the answer has no authorisation code")})
			return
		}
		page(w, http.StatusOK, "confcal is signed in. You can close this tab.")
		send(answer{code: code})
	})
	return mux
}

// exchange trades the authorisation code, with the PKCE verifier, for a
// token, and records what was granted.
func exchange(ctx context.Context, cfg *oauth2.Config, code, verifier string, client *http.Client) (*Token, error) {
	if client != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var rerr *oauth2.RetrieveError
		if errors.As(err, &rerr) && rerr.ErrorCode != "" {
			return nil, fmt.Errorf("sign in: Google refused the code: %s", rerr.ErrorCode)
		}
		return nil, errors.New("sign in: exchanging the code for a token failed")
	}
	t := &Token{Scopes: cfg.Scopes, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		AuthURL: cfg.Endpoint.AuthURL, TokenURL: cfg.Endpoint.TokenURL, Token: tok, Saved: time.Now().UTC()}
	if id, ok := tok.Extra("id_token").(string); ok {
		t.Account = AccountFromIDToken(id)
	}
	if granted, ok := tok.Extra("scope").(string); ok && granted != "" {
		t.Scopes = strings.Fields(granted)
	}
	return t, nil
}

func page(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>confcal</title><p>%s</p>\n", html.EscapeString(msg))
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Revoke asks the authorisation server a to revoke t's grant.
func Revoke(ctx context.Context, client *http.Client, a AuthServer, t *Token) error {
	tok := t.Token.RefreshToken
	if tok == "" {
		tok = t.Token.AccessToken
	}
	return a.Revoke(ctx, client, tok)
}

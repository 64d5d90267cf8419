package google

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	googleoauth "golang.org/x/oauth2/google"
	"google.golang.org/api/option"
)

// AuthOptions say how to reach and authenticate to the Calendar API.
type AuthOptions struct {
	// Endpoint overrides the API's base URL, e.g.
	// http://127.0.0.1:PORT/calendar/v3/ for a local fake.
	Endpoint string
	// NoAuth sends no credentials: a testing aid, for fakes only.
	NoAuth bool
	// Credentials is a service account key file; Subject is the user to
	// act as with domain-wide delegation.
	Credentials string
	Subject     string
	// Token is the file of the OAuth token saved by Login.
	Token *TokenFile
	// ExistingCalendar says the sync writes to a calendar confcal did not
	// create, which needs ScopeEvents rather than ScopeAppCreated.
	ExistingCalendar bool
	// Env looks up environment variables (for Application Default
	// Credentials).
	Env func(string) (string, bool)
}

// ClientOptions returns the API client options for a: no authentication
// (testing aid), a service account, the saved OAuth token, or Application
// Default Credentials, in that order of preference.
func ClientOptions(ctx context.Context, a AuthOptions) ([]option.ClientOption, error) {
	var opts []option.ClientOption
	if a.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(a.Endpoint))
	}
	scope := ScopeAppCreated
	if a.ExistingCalendar {
		scope = ScopeEvents
	}
	switch {
	case a.NoAuth:
		return append(opts, option.WithoutAuthentication()), nil
	case a.Credentials != "":
		b, err := os.ReadFile(a.Credentials)
		if err != nil {
			return nil, fmt.Errorf("read the service account key: %w", err)
		}
		creds, err := googleoauth.CredentialsFromJSONWithTypeAndParams(ctx, b, googleoauth.ServiceAccount,
			googleoauth.CredentialsParams{Scopes: []string{scope}, Subject: a.Subject})
		if err != nil {
			return nil, fmt.Errorf("%s is not a service account key: create a JSON key for the service account in the Google Cloud console", a.Credentials)
		}
		return append(opts, option.WithTokenSource(creds.TokenSource)), nil
	}
	if a.Token != nil {
		t, err := a.Token.Load()
		switch {
		case err == nil:
			if !t.HasScope(scope) && !t.HasScope("https://www.googleapis.com/auth/calendar") {
				if scope == ScopeEvents {
					return nil, errors.New("the saved sign-in lets confcal write only to calendars it creates; to write to an existing calendar, run 'confcal auth google --calendar ID'")
				}
				return nil, errors.New("the saved sign-in lacks the scope to create calendars; run 'confcal auth google' again")
			}
			return append(opts, option.WithTokenSource(a.Token.TokenSource(ctx, t))), nil
		case !errors.Is(err, ErrNoToken):
			return nil, err
		}
	}
	if hasDefaultCredentials(a.Env) {
		creds, err := googleoauth.FindDefaultCredentials(ctx, scope)
		if err != nil {
			return nil, fmt.Errorf("application default credentials: %w", err)
		}
		return append(opts, option.WithTokenSource(creds.TokenSource)), nil
	}
	return nil, ErrNoToken
}

// hasDefaultCredentials reports whether Application Default Credentials
// are configured: GOOGLE_APPLICATION_CREDENTIALS, or the file 'gcloud auth
// application-default login' writes. The metadata server is not probed.
func hasDefaultCredentials(env func(string) (string, bool)) bool {
	if env == nil {
		env = os.LookupEnv
	}
	if f, ok := env("GOOGLE_APPLICATION_CREDENTIALS"); ok && f != "" {
		return true
	}
	dir, ok := env("CLOUDSDK_CONFIG")
	if !ok || dir == "" {
		home, ok := env("HOME")
		if !ok || home == "" {
			return false
		}
		dir = filepath.Join(home, ".config", "gcloud")
	}
	_, err := os.Stat(filepath.Join(dir, "application_default_credentials.json"))
	return err == nil
}

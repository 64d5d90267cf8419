package attend

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google"
)

// Google is the organiser's OAuth web client and where Google is.
type Google struct {
	// OAuth is the web client: its id and secret, Google's (or a
	// fake's) endpoints, the redirect URI and the scope.
	OAuth *oauth2.Config
	// Auth is where Google's (or a fake's) authorization server is: its
	// revocation endpoint revokes a grant.
	Auth google.AuthServer
	// Client are more options of the Calendar API client: an endpoint
	// for a fake.
	Client []option.ClientOption
	// HTTP makes the token and revoke requests; nil means
	// http.DefaultClient.
	HTTP *http.Client
}

func (g *Google) httpClient() *http.Client {
	if g.HTTP != nil {
		return g.HTTP
	}
	return http.DefaultClient
}

// oauthContext carries the HTTP client of token requests.
func (g *Google) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, g.httpClient())
}

// calendar opens the calendar id with the refresh token; with id "" and
// create set, it is the calendar to create.
func (g *Google) calendar(ctx context.Context, refresh, id string, create *google.NewCalendar) (*google.Calendar, error) {
	// The token source outlives ctx: it refreshes during the sync.
	ts := g.OAuth.TokenSource(g.oauthContext(context.WithoutCancel(ctx)), &oauth2.Token{RefreshToken: refresh})
	opts := append([]option.ClientOption{option.WithTokenSource(ts)}, g.Client...)
	return google.New(ctx, google.Options{Client: opts, CalendarID: id, Create: create,
		MissingHint: "the calendar confcal made for you no longer exists: stop this sync, or delete it and sign up again"})
}

// Revoke asks Google to revoke token (a refresh token revokes the whole
// grant).
func (g *Google) Revoke(ctx context.Context, token string) error {
	return g.Auth.Revoke(ctx, g.httpClient(), token)
}

// GoogleConnector returns the Connector of subscriptions whose tokens keys
// sealed.
func GoogleConnector(keys Keys, g *Google) Connector {
	return func(ctx context.Context, s *Subscription) (calsync.Calendar, error) {
		refresh, err := openToken(keys, s)
		if err != nil {
			return nil, err
		}
		return g.calendar(ctx, refresh, s.Calendar, nil)
	}
}

// errUnsealed is the error of a token that cannot be decrypted: another
// key, or a damaged row. The attendee must sign in again.
var errUnsealed = errors.New("the stored access cannot be decrypted (a different --secret-key-file?)")

func openToken(keys Keys, s *Subscription) (string, error) {
	plain, err := keys.Open(s.Token, []byte(s.ID))
	if err != nil {
		return "", &calsync.Error{Kind: calsync.Auth, Op: "open the token", Err: errUnsealed}
	}
	return string(plain), nil
}

package google_test

import (
	"testing"
	"time"

	"golang.org/x/oauth2"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google/googletest"
)

var testOwner = calsync.Owner{Source: "summit"}

func newFakeAPI(t *testing.T) *googletest.Server {
	srv := googletest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func tokenExpired(refresh string) *oauth2.Token {
	return &oauth2.Token{AccessToken: "access-old", RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(-time.Hour)}
}

package attend

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/confcal/confcal/internal/secret"
)

// Keys are the server's secrets: the encryption of tokens at rest and of
// the sign-in cookie, and the CSRF tokens of forms. *secret.Key is the
// server's.
type Keys interface {
	// Seal encrypts plaintext bound to ad (authenticated, not secret);
	// Open decrypts it, failing on any change of either.
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(sealed, ad []byte) ([]byte, error)
	// CSRFToken is the token the forms of session carry; CheckCSRF
	// checks one.
	CSRFToken(session string) string
	CheckCSRF(session, token string) bool
}

// purposeCookie is the associated data of the sealed sign-in cookie.
const purposeCookie = "attend sign-in cookie"

// sealValue returns v encrypted and authenticated by keys for purpose,
// in base64url: only this server can make or read it.
func sealValue(keys Keys, purpose string, v any) (string, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sealed, err := keys.Seal(payload, []byte(purpose))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

var errForged = errors.New("not made by this server")

// openValue reads into v a value made by sealValue.
func openValue(keys Keys, purpose, s string, v any) error {
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") { // line breaks are skipped by the decoder
		return errForged
	}
	payload, err := keys.Open(sealed, []byte(purpose))
	if err != nil {
		return errForged
	}
	if json.Unmarshal(payload, v) != nil {
		return errForged
	}
	return nil
}

// newManageToken returns a manage secret, as the link's text, and the
// hash that is stored.
func newManageToken() (token string, hash []byte) {
	t := secret.NewManageToken()
	h := t.Hash()
	return t.Encode(), h[:]
}

// parseManageToken checks the text of a manage link and returns its hash.
func parseManageToken(s string) ([]byte, bool) {
	t, err := secret.ParseManageToken(s)
	if err != nil {
		return nil, false
	}
	h := t.Hash()
	return h[:], true
}

// randomID returns 128 random bits in hex: subscription ids, OAuth
// states.
func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// signinState is what the short-lived sign-in cookie carries from the
// start of the OAuth flow to its callback.
type signinState struct {
	State     string    `json:"s"`
	Verifier  string    `json:"v"`
	Selection string    `json:"q,omitempty"`
	Reconnect string    `json:"r,omitempty"` // the manage secret of a reconnect
	Expires   time.Time `json:"e"`
}

package attend

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
)

// Keys are the server's secrets: the encryption of tokens at rest and the
// signatures of cookies and forms.
type Keys interface {
	// Seal encrypts plaintext bound to ad (authenticated, not secret);
	// Open decrypts it, failing on any change of either.
	Seal(plaintext, ad []byte) ([]byte, error)
	Open(sealed, ad []byte) ([]byte, error)
	// MAC returns a keyed hash of data for one purpose; keys of
	// different purposes are independent.
	MAC(purpose string, data []byte) []byte
}

// The purposes of keys: associated data of sealed values, MAC purposes.
const (
	purposeCookie = "attend sign-in cookie"
	purposeForm   = "attend manage form"
)

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
	sealed, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
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

// ManageTokenLen is the length of a manage link's secret: 128 bits in
// base64url.
const ManageTokenLen = 22

// newManageToken returns a manage secret and the hash that is stored.
func newManageToken() (token string, hash []byte) {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, manageHash(token)
}

func manageHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// parseManageToken checks the shape of a manage secret.
func parseManageToken(s string) (string, bool) {
	if len(s) != ManageTokenLen {
		return "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err != nil || len(b) != 16 {
		return "", false
	}
	return s, true
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

package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// ManageTokenSize is the size of a manage token: 128 bits.
const ManageTokenSize = 16

// ManageTokenLen is the length of its text: 22 characters of base64url.
const ManageTokenLen = 22

// ManageToken is the secret of a manage link. Only its Hash is stored;
// Encode gives the text for the link, and it prints as "[redacted]".
type ManageToken [ManageTokenSize]byte

// NewManageToken returns a token of 128 bits from crypto/rand.
func NewManageToken() ManageToken {
	var t ManageToken
	rand.Read(t[:])
	return t
}

// ParseManageToken reads the text of a manage link: exactly 22 characters
// of unpadded base64url.
func ParseManageToken(s string) (ManageToken, error) {
	var t ManageToken
	if len(s) != ManageTokenLen {
		return t, fmt.Errorf("manage token: %d characters, want %d", len(s), ManageTokenLen)
	}
	b, err := b64.Strict().DecodeString(s)
	if err != nil || len(b) != ManageTokenSize {
		return t, fmt.Errorf("manage token: not base64url")
	}
	copy(t[:], b)
	return t, nil
}

// Encode returns the token's text, for the link only.
func (t ManageToken) Encode() string { return b64.EncodeToString(t[:]) }

// String keeps the token out of logs and messages.
func (t ManageToken) String() string { return "[redacted]" }

// LogValue keeps the token out of log/slog output.
func (t ManageToken) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Hash returns the SHA-256 of the token: what is stored and looked up.
func (t ManageToken) Hash() TokenHash { return sha256.Sum256(t[:]) }

// TokenHash is the stored form of a manage token.
type TokenHash [sha256.Size]byte

// String returns the hash in hexadecimal, for storage.
func (h TokenHash) String() string { return hex.EncodeToString(h[:]) }

// ParseTokenHash reads a hash String wrote.
func ParseTokenHash(s string) (TokenHash, error) {
	var h TokenHash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("token hash: want %d hexadecimal digits", 2*len(h))
	}
	copy(h[:], b)
	return h, nil
}

// Equal compares two hashes in constant time.
func (h TokenHash) Equal(o TokenHash) bool { return subtle.ConstantTimeCompare(h[:], o[:]) == 1 }

// Matches reports, in constant time, whether t hashes to h.
func (t ManageToken) Matches(h TokenHash) bool { return t.Hash().Equal(h) }

package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
)

// CSRFToken returns the token that forms of session must carry: an HMAC
// of the session's identifier (the hash of a manage token, or the value
// of a session cookie), so that a page of another session, or another
// site, cannot make one.
func (k *Key) CSRFToken(session string) string {
	return b64.EncodeToString(k.csrfMAC(session))
}

// CheckCSRF reports, in constant time, whether token is session's.
func (k *Key) CheckCSRF(session, token string) bool {
	if strings.ContainsAny(token, "\r\n") { // skipped by the decoder
		return false
	}
	got, err := b64.Strict().DecodeString(token)
	return err == nil && session != "" && hmac.Equal(got, k.csrfMAC(session))
}

func (k *Key) csrfMAC(session string) []byte {
	h := hmac.New(sha256.New, k.csrf)
	h.Write([]byte(session))
	return h.Sum(nil)
}

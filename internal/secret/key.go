// Package secret keeps what the server must not leak or let be forged:
// the key from --secret-key-file and the sub-keys derived from it with
// HKDF (RFC 5869), refresh tokens sealed with AES-256-GCM bound to their
// row, HMAC-signed cookies with an expiry, CSRF tokens bound to a
// session, and manage tokens of 128 random bits stored only as SHA-256
// hashes.
//
// Nothing here prints a secret: Key and ManageToken format as
// "[redacted]", in fmt and in log/slog alike.
package secret

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
)

// KeySize is the length of the key: 32 bytes, 256 bits.
const KeySize = 32

// The HKDF info of each sub-key: a key is never used for two jobs.
const (
	infoSeal   = "confcal secret: seal tokens, v1"
	infoCookie = "confcal secret: sign cookies, v1"
	infoCSRF   = "confcal secret: csrf tokens, v1"
)

// Key holds the sub-keys derived from the server's secret key.
type Key struct {
	seal   []byte
	cookie []byte
	csrf   []byte
}

// NewKey derives the sub-keys from raw, which must be KeySize bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("secret key: %d bytes, want %d", len(raw), KeySize)
	}
	k := &Key{}
	for _, sub := range []struct {
		info string
		dst  *[]byte
	}{{infoSeal, &k.seal}, {infoCookie, &k.cookie}, {infoCSRF, &k.csrf}} {
		b, err := hkdf.Key(sha256.New, raw, nil, sub.info, 32)
		if err != nil {
			return nil, fmt.Errorf("secret key: derive %q: %w", sub.info, err)
		}
		*sub.dst = b
	}
	return k, nil
}

// String keeps the key out of logs and error messages.
func (k *Key) String() string { return "[redacted]" }

// LogValue keeps the key out of log/slog output.
func (k *Key) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MakeKeyHint says how to make a key file at path.
func MakeKeyHint(path string) string {
	return fmt.Sprintf("make one with: (umask 077; head -c 32 /dev/urandom | base64 > %s)", path)
}

// LoadKeyFile reads the key file at path: 32 bytes in standard base64 on
// one line (44 characters), as 'head -c 32 /dev/urandom | base64' writes.
// A file others may write to is refused, since whoever can replace the
// key can forge cookies; a file others may read is accepted with a
// warning logged to log (nil: no log), since a key in a container's
// secret volume often is.
func LoadKeyFile(path string, log *slog.Logger) (*Key, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secret key file %s does not exist: %s", path, MakeKeyHint(path))
	}
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret key file %s is not a regular file: %s", path, MakeKeyHint(path))
	}
	perm := fi.Mode().Perm()
	if runtime.GOOS == "windows" {
		perm = 0o600 // Windows has ACLs, not these bits: os reports 0666 for any writable file
	}
	if perm&0o022 != 0 {
		return nil, fmt.Errorf("secret key file %s may be written by other users (mode %04o): run chmod 600 %s", path, perm, path)
	}
	if perm&0o044 != 0 && log != nil {
		log.Warn("the secret key file may be read by other users: run chmod 600 on it", "file", path, "mode", fmt.Sprintf("%04o", perm))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	return ParseKey(path, b)
}

// ParseKey decodes the content of a key file; name is what the errors
// call it.
func ParseKey(name string, content []byte) (*Key, error) {
	text := strings.TrimSpace(string(content))
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(text)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("secret key file %s does not hold base64 text: %s", name, MakeKeyHint(name))
	case len(raw) != KeySize:
		return nil, fmt.Errorf("secret key file %s holds %d bytes, want %d: %s", name, len(raw), KeySize, MakeKeyHint(name))
	}
	return NewKey(raw)
}

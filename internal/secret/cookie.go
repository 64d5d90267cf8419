package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxCookieValue bounds a signed cookie's value: browsers keep about 4 KB
// per cookie.
const MaxCookieValue = 3800

// Errors of signed cookies.
var (
	ErrCookieMissing  = errors.New("signed cookie: missing")
	ErrCookieInvalid  = errors.New("signed cookie: damaged or forged")
	ErrCookieExpired  = errors.New("signed cookie: expired")
	ErrCookieTooLarge = errors.New("signed cookie: payload too large for a cookie")
)

var b64 = base64.RawURLEncoding

// Sign returns a cookie value that carries payload until expires, signed
// with HMAC-SHA256 for the cookie name: base64url of the expiry (Unix
// seconds, 8 bytes) and the payload, a dot, base64url of the MAC. The
// payload is readable by whoever holds the cookie: sign, never hide.
func (k *Key) Sign(name string, payload []byte, expires time.Time) (string, error) {
	data := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint64(data, uint64(expires.Unix()))
	data = append(data, payload...)
	v := b64.EncodeToString(data) + "." + b64.EncodeToString(k.cookieMAC(name, data))
	if len(v) > MaxCookieValue {
		return "", ErrCookieTooLarge
	}
	return v, nil
}

// Verify checks a value Sign made for the cookie name and returns its
// payload: ErrCookieInvalid when it was changed or signed for another
// name or key, ErrCookieExpired from its expiry on.
func (k *Key) Verify(name, value string, now time.Time) ([]byte, error) {
	if len(value) > MaxCookieValue {
		return nil, ErrCookieInvalid
	}
	d, m, ok := strings.Cut(value, ".")
	// The base64 decoder skips line breaks: a value with one is not the
	// value Sign made.
	if !ok || strings.ContainsAny(value, "\r\n") {
		return nil, ErrCookieInvalid
	}
	data, err1 := b64.Strict().DecodeString(d)
	mac, err2 := b64.Strict().DecodeString(m)
	if err1 != nil || err2 != nil || len(data) < 8 || !hmac.Equal(mac, k.cookieMAC(name, data)) {
		return nil, ErrCookieInvalid
	}
	if !now.Before(time.Unix(int64(binary.BigEndian.Uint64(data)), 0)) {
		return nil, ErrCookieExpired
	}
	return data[8:], nil
}

func (k *Key) cookieMAC(name string, data []byte) []byte {
	h := hmac.New(sha256.New, k.cookie)
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum(nil)
}

// CookieOptions say how the server's cookies are set.
type CookieOptions struct {
	// Path is the cookie's path ("/" if empty).
	Path string
	// Secure sends the cookie over HTTPS only: see SecureCookies.
	Secure bool
}

// SignedCookie returns the cookie name carrying payload for ttl from now:
// HttpOnly, SameSite=Lax (the OAuth redirect back is a top-level GET, which
// Lax lets through), Secure as opts say. Its lifetime is sent as Max-Age,
// relative, so that a browser whose clock is off keeps it as long; the
// signature holds the absolute expiry.
func (k *Key) SignedCookie(name string, payload []byte, now time.Time, ttl time.Duration, opts CookieOptions) (*http.Cookie, error) {
	v, err := k.Sign(name, payload, now.Add(ttl))
	if err != nil {
		return nil, err
	}
	path := opts.Path
	if path == "" {
		path = "/"
	}
	return &http.Cookie{Name: name, Value: v, Path: path, MaxAge: max(int(ttl.Seconds()), 1), HttpOnly: true,
		Secure: opts.Secure, SameSite: http.SameSiteLaxMode}, nil
}

// ReadSignedCookie returns the payload of the signed cookie name of r:
// ErrCookieMissing, ErrCookieInvalid or ErrCookieExpired otherwise.
func (k *Key) ReadSignedCookie(r *http.Request, name string, now time.Time) ([]byte, error) {
	c, err := r.Cookie(name)
	if err != nil {
		return nil, ErrCookieMissing
	}
	return k.Verify(name, c.Value, now)
}

// ClearCookie returns the header that removes cookie name.
func ClearCookie(name string, opts CookieOptions) *http.Cookie {
	path := opts.Path
	if path == "" {
		path = "/"
	}
	return &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		Secure: opts.Secure, SameSite: http.SameSiteLaxMode}
}

// SecureCookies reports whether cookies for a server at base must be
// Secure: always, except on a loopback address (127.0.0.0/8, ::1,
// localhost), where a development server speaks plain HTTP.
func SecureCookies(base *url.URL) bool {
	host := base.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

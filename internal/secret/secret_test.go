package secret_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/internal/secret"
)

func testKey(t *testing.T, fill byte) *secret.Key {
	t.Helper()
	k, err := secret.NewKey(bytes.Repeat([]byte{fill}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writeKey(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

func TestLoadKeyFile(t *testing.T) {
	raw := make([]byte, 32)
	rand.Read(raw)
	good := base64.StdEncoding.EncodeToString(raw) + "\n"
	k, err := secret.LoadKeyFile(writeKey(t, good, 0o600), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same key from the same bytes: what one sealed the other opens.
	k2, _ := secret.NewKey(raw)
	sealed, _ := k.Seal([]byte("x"), nil)
	if got, err := k2.Open(sealed, nil); err != nil || string(got) != "x" {
		t.Fatalf("same key: %q %v", got, err)
	}
	if _, err := secret.LoadKeyFile(writeKey(t, strings.TrimRight(good, "=\n"), 0o400), nil); err != nil {
		t.Errorf("unpadded base64: %v", err)
	}
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	if _, err := secret.LoadKeyFile(writeKey(t, good, 0o644), log); err != nil || !strings.Contains(logged.String(), "may be read by other users") {
		t.Errorf("readable key: %v, log %q", err, logged.String())
	}
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"raw bytes", string(raw), 0o600, "head -c 32 /dev/urandom | base64"},
		{"short", base64.StdEncoding.EncodeToString(raw[:16]), 0o600, "holds 16 bytes, want 32"},
		{"long", base64.StdEncoding.EncodeToString(append(raw, raw...)), 0o600, "holds 64 bytes"},
		{"empty", "", 0o600, "holds 0 bytes"},
		{"writable by others", good, 0o666, "chmod 600"},
		{"writable by group", good, 0o620, "may be written by other users"},
	} {
		p := writeKey(t, tc.content, tc.mode)
		_, err := secret.LoadKeyFile(p, nil)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "nokey")
	if _, err := secret.LoadKeyFile(missing, nil); err == nil || !strings.Contains(err.Error(), "head -c 32 /dev/urandom | base64 > "+missing) {
		t.Errorf("missing: %v", err)
	}
	if _, err := secret.LoadKeyFile(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	if _, err := secret.NewKey(raw[:31]); err == nil {
		t.Error("a 31-byte key accepted")
	}
}

func TestKeysNeverPrint(t *testing.T) {
	k := testKey(t, 7)
	tok := secret.NewManageToken()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "key", k, "token", tok)
	out := fmt.Sprintf("%v %s %+v %v %s", k, k, k, tok, tok) + logged.String()
	if strings.Contains(out, tok.Encode()) || strings.Count(out, "[redacted]") != 7 {
		t.Fatalf("printed: %s", out)
	}
}

func TestSealOpen(t *testing.T) {
	k := testKey(t, 1)
	ad := []byte("subscription 42")
	plain := []byte("1//refresh-token")
	a, err := k.Seal(plain, ad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Seal(plain, ad)
	if bytes.Equal(a, b) || bytes.Contains(a, plain) {
		t.Fatal("sealing is not randomised, or shows the plaintext")
	}
	if got, err := k.Open(a, ad); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := k.Open(a, []byte("subscription 43")); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("other row: %v", err)
	}
	if _, err := k.Open(a, nil); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("no associated data: %v", err)
	}
	if _, err := testKey(t, 2).Open(a, ad); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("other key: %v", err)
	}
	for i := range a {
		c := bytes.Clone(a)
		c[i] ^= 0x01
		if _, err := k.Open(c, ad); !errors.Is(err, secret.ErrOpen) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	for _, bad := range [][]byte{nil, {1}, a[:len(a)-1], a[:29]} {
		if _, err := k.Open(bad, ad); !errors.Is(err, secret.ErrOpen) {
			t.Errorf("%d bytes: %v", len(bad), err)
		}
	}
	if empty, err := k.Seal(nil, ad); err != nil {
		t.Fatal(err)
	} else if got, err := k.Open(empty, ad); err != nil || len(got) != 0 {
		t.Errorf("empty plaintext: %q %v", got, err)
	}
}

func TestSignedCookies(t *testing.T) {
	k := testKey(t, 3)
	now := time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC)
	payload := []byte(`{"state":"abc","verifier":"xyz"}`)
	v, err := k.Sign("oauth", payload, now.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Verify("oauth", v, now); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("verify: %q %v", got, err)
	}
	if _, err := k.Verify("oauth", v, now.Add(10*time.Minute)); !errors.Is(err, secret.ErrCookieExpired) {
		t.Errorf("at expiry: %v", err)
	}
	if _, err := k.Verify("session", v, now); !errors.Is(err, secret.ErrCookieInvalid) {
		t.Errorf("under another name: %v", err)
	}
	if _, err := testKey(t, 4).Verify("oauth", v, now); !errors.Is(err, secret.ErrCookieInvalid) {
		t.Errorf("another key: %v", err)
	}
	data, mac, _ := strings.Cut(v, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(data)
	later := bytes.Clone(raw)
	later[3]++ // push the expiry years ahead
	for name, forged := range map[string]string{
		"extended expiry": base64.RawURLEncoding.EncodeToString(later) + "." + mac,
		"changed payload": base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw[:8]), `{"state":"evil"}`...)) + "." + mac,
		"no mac":          data,
		"empty mac":       data + ".",
		"bad base64":      data + ".!!!",
		"short":           base64.RawURLEncoding.EncodeToString(raw[:4]) + "." + mac,
		"empty":           "",
		"huge":            strings.Repeat("a", secret.MaxCookieValue+1),
	} {
		if _, err := k.Verify("oauth", forged, now); !errors.Is(err, secret.ErrCookieInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := k.Sign("oauth", make([]byte, 4000), now); !errors.Is(err, secret.ErrCookieTooLarge) {
		t.Errorf("large payload: %v", err)
	}
}

func TestCookieAttributes(t *testing.T) {
	k := testKey(t, 5)
	now := time.Now()
	c, err := k.SignedCookie("oauth", []byte("p"), now, 10*time.Minute, secret.CookieOptions{Path: "/auth/google", Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	http.SetCookie(rec, c)
	h := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"oauth=", "Path=/auth/google", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=600"} {
		if !strings.Contains(h, want) {
			t.Errorf("Set-Cookie %q lacks %s", h, want)
		}
	}
	r := httptest.NewRequest("GET", "/auth/google/callback", nil)
	if _, err := k.ReadSignedCookie(r, "oauth", now); !errors.Is(err, secret.ErrCookieMissing) {
		t.Errorf("no cookie: %v", err)
	}
	r.AddCookie(c)
	if got, err := k.ReadSignedCookie(r, "oauth", now); err != nil || string(got) != "p" {
		t.Errorf("read: %q %v", got, err)
	}
	rec = httptest.NewRecorder()
	http.SetCookie(rec, secret.ClearCookie("oauth", secret.CookieOptions{}))
	if h := rec.Header().Get("Set-Cookie"); !strings.Contains(h, "Max-Age=0") || !strings.Contains(h, "Path=/") || strings.Contains(h, "Secure") {
		t.Errorf("clear: %q", h)
	}
	for base, want := range map[string]bool{"https://conf.example": true, "http://127.0.0.1:8080": false, "http://[::1]:80": false,
		"http://localhost:8080": false, "http://127.1.2.3": false, "http://conf.example": true, "https://10.0.0.1": true} {
		u, _ := url.Parse(base)
		if got := secret.SecureCookies(u); got != want {
			t.Errorf("SecureCookies(%s) = %t", base, got)
		}
	}
}

func TestCSRF(t *testing.T) {
	k := testKey(t, 6)
	tok := k.CSRFToken("session-a")
	if !k.CheckCSRF("session-a", tok) {
		t.Fatal("own token refused")
	}
	if k.CheckCSRF("session-b", tok) || k.CheckCSRF("", k.CSRFToken("")) || k.CheckCSRF("session-a", "") ||
		k.CheckCSRF("session-a", tok+"x") || testKey(t, 7).CheckCSRF("session-a", tok) {
		t.Fatal("a token of another session, key or shape accepted")
	}
	if tok == k.CSRFToken("session-b") {
		t.Fatal("two sessions share a token")
	}
}

func TestManageTokens(t *testing.T) {
	a, b := secret.NewManageToken(), secret.NewManageToken()
	if a == b {
		t.Fatal("two tokens alike")
	}
	text := a.Encode()
	if len(text) != secret.ManageTokenLen || strings.ContainsAny(text, "+/=") {
		t.Fatalf("text %q", text)
	}
	got, err := secret.ParseManageToken(text)
	if err != nil || got != a {
		t.Fatalf("parse: %v", err)
	}
	h := a.Hash()
	if !a.Matches(h) || b.Matches(h) || !h.Equal(got.Hash()) {
		t.Fatal("hash comparison")
	}
	stored, err := secret.ParseTokenHash(h.String())
	if err != nil || stored != h || len(h.String()) != 64 {
		t.Fatalf("hash text: %v", err)
	}
	// 22 characters carry 132 bits: a last character with its spare bits
	// set would be a second spelling of a token.
	var zero secret.ManageToken
	if zero.Encode() != strings.Repeat("A", 22) {
		t.Fatalf("zero token %q", zero.Encode())
	}
	for _, bad := range []string{"", text[:21], text + "A", strings.Repeat("!", 22), text[:21] + "=", strings.Repeat("A", 21) + "B"} {
		if _, err := secret.ParseManageToken(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 64), h.String()[:62]} {
		if _, err := secret.ParseTokenHash(bad); err == nil {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

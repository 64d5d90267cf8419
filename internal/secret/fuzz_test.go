package secret_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/confcal/confcal/internal/secret"
)

// FuzzVerify feeds cookie values from the wire to Verify: it must never
// panic, and accept only what Sign made.
func FuzzVerify(f *testing.F) {
	k, _ := secret.NewKey(bytes.Repeat([]byte{1}, secret.KeySize))
	now := time.Unix(1_700_000_000, 0)
	good, _ := k.Sign("c", []byte("payload"), now.Add(time.Minute))
	for _, s := range []string{good, "", ".", "a.b", good + "x", "AAAAAAAAAAA.AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p, err := k.Verify("c", v, now)
		if err == nil && (v != good || string(p) != "payload") {
			t.Fatalf("accepted %q", v)
		}
	})
}

// FuzzOpen feeds stored bytes to Open: it must never panic, and open
// nothing but what Seal made (under this key only "token" was sealed; the
// nonce is random, so each fuzzing process seals its own).
func FuzzOpen(f *testing.F) {
	k, _ := secret.NewKey(bytes.Repeat([]byte{2}, secret.KeySize))
	good, _ := k.Seal([]byte("token"), []byte("ad"))
	f.Add(bytes.Clone(good))
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := k.Open(b, []byte("ad"))
		if err == nil && string(p) != "token" {
			t.Fatalf("opened %x", b)
		}
	})
}

// FuzzParseManageToken checks that a token has one spelling only.
func FuzzParseManageToken(f *testing.F) {
	f.Add(secret.NewManageToken().Encode())
	f.Add("AAAAAAAAAAAAAAAAAAAAAB")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := secret.ParseManageToken(s)
		if err == nil && tok.Encode() != s {
			t.Fatalf("%q parses to a token spelled %q", s, tok.Encode())
		}
	})
}

// FuzzParseKey feeds key files to ParseKey: it must never panic.
func FuzzParseKey(f *testing.F) {
	f.Add([]byte("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := secret.ParseKey("key", b); err == nil && k == nil {
			t.Fatal("no key and no error")
		}
	})
}

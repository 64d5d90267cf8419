// Package importtest holds what the tests of every importer share: finding
// sessions and warnings in a result, and the invariant each decoder's fuzz
// target checks.
package importtest

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/programme"
)

// ByTitle returns the sessions of p whose untagged title is title.
func ByTitle(p *programme.Programme, title string) []*programme.Session {
	var out []*programme.Session
	for _, s := range p.Sessions {
		if s.Title.In("") == title {
			out = append(out, s)
		}
	}
	return out
}

// HasWarning reports whether a warning's message contains substr.
func HasWarning(diags programme.Diagnostics, substr string) bool {
	for _, d := range diags {
		if d.Severity == programme.Warning && strings.Contains(d.Message, substr) {
			return true
		}
	}
	return false
}

// UTC parses an RFC 3339 time written in a test; it panics on a typo.
func UTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// CheckDecoded is the invariant of every decoder on any input: an error
// comes with an error finding, and an accepted programme passes the checks
// and encodes to the native format, which reads back (as confcal convert
// requires) with the same session ids and UID keys.
func CheckDecoded(t *testing.T, p *programme.Programme, diags programme.Diagnostics, err error) {
	t.Helper()
	if err != nil {
		if !diags.HasErrors() {
			t.Fatalf("error %v without an error finding", err)
		}
		return
	}
	if programme.Check(p).HasErrors() {
		return
	}
	var buf bytes.Buffer
	if err := programme.Encode(&buf, p); err != nil {
		t.Fatal(err)
	}
	q, _, err := programme.DecodeBytes(buf.Bytes(), "converted.yaml")
	if err != nil {
		t.Fatalf("the converted programme does not read back: %v\n%s", err, buf.String())
	}
	keys := func(p *programme.Programme) []string {
		var out []string
		for _, s := range p.Sessions {
			out = append(out, s.ID+" "+s.UIDKey)
		}
		slices.Sort(out)
		return out
	}
	if a, b := keys(p), keys(q); !slices.Equal(a, b) {
		t.Fatalf("ids and UID keys %v, read back as %v", a, b)
	}
}

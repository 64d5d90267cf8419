package programme

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confcal/confcal/examples"
)

// errorAt decodes src and returns its first error, failing unless there is
// one with a position.
func errorAt(t *testing.T, name, src string) Diagnostic {
	t.Helper()
	_, diags, err := DecodeBytes([]byte(src), name)
	if err == nil {
		t.Fatalf("no error; diagnostics: %v", diags)
	}
	errs := diags.Errors()
	if len(errs) == 0 {
		t.Fatalf("error %v without diagnostics", err)
	}
	for _, d := range errs {
		if d.Line < 1 || d.Column < 1 {
			t.Errorf("error without a line and column: %s", d)
		}
	}
	return errs[0]
}

// amplifying returns a programme of a few hundred kilobytes whose aliases
// stand for more than MaxExpandedSize: each of its sessions repeats one
// long description.
func amplifying(sessions int) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("description: &big " + strings.Repeat("word ", 50<<10/5) + "\nsessions:\n")
	for i := range sessions {
		fmt.Fprintf(&b, "  - {id: s%d, title: S, date: 2025-02-10, description: *big}\n", i)
	}
	return b.String()
}

func TestAliasesAreBounded(t *testing.T) {
	src := amplifying(2000)
	if len(src) > 256<<10 {
		t.Fatalf("the amplifying programme is %d bytes", len(src))
	}
	d := errorAt(t, "big.yaml", src)
	if !strings.Contains(d.Message, "aliases expand the programme past 64 MiB") || !strings.Contains(d.Message, "*big") {
		t.Errorf("error %s", d)
	}
	// The alias that crosses the limit: 64 MiB / 50 KiB in, far before
	// the end of the file.
	if d.Line < 1000 || d.Line > 1500 {
		t.Errorf("error at line %d", d.Line)
	}
	// Fewer uses are fine.
	if _, _, err := DecodeBytes([]byte(amplifying(20)), "small.yaml"); err != nil {
		t.Errorf("20 uses of a 50 KiB alias: %v", err)
	}
}

func TestNestedAliasesAreBounded(t *testing.T) {
	// Each level repeats the one before ten times: 10^9 copies of a
	// kilobyte, from a file of one kilobyte more.
	var b strings.Builder
	b.WriteString(header + "description: &l0 " + strings.Repeat("x", 1000) + "\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	d := errorAt(t, "laughs.yaml", b.String())
	if !strings.Contains(d.Message, "aliases expand") {
		t.Errorf("error %s", d)
	}
}

func TestRecursiveAlias(t *testing.T) {
	d := errorAt(t, "loop.yaml", header+"tracks: &t [*t]\n")
	if !strings.Contains(d.Message, "repeat itself forever") {
		t.Errorf("error %s", d)
	}
}

func TestFieldSizeIsBounded(t *testing.T) {
	src := header + "sessions:\n  - id: a\n    title: A\n    date: 2025-02-10\n    description: " + strings.Repeat("y", MaxFieldSize+1) + "\n"
	d := errorAt(t, "field.yaml", src)
	if d.Line != 8 || !strings.Contains(d.Message, "larger than the 256 KiB a field may hold") {
		t.Errorf("error %s", d)
	}
}

func TestSecondDocument(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		want      string
	}{
		{"stray marker", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10}\n---\n  - {id: b, title: B, date: 2025-02-10}\n", 6, `"---" starts a second YAML document`},
		{"second programme", header + "sessions: []\n---\n" + header, 5, `"---" starts a second YAML document`},
		{"broken second document", header + "sessions:\n  - {id: a, title: A, date: 2025-02-10}\n--- {{{\n", 6, `"---" starts a second YAML document`},
		{"after an end marker", header + "...\nsessions: []\n", 5, `a second YAML document starts here, after the "..." at line 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags, err := DecodeBytes([]byte(tt.src), "docs.yaml")
			if err == nil {
				t.Fatalf("no error: %v", diags)
			}
			for _, d := range diags.Errors() {
				if d.Line == tt.line && strings.Contains(d.Message, tt.want) {
					return
				}
			}
			t.Errorf("no error at line %d with %q:\n%v", tt.line, tt.want, diags)
		})
	}
	// An explicit start of the one document, and an end with only
	// comments after it, are fine.
	for _, src := range []string{"# c\n---\n" + header, "---\n" + header + "...\n# done\n", "%YAML 1.1\n---\n" + header} {
		if _, _, err := DecodeBytes([]byte(src), "one.yaml"); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

func TestBadBytesHaveAPosition(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		want      string
	}{
		{"NUL in YAML", header + "sessions:\n  - {id: a, title: \"A\x00\", date: 2025-02-10}\n", 5, 22, "NUL byte"},
		{"invalid UTF-8 in YAML", header + "description: caf\xe9 au lait\n", 4, 17, "byte 0xe9 is not UTF-8"},
		{"invalid UTF-8 in JSON", "{\"id\": \"x\",\n \"name\": \"Ã©t\xe9\",\n \"timezone\": \"UTC\"}", 2, 14, "byte 0xe9 is not UTF-8"},
		{"control character", header + "description: a\x01b\n", 4, 15, "control character U+0001"},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00", 1, 1, "control character U+007F"},
		{"random bytes", "\x9b\x1d\xe3\x00\x41", 1, 1, "byte 0x9b is not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := errorAt(t, "bytes.yaml", tt.src)
			if d.Line != tt.line || d.Column != tt.col || !strings.Contains(d.Message, tt.want) {
				t.Errorf("got %s, want line %d column %d and %q", d, tt.line, tt.col, tt.want)
			}
		})
	}
}

func TestFirstLineSyntaxErrorHasAPosition(t *testing.T) {
	// yaml.v3 names no line for a problem on the first.
	for _, src := range []string{"a: b: c\n", "\tid: x\n"} {
		if d := errorAt(t, "first.yaml", src); d.Line != 1 {
			t.Errorf("%q: %s", src, d)
		}
	}
}

func TestUnknownAnchorHasAPosition(t *testing.T) {
	d := errorAt(t, "anchor.yaml", header+"description: *nowhere\n")
	if d.Line != 4 || d.Column != 14 {
		t.Errorf("got %s", d)
	}
}

func TestFastAndReferenceParsersAgree(t *testing.T) {
	// The summit decoded by yaml.v3 alone (a tab in a comment keeps the
	// fast parser out) gives the same findings as through the fast parser.
	src := string(examples.Summit)
	fast, fd, ferr := DecodeBytes([]byte(src), "p.yaml")
	slow, sd, serr := DecodeBytes([]byte(src+"#\t\n"), "p.yaml")
	if ferr != nil || serr != nil {
		t.Fatal(ferr, serr)
	}
	if fd.Error() != sd.Error() {
		t.Errorf("findings differ:\n%v\n%v", fd, sd)
	}
	sameProgramme(t, fast, slow)
}

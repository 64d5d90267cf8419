package lenient

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/confcal/confcal/programme"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<ul><li>x</li><li>y</li></ul>", "- x\n- y"},
		{`see <a href="https://e.org/x">the site</a>.`, "see the site (https://e.org/x)."},
		{`<a href="https://e.org">https://e.org</a>`, "https://e.org"},
		{"Fish &amp; chips &lt;3 &eacute;t&eacute;", "Fish & chips <3 été"},
		{"<script>alert(1)</script>kept<style>p{}</style>", "kept"},
		{"<!-- note -->  spaced \n\n  out  ", "spaced out"},
		{"<pre>  keep\n  this</pre>", "keep\n  this"},
		{"1 < 2 and <b>bold</b>", "1 < 2 and bold"},
		{"<p>unclosed <b", "unclosed <b"},
	}
	for _, tt := range tests {
		if got := HTMLToText(tt.in); got != tt.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooksLikeHTML(t *testing.T) {
	for in, want := range map[string]bool{
		"<p>x</p>": true, "a <br/> b": true, "1 < 2": false, "x <- y": false, "plain": false, "**markdown**": false,
	} {
		if got := LooksLikeHTML(in); got != want {
			t.Errorf("LooksLikeHTML(%q) = %v", in, got)
		}
	}
}

func TestFixes(t *testing.T) {
	ids := []struct {
		in, want string
		changed  bool
	}{
		{"367", "367", false}, {"a2dd3dc7-ecae", "a2dd3dc7-ecae", false}, {"talk@host", "talk-host", true}, {" x y ", "x-y", true}, {"", "", true},
	}
	for _, tt := range ids {
		if got, changed := ID(tt.in); got != tt.want || changed != tt.changed {
			t.Errorf("ID(%q) = %q, %v", tt.in, got, changed)
		}
	}
	urls := []struct{ raw, base, want string }{
		{"https://e.org/a b", "", "https://e.org/a%20b"},
		{"/talk/1", "https://e.org/2025/", "https://e.org/talk/1"},
		{"talk/1", "https://e.org/2025/", "https://e.org/2025/talk/1"},
		{"mailto:x@e.org", "", ""},
		{"https://zügli.app/a b", "", "https://zügli.app/a%20b"},
		{"not a url", "", ""},
	}
	for _, tt := range urls {
		if got := URL(tt.raw, tt.base); got != tt.want {
			t.Errorf("URL(%q, %q) = %q, want %q", tt.raw, tt.base, got, tt.want)
		}
	}
	langs := map[string]string{"de, en": "de", "EN": "en", "pt_BR": "pt-BR", "English": "", "": ""}
	for in, want := range langs {
		if got := Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Text("a\r\nb\u2028c\x00d\ufeff "); got != "a\nb\ncd" {
		t.Errorf("Text = %q", got)
	}
	if got := Line(" a \n  b\t c "); got != "a b c" {
		t.Errorf("Line = %q", got)
	}
	if got := Colour("#ABC"); got != "#aabbcc" {
		t.Errorf("Colour = %q", got)
	}
	used := map[string]bool{}
	if a, b := Unique("x", used), Unique("x", used); a != "x" || b != "x-2" {
		t.Errorf("Unique gave %q, %q", a, b)
	}
}

func TestReporterCaps(t *testing.T) {
	r := &Reporter{File: "f"}
	for i := 1; i <= PerKind+3; i++ {
		r.Warnf("kind", programme.Pos{Line: i}, "", "warning %d", i)
	}
	r.Errorf(programme.Pos{Line: 99}, "", "broken")
	ds := r.Diagnostics()
	if got := len(ds); got != PerKind+2 {
		t.Fatalf("%d findings, want %d listed warnings, a summary and the error", got, PerKind+2)
	}
	last := ds[PerKind+1]
	if !strings.Contains(last.Message, "and 2 more like it") || last.Line != PerKind+1 || last.File != "f" {
		t.Errorf("summary %v", last)
	}
	if _, _, err := r.Finish(&programme.Programme{TimeZone: "UTC"}); err == nil {
		t.Error("Finish with an error finding returned no error")
	}
}

// TestRoutineSummed checks that routine clean-ups make one warning for
// their kind, with the count and the first place, and an Info finding
// each when details are asked for.
func TestRoutineSummed(t *testing.T) {
	for _, details := range []bool{false, true} {
		r := &Reporter{File: "f", Details: details}
		for i := 1; i <= PerKind+3; i++ {
			r.Routine("html", "HTML in %d events", programme.Pos{Line: 10 * i, Column: 3}, fmt.Sprintf("event[%d]", i), "HTML in event %d", i)
		}
		r.Routine("other", "other in %d events", programme.Pos{Line: 5}, "event[0]", "other once")
		var warnings, infos []string
		for _, d := range r.Diagnostics() {
			switch d.Severity {
			case programme.Warning:
				warnings = append(warnings, d.String())
			case programme.Info:
				infos = append(infos, d.String())
			}
		}
		want := []string{"f:10:3: warning: HTML in 8 events", "f:5:0: warning: event[0]: other once"}
		if !slices.Equal(warnings, want) {
			t.Errorf("details %v: warnings\n%s\nwant\n%s", details, strings.Join(warnings, "\n"), strings.Join(want, "\n"))
		}
		if n := map[bool]int{false: 0, true: PerKind + 4}[details]; len(infos) != n || n > 0 && infos[0] != "f:10:3: info: event[1]: HTML in event 1" {
			t.Errorf("details %v: %d infos, want %d: %v", details, len(infos), n, infos)
		}
	}
}

func TestLines(t *testing.T) {
	data := []byte("ab\ncdé\nf")
	l := NewLines("x", data)
	for _, tt := range []struct{ off, line, col int }{{0, 1, 1}, {4, 2, 2}, {7, 2, 4}, {8, 3, 1}, {9, 3, 2}, {1, 1, 2}} {
		if p := l.Pos(tt.off); p.Line != tt.line || p.Column != tt.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", tt.off, p.Line, p.Column, tt.line, tt.col)
		}
	}
}

// TestLinesAnyOrder asks for positions forwards, backwards within a line
// and back across lines, against a count from the start of the file.
func TestLinesAnyOrder(t *testing.T) {
	data := []byte("ab\ncdé\n\nfgh€i\nj")
	naive := func(off int) (int, int) {
		line, start := 1, 0
		for i := 0; i < off; i++ {
			if data[i] == '\n' {
				line, start = line+1, i+1
			}
		}
		return line, utf8.RuneCount(data[start:off]) + 1
	}
	l := NewLines("x", data)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		off := rng.IntN(len(data) + 1)
		for off < len(data) && !utf8.RuneStart(data[off]) {
			off++
		}
		line, col := naive(off)
		if p := l.Pos(off); p.Line != line || p.Column != col {
			t.Fatalf("Pos(%d) = %d:%d, want %d:%d", off, p.Line, p.Column, line, col)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{
		"9:30": "09:30", " 09:30 ": "09:30", "23:59:59": "23:59:59", "0:00": "00:00",
		"24:00": "", "9:5": "", "9": "", "09:30:00:00": "", "1a:00": "", "": "", "9:30pm": "",
	} {
		c, ok := ParseClock(in)
		if got := map[bool]string{true: c.String()}[ok]; got != want {
			t.Errorf("ParseClock(%q) = %q, want %q", in, got, want)
		}
	}
	if !(Clock{H: 9}).Less(Clock{H: 9, S: 1}) || (Clock{H: 10}).Less(Clock{H: 9, M: 59}) {
		t.Error("Less does not order times of day")
	}
}

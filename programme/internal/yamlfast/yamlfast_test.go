package yamlfast

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/confcal/confcal/bench/gen/synth"
)

// same returns the first difference between two trees in what Parse
// promises to set, or "".
func same(a, b *yaml.Node, path string) string {
	switch {
	case a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style:
		return fmt.Sprintf("%s: kind %d tag %s style %d %q, yaml.v3 kind %d tag %s style %d %q", path, a.Kind, a.Tag, a.Style, a.Value, b.Kind, b.Tag, b.Style, b.Value)
	case a.Line != b.Line || a.Column != b.Column:
		return fmt.Sprintf("%s %q: at %d:%d, yaml.v3 at %d:%d", path, a.Value, a.Line, a.Column, b.Line, b.Column)
	case a.Anchor != b.Anchor || a.Alias != nil || b.Alias != nil:
		return path + ": anchors or aliases"
	case len(a.Content) != len(b.Content):
		return fmt.Sprintf("%s: %d children, yaml.v3 %d", path, len(a.Content), len(b.Content))
	}
	for i := range a.Content {
		if d := same(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// check parses src with both parsers: when Parse accepts it, yaml.v3 must
// accept it too, with the same tree.
func check(t *testing.T, src []byte) (accepted bool) {
	t.Helper()
	got := Parse(src)
	if got == nil {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(src, &want); err != nil {
		t.Fatalf("Parse accepts what yaml.v3 rejects (%v):\n%s", err, src)
	}
	if d := same(got, &want, ""); d != "" {
		t.Fatalf("%s\nin:\n%s", d, src)
	}
	return true
}

// accepted are inputs in the subset, each with what it exercises.
var accepted = []string{
	"id: x\n",
	"# comment\n\nid: x # trailing\nname:   spaced out   \n",
	"a:\n  b:\n    c: d\n  e: f\ng: h\n",
	"list:\n- a\n- b\nnext: c\n",
	"list:\n  - a\n  -   b\n  - c: d\n    e: f\n  - {x: 1}\n",
	"s:\n  - id: a\n    d: |-\n      one\n\n      two\n    e: |\n      x\n\n\n  - id: b\n",
	"d: |\n  kept  \n    indented\n  last\n",
	"d: |-\n  only\n",
	"d: |\n  no final line feed",
	"q: 'it''s'\nr: \"tab\\there \\u00e9 \\\" \\\\ \\' \\x41 \\U0001F600\"\ns: \"\"\nt: ''\n",
	"n: 12\nf: 1.5\ng: .5\nh: -3\ni: 0x1f\nj: 0o17\nk: 0b101\nl: 1_000\nm: +.inf\no: .NaN\n",
	"b: true\nc: False\nd: null\ne: ~\nf: yes\ng: on\nh: <<\n",
	"date: 2025-02-10\nt: 2025-02-10T09:00\nu: 2025-02-10T09:00:00Z\nv: 2025-02-10 09:00:00\nw: 2025-1-2\n",
	"url: https://example.org/a#frag\nk: a#b\nc: x:y\n",
	"name: {en: A, fr: 'B', de: \"C\"}\ntags: [a, b c, -1, 'd']\nempty: {}\nnone: []\nnested: {a: [1, {b: c}]}\n",
	"\"quoted key\": v\n'single': w\n",
	"  indented: doc\n  more: here\n",
	"{\"id\": \"j\", \"n\": 1,\n \"list\": [1, 2.5, true, null],\n \"o\": {\"a\": \"\\u00e9\"}\n}\n",
	"[1, 2,\n 3]\n",
	"{\"a\":1,\"b\":[\"x\",\"y\"]}",
	"k: ünïcödé vàlue\nünï: v\nx: {ü: ß, y: [ö]}\n",
	"a: b\n\n\n# end\n",
	"x: -y\nz: --\n",
	"$schema: x\n",
	"a:\n  - b\n  - c\n",
	"a:\n  [x, y]\nb: 1\n",
	"a: |\n x\n  b: c\n",
	"f: >-\n  one\n  two\n\n  three\n    indented\n  four\ng: >\n  x\n  y\n\n\nh: >\n  a\n\n\n  b\n",
}

func TestAccepted(t *testing.T) {
	for _, src := range accepted {
		if !check(t, []byte(src)) {
			t.Errorf("Parse gives up on:\n%s", src)
		}
	}
}

// refused are inputs outside the subset, or wrong.
var refused = []string{
	"", "# only a comment\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |+\n  keep\n",
	"a: |2\n   x\n", "a: |\n\n  leading empty line\n", "a: |\n   \n  spaces line\n",
	"a: multi\n  line\n", "a: 'multi\n  line'\n", "a:\nb: 1\n", "a: 1\n---\nb: 2\n", "---\na: 1\n",
	"a: 1\n...\n", "a:\tb\n", "a: b\r\n", "a: b: c\n", "a: [1, 2\n", "a: [1,]\n", "a: {b: }\n",
	"a: {b}\n", "a: [b: c]\n", "- - a\n", "? a\n: b\n", "a: 1\n  b: 2\n", "a: 1\n - b\n", "plain\n",
	"a: @x\n", "a: `x\n", "a: %x\n", "a: \"\\q\"\n", "a: \"\\ud800\"\n", "a: \"x\" y\n", "a: [x]#c\n",
	"a: b\x00\n", "a: \xff\n", "a: \u0085\n", "a: \u2028\n", "\ufeffa: b\n", "a: {b: c # d\n}\n",
	"list:\n- a\nb\n", "a:\n  - b\n c: d\n", "a: {\"b\": 1\n}\n",
	"{\"a\": 1,\n \"b\": x\n y}\n", "[a, b]\nc: d\n", strings.Repeat("k", 1100) + ": v\n",
}

func TestRefused(t *testing.T) {
	for _, src := range refused {
		if check(t, []byte(src)) {
			t.Errorf("Parse accepts:\n%q", src)
		}
	}
}

// realFiles are the programmes of the project, which Parse must read.
func realFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{"synth": synth.Programme(synth.Config{Sessions: 300, Days: 3, Tracks: 5, Venues: 4, Seed: 2})}
	files["synth.json"] = synth.JSON(synth.Config{Sessions: 50, Days: 2, Tracks: 3, Venues: 2, Seed: 3})
	paths, _ := filepath.Glob("../../../examples/*/programme.yaml")
	more, _ := filepath.Glob("../../../examples/agendas/*.yaml")
	for _, path := range append(paths, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[path] = data
	}
	if len(files) < 4 {
		t.Fatalf("found only %d files", len(files))
	}
	return files
}

func TestRealFiles(t *testing.T) {
	for name, data := range realFiles(t) {
		if !check(t, data) {
			t.Errorf("Parse gives up on %s", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range accepted {
		f.Add([]byte(s))
	}
	for _, s := range refused {
		f.Add([]byte(s))
	}
	for _, data := range realFiles(f) {
		if len(data) < 8<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func() {
			// yaml.v3 panics on some hostile input; that is not Parse's
			// concern.
			if r := recover(); r != nil && !strings.Contains(fmt.Sprint(r), "yaml") {
				panic(r)
			}
		}()
		check(t, data)
	})
}

// BenchmarkParse parses the 10,000-session programme of the performance
// target with this package and, for comparison, with yaml.v3.
func BenchmarkParse(b *testing.B) {
	data := synth.Programme(synth.Config{Sessions: 10000, Days: 10, Tracks: 50, Venues: 100, Seed: 1})
	b.Run("yamlfast", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if Parse(data) == nil {
				b.Fatal("Parse gives up")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(data, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestPrintableASCII(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			w := uint64(0x4141414141414141)
			w = w&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
			if got, want := printableASCII(w), c >= 0x20 && c <= 0x7e; got != want {
				t.Fatalf("byte %#x at %d: %v", c, pos, got)
			}
		}
	}
}

package programme

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fragmentMark, on the line before a fenced block, says the block is a
// deliberately partial programme (a few fields, or one list, to show a
// form): it must be valid YAML but is not decoded as a programme.
const fragmentMark = "<!-- fragment -->"

// docBlock is a fenced yaml or json block of a Markdown file.
type docBlock struct {
	file     string
	line     int // of the first line inside the fence
	text     string
	fragment bool
}

// docBlocks returns the yaml and json blocks of a Markdown file.
func docBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out        []docBlock
		cur        *docBlock
		prev       string
		body       strings.Builder
		lineNumber int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lineNumber++
		line := sc.Text()
		fence := strings.TrimSpace(line)
		switch {
		case cur == nil && (fence == "```yaml" || fence == "```yml" || fence == "```json"):
			cur = &docBlock{file: file, line: lineNumber + 1, fragment: strings.TrimSpace(prev) == fragmentMark}
			body.Reset()
		case cur != nil && fence == "```":
			cur.text = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
		prev = line
	}
	if cur != nil {
		t.Fatalf("%s:%d: unclosed block", file, cur.line)
	}
	return out
}

// programmeKeys are the top-level keys only a programme has.
var programmeKeys = []string{"timezone", "sessions", "venues", "tracks", "speakers", "session_url", "day_change"}

// looksLikeProgramme reports whether a block's top level is a mapping with
// a key only a programme has.
func looksLikeProgramme(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		if slices.Contains(programmeKeys, n.Content[i].Value) {
			return true
		}
	}
	return false
}

// TestDocumentedProgrammes decodes every programme shown in the README and
// docs/*.md: a yaml or json block whose top level has a key only a
// programme has (timezone, sessions, venues…) must be a valid programme
// without warnings, unless the line before its fence is
// "<!-- fragment -->". Every yaml and json block must at least be valid
// YAML.
func TestDocumentedProgrammes(t *testing.T) {
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	checked := 0
	for _, file := range files {
		for _, b := range docBlocks(t, file) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(b.text), &n); err != nil {
				t.Errorf("%s:%d: a yaml or json block that does not parse: %v", b.file, b.line, err)
				continue
			}
			if b.fragment || !looksLikeProgramme(&n) {
				continue
			}
			checked++
			_, diags, err := DecodeBytes([]byte(b.text), b.file)
			if err != nil || len(diags) > 0 {
				// Shift the positions to the Markdown file's lines.
				for i := range diags {
					diags[i].Line += b.line - 1
				}
				t.Errorf("%s:%d: the programme shown is not valid (mark a deliberate fragment with %s on the line before the fence):\n%v",
					b.file, b.line, fragmentMark, diags)
			}
		}
	}
	if checked == 0 {
		t.Error("no programme found in the README and docs")
	}
}

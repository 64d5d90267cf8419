package programme

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a finding stops a programme from being used.
type Severity string

// The severities of a Diagnostic. An Info finding is a detail that a
// warning already sums up, such as each of the routine clean-ups an
// importer counts in one warning: shown only on request.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Diagnostic is one problem found in a programme, with where it is.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Path     string   `json:"path,omitempty"` // field path, e.g. sessions[3].start
	Message  string   `json:"message"`
}

// String formats d as file:line:column: severity: path: message.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Column)
	}
	fmt.Fprintf(&b, ": %s: ", d.Severity)
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of findings. As an error it stands for all the
// errors among them.
type Diagnostics []Diagnostic

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics { return ds.only(Error) }

// Warnings returns only the warnings.
func (ds Diagnostics) Warnings() Diagnostics { return ds.only(Warning) }

// Infos returns only the details of severity Info.
func (ds Diagnostics) Infos() Diagnostics { return ds.only(Info) }

func (ds Diagnostics) only(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// HasErrors reports whether any finding is an error.
func (ds Diagnostics) HasErrors() bool { return len(ds.Errors()) > 0 }

// Sort orders findings by file, line, column, then message.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Message < b.Message
	})
}

// Error implements error: one finding per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// InvalidError is returned when a programme has errors. It carries every
// finding, warnings included.
type InvalidError struct {
	Diagnostics Diagnostics
}

func (e *InvalidError) Error() string {
	errs := e.Diagnostics.Errors()
	return fmt.Sprintf("invalid programme (%d error%s):\n%s", len(errs), plural(len(errs)), errs.Error())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Suggest returns the candidate closest to s by edit distance, or "" when
// none is close enough to be a plausible typo.
func Suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if strings.HasPrefix(lc, ls) && ls != "" {
			d := 1
			if d < bestD || (d == bestD && c < best) {
				best, bestD = c, d
			}
			continue
		}
		d := levenshtein(ls, lc)
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean formats a suggestion suffix for messages.
func didYouMean(s string, candidates []string) string {
	if m := Suggest(s, candidates); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

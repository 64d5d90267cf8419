package lenient

import (
	"fmt"

	"github.com/confcal/confcal/programme"
)

// PerKind is how many warnings of one kind are reported one by one before
// the rest are summed up in a single line.
const PerKind = 5

// Reporter collects the findings of one import. Errors are all kept;
// warnings of a kind beyond PerKind are counted and summarised, so that a
// quirk repeated a thousand times does not bury everything else. Routine
// clean-ups are summed up in one warning per kind, their details kept as
// Info findings when Details is set.
type Reporter struct {
	File string
	// Details keeps an Info finding for each routine clean-up, besides the
	// warning that sums them up.
	Details bool
	diags   programme.Diagnostics
	counts  map[string]int
	order   []string
	first   map[string]programme.Diagnostic // by kind: the first warning not listed
	routine []*routine                      // in the order of their first report
}

// routine counts the routine clean-ups of one kind.
type routine struct {
	kind, summary string
	first         programme.Diagnostic
	n             int
}

// Warnf reports a fixed oddity of the given kind at pos.
func (r *Reporter) Warnf(kind string, pos programme.Pos, path, format string, args ...any) {
	if r.counts == nil {
		r.counts = map[string]int{}
		r.first = map[string]programme.Diagnostic{}
	}
	d := r.diag(programme.Warning, pos, path, format, args...)
	n := r.counts[kind]
	r.counts[kind] = n + 1
	switch n {
	case 0:
		r.order = append(r.order, kind)
	case PerKind:
		r.first[kind] = d // the first warning not listed
	}
	if n < PerKind {
		r.diags = append(r.diags, d)
	}
}

// Routine reports a routine clean-up of the given kind at pos, one that
// needs nobody's attention, such as HTML turned into plain text: format
// and args say what was done there. However often it happens, the file's
// findings hold one warning for the kind: this detail itself when it
// happened once, else summary, a format with one %d for the count, at
// the place of the first. With r.Details set, each is an Info finding
// too.
func (r *Reporter) Routine(kind, summary string, pos programme.Pos, path, format string, args ...any) {
	d := r.diag(programme.Info, pos, path, format, args...)
	if r.Details {
		r.diags = append(r.diags, d)
	}
	for _, rt := range r.routine {
		if rt.kind == kind {
			rt.n++
			return
		}
	}
	r.routine = append(r.routine, &routine{kind: kind, summary: summary, first: d, n: 1})
}

// Errorf reports something that cannot be understood.
func (r *Reporter) Errorf(pos programme.Pos, path, format string, args ...any) {
	r.diags = append(r.diags, r.diag(programme.Error, pos, path, format, args...))
}

// HasErrors reports whether an error has been reported.
func (r *Reporter) HasErrors() bool { return r.diags.HasErrors() }

func (r *Reporter) diag(sev programme.Severity, pos programme.Pos, path, format string, args ...any) programme.Diagnostic {
	file := pos.File
	if file == "" {
		file = r.File
	}
	return programme.Diagnostic{Severity: sev, File: file, Line: pos.Line, Column: pos.Column, Path: path,
		Message: fmt.Sprintf(format, args...)}
}

// Diagnostics returns every finding. Of a kind of warning reported more
// than PerKind times, the first PerKind are listed and the next one says
// how many more there were; each kind of routine clean-up is one warning.
func (r *Reporter) Diagnostics() programme.Diagnostics {
	out := append(programme.Diagnostics(nil), r.diags...)
	for _, rt := range r.routine {
		d := rt.first
		d.Severity = programme.Warning
		if rt.n > 1 {
			d.Path, d.Message = "", fmt.Sprintf(rt.summary, rt.n)
		}
		out = append(out, d)
	}
	for _, kind := range r.order {
		if n := r.counts[kind]; n > PerKind {
			first := r.first[kind]
			out = append(out, programme.Diagnostic{Severity: programme.Warning, File: first.File,
				Line: first.Line, Column: first.Column,
				Path: first.Path, Message: fmt.Sprintf("%s (and %d more like it, not listed)", first.Message, n-PerKind-1)})
		}
	}
	return out
}

// Finish closes an import: it normalises p, makes its session ids unique
// (UniqueIDs) and returns it with every finding, or returns an
// *programme.InvalidError when any finding is an error. It does not run
// programme.Check: the loader does, once, for every format.
func (r *Reporter) Finish(p *programme.Programme) (*programme.Programme, programme.Diagnostics, error) {
	if p != nil && !r.HasErrors() {
		programme.Normalize(p)
		UniqueIDs(p)
	}
	ds := r.Diagnostics()
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds, &programme.InvalidError{Diagnostics: ds}
	}
	return p, ds, nil
}

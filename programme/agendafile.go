package programme

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/confcal/confcal/internal/atomicfile"
)

// AgendaFile is a personal agenda: the programme it belongs to, a
// selection, and personal options. A person writes it by hand or has
// confcal agenda --save write it; the same file drives export, the
// subscription URL and sync.
//
//	# My AI Action Summit week
//	programme: ../ai-action-summit/programme.yaml
//	programme_id: ai-action-summit-2025
//	name: My summit week
//	select:
//	  track: [summit, business]
//	  session: ens-ai-in-the-city
//	  exclude: elysee-dinner
//	alarm: 15m
//	lang: fr
//
// The keys under select are the flags of confcal agenda (and, but for
// text, the query parameters of /agenda.ics); each takes one value, a
// comma-separated list or a YAML list.
type AgendaFile struct {
	// Programme is where the programme is read from: a file, an http(s)
	// URL, or empty for the built-in example. A relative file name in the
	// agenda file is relative to the agenda file; LoadAgendaFile makes it
	// usable from the working directory and Save writes it back relative.
	Programme string
	// ProgrammeID is the id of the programme the agenda was made for; a
	// programme with another id is refused by Check. Empty: not checked.
	ProgrammeID string
	// Name is the agenda's title, the calendar's name in clients.
	Name      string
	Selection Selection
	// Alarm adds a reminder this long before each timed session.
	Alarm time.Duration
	// Lang is the language texts are shown and written in.
	Lang string
	// TimeZone (key tz) is the zone the agenda is shown in; empty: the
	// programme's.
	TimeZone string

	// Path is the file the agenda was loaded from.
	Path string
	// pos records where each selection value was written, by field and
	// value, so that an error about a value can point at its line.
	pos map[string]Pos
}

// MaxAgendaFileSize bounds how much of an agenda file is read.
const MaxAgendaFileSize = 1 << 20

// agendaKeys are the keys of an agenda file, in the order Save writes them.
var agendaKeys = []string{"programme", "programme_id", "name", "select", "alarm", "lang", "tz"}

// selectKeys are the keys under select: the flag names.
var selectKeys = []string{"session", "track", "day", "venue", "room", "speaker", "type", "tag", "text",
	"from", "until", "not-track", "not-venue", "not-type", "not-tag", "exclude"}

// LoadAgendaFile reads an agenda file. Errors name the file, line and
// column.
func LoadAgendaFile(path string) (*AgendaFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read agenda: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxAgendaFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read agenda %s: %w", path, err)
	}
	if len(data) > MaxAgendaFileSize {
		return nil, fmt.Errorf("read agenda %s: larger than %d KiB", path, MaxAgendaFileSize>>10)
	}
	af, err := DecodeAgendaFile(data, path)
	if err != nil {
		return nil, err
	}
	af.Programme = resolveFrom(filepath.Dir(path), af.Programme)
	return af, nil
}

// DecodeAgendaFile reads an agenda file's content; name is used in
// messages and as Path. A relative programme file is left as written.
func DecodeAgendaFile(data []byte, name string) (af *AgendaFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			af, err = nil, fmt.Errorf("%s: cannot parse: %v", name, r)
		}
	}()
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:1:1: empty agenda file", name)
		}
		d := yamlError(name, data, err)
		return nil, &AgendaFileError{Errs: []Diagnostic{d}}
	}
	d := &agendaDecoder{file: name, af: &AgendaFile{Path: name, pos: map[string]Pos{}}}
	d.decode(&root)
	if len(d.errs) > 0 {
		return nil, &AgendaFileError{Errs: d.errs}
	}
	return d.af, nil
}

// AgendaFileError lists every problem of an agenda file, each with
// file:line:column.
type AgendaFileError struct {
	Errs []Diagnostic
}

func (e *AgendaFileError) Error() string {
	lines := make([]string, len(e.Errs))
	for i, d := range e.Errs {
		lines[i] = strings.Replace(d.String(), ": error: ", ": ", 1)
	}
	return strings.Join(lines, "\n")
}

type agendaDecoder struct {
	file string
	af   *AgendaFile
	errs []Diagnostic
}

func (d *agendaDecoder) errf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, Diagnostic{Severity: Error, File: d.file, Line: n.Line, Column: n.Column, Path: path,
		Message: fmt.Sprintf(format, args...)})
}

func (d *agendaDecoder) decode(root *yaml.Node) {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	n = resolve(n)
	if isNull(n) {
		return // an empty mapping: no programme, no selection
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "", "an agenda file is a mapping with programme, select, alarm, lang; found %s", kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		switch k.Value {
		case "programme":
			d.af.Programme = d.scalar(k.Value, v)
		case "programme_id":
			d.af.ProgrammeID = d.scalar(k.Value, v)
		case "name":
			d.af.Name = d.scalar(k.Value, v)
		case "lang":
			d.af.Lang = d.scalar(k.Value, v)
		case "tz":
			if tz := d.scalar(k.Value, v); tz != "" {
				if _, err := LoadLocation(tz); err != nil {
					d.errf(v, k.Value, "unknown time zone %q", tz)
				}
				d.af.TimeZone = tz
			}
		case "alarm":
			if s := d.scalar(k.Value, v); s != "" {
				dur, err := ParseDuration(s)
				switch {
				case err != nil:
					d.errf(v, k.Value, "%q is not a duration: write 15m, 1h or PT15M", s)
				case dur < 0:
					d.errf(v, k.Value, "must not be negative")
				default:
					d.af.Alarm = dur
				}
			}
		case "select":
			d.selection(v)
		default:
			d.errf(k, k.Value, "unknown key %q%s", k.Value, didYouMean(k.Value, agendaKeys))
		}
	}
}

func (d *agendaDecoder) scalar(path string, v *yaml.Node) string {
	if isNull(v) {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		d.errf(v, path, "want a single value, found %s", kindName(v))
		return ""
	}
	return strings.TrimSpace(v.Value)
}

func (d *agendaDecoder) selection(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "select", "want a mapping of track, day, session, ...; found %s", kindName(n))
		return
	}
	sel := &d.af.Selection
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		path := "select." + k.Value
		switch k.Value {
		case "from", "until":
			s := d.scalar(path, v)
			if k.Value == "from" {
				sel.From = s
			} else {
				sel.Until = s
			}
			d.af.pos[k.Value+"\x00"+s] = Pos{File: d.file, Line: v.Line, Column: v.Column}
			continue
		}
		dst := selectList(sel, k.Value)
		if dst == nil {
			d.errf(k, path, "unknown key %q%s", k.Value, didYouMean(k.Value, selectKeys))
			continue
		}
		field := k.Value
		if field == "text" {
			field = "q"
		}
		for _, item := range d.items(path, v) {
			vals := []string{strings.TrimSpace(item.Value)}
			if field != "q" {
				vals = splitList(item.Value)
			}
			for _, val := range vals {
				if val == "" {
					continue
				}
				*dst = append(*dst, val)
				d.af.pos[field+"\x00"+val] = Pos{File: d.file, Line: item.Line, Column: item.Column}
			}
		}
	}
}

// items returns the scalars of a value that is a scalar or a list of them.
func (d *agendaDecoder) items(path string, v *yaml.Node) []*yaml.Node {
	switch {
	case isNull(v):
		return nil
	case v.Kind == yaml.ScalarNode:
		return []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for i, it := range v.Content {
			it = resolve(it)
			if it.Kind != yaml.ScalarNode {
				d.errf(it, fmt.Sprintf("%s[%d]", path, i), "want a value, found %s", kindName(it))
				continue
			}
			out = append(out, it)
		}
		return out
	}
	d.errf(v, path, "want a value or a list, found %s", kindName(v))
	return nil
}

// selectList returns the list of sel a select key fills, or nil.
func selectList(sel *Selection, key string) *[]string {
	if key == "text" {
		return &sel.Text
	}
	for _, f := range queryFields {
		if f.name == key && key != "q" {
			return f.list(sel)
		}
	}
	return nil
}

// Locate adds the agenda file's position to an error about one of its
// selection values: a *SelectionError whose value the file holds becomes
// "file:line:column: ...". Other errors are returned as they are.
func (af *AgendaFile) Locate(err error) error {
	var se *SelectionError
	if af == nil || !errors.As(err, &se) {
		return err
	}
	field := se.Field
	pos, ok := af.pos[field+"\x00"+se.Value]
	if !ok {
		return err
	}
	return &LocatedError{Pos: pos, Err: err}
}

// LocatedError is an error about a value written at Pos.
type LocatedError struct {
	Pos Pos
	Err error
}

func (e *LocatedError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %v", e.Pos.File, e.Pos.Line, e.Pos.Column, e.Err)
}

func (e *LocatedError) Unwrap() error { return e.Err }

// Check reports whether the agenda belongs to p.
func (af *AgendaFile) Check(p *Programme) error {
	if af.ProgrammeID != "" && p.ID != "" && af.ProgrammeID != p.ID {
		return fmt.Errorf("agenda %s is for programme %q, not %q", af.Path, af.ProgrammeID, p.ID)
	}
	return nil
}

// isRemote reports whether a programme source is not a local file.
func isRemote(src string) bool {
	return src == "" || src == "-" || strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// resolveFrom makes a programme file named relative to dir usable from the
// working directory.
func resolveFrom(dir, src string) string {
	if isRemote(src) || filepath.IsAbs(src) {
		return src
	}
	return filepath.Join(dir, src)
}

// Save writes the agenda to path atomically: a crash leaves the old file
// or the new one, never half of one. A programme file is written relative
// to the agenda file's directory.
func (af *AgendaFile) Save(path string) error {
	data, err := af.Encode(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("save agenda %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("save agenda %s: %w", path, err)
	}
	return nil
}

// Encode returns the agenda file's content, the selection in canonical
// form. dir is the directory the file will be in, for relative programme
// file names.
func (af *AgendaFile) Encode(dir string) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v *yaml.Node) {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	if prog := af.Programme; prog != "" {
		if !isRemote(prog) {
			if rel, err := relativeTo(dir, prog); err == nil {
				prog = rel
			}
		}
		add("programme", scalar(filepath.ToSlash(prog)))
	}
	if af.ProgrammeID != "" {
		add("programme_id", scalar(af.ProgrammeID))
	}
	if af.Name != "" {
		add("name", scalar(af.Name))
	}
	sel := &yaml.Node{Kind: yaml.MappingNode}
	q := af.Selection.Query()
	for _, key := range selectKeys {
		param := key
		if key == "text" {
			param = "q"
		}
		vals := q[param]
		if len(vals) == 0 {
			continue
		}
		var v *yaml.Node
		if len(vals) == 1 {
			v = scalar(vals[0])
		} else {
			v = strList(vals)
			v.Style = yaml.FlowStyle
		}
		sel.Content = append(sel.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	if len(sel.Content) > 0 {
		add("select", sel)
	}
	if af.Alarm > 0 {
		add("alarm", scalar(formatDuration(af.Alarm)))
	}
	if af.Lang != "" {
		add("lang", scalar(af.Lang))
	}
	if af.TimeZone != "" {
		add("tz", scalar(af.TimeZone))
	}
	var b bytes.Buffer
	b.WriteString("# A confcal agenda: confcal agenda --agenda FILE (see docs/selection.md).\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func relativeTo(dir, file string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	absFile, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	return filepath.Rel(absDir, absFile)
}

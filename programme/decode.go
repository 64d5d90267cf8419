package programme

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/confcal/confcal/programme/internal/yamlfast"
)

// MaxSourceSize bounds how much of a programme source is read.
const MaxSourceSize = 64 << 20

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// Decode reads a programme in the native format, YAML or JSON (JSON is read
// as YAML, which it is a subset of), from r. name is used in messages.
//
// It returns every finding at once. When any of them is an error the
// programme is nil and err is an *InvalidError holding them all.
func Decode(r io.Reader, name string) (*Programme, Diagnostics, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSourceSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSourceSize {
		return nil, nil, fmt.Errorf("read %s: larger than %d MiB", name, MaxSourceSize>>20)
	}
	return DecodeBytes(data, name)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(data []byte, name string) (p *Programme, diags Diagnostics, err error) {
	d := &decoder{file: name}
	defer func() {
		// The YAML library has panicked on hostile input in the past; a
		// programme file must never crash confcal.
		if r := recover(); r != nil {
			p, diags = nil, Diagnostics{{Severity: Error, File: name, Message: fmt.Sprintf("cannot parse: %v", r)}}
			err = &InvalidError{Diagnostics: diags}
		}
	}()
	root := d.parse(data)
	if root == nil || !d.bounded(root) {
		d.diags.Sort()
		return nil, d.diags, &InvalidError{Diagnostics: d.diags}
	}
	p = d.programme(root)
	if !d.diags.HasErrors() {
		d.diags = append(d.diags, Check(p)...)
	}
	d.diags.Sort()
	if d.diags.HasErrors() {
		return nil, d.diags, &InvalidError{Diagnostics: d.diags}
	}
	return p, d.diags, nil
}

// parse returns the document node of data, or nil after reporting why
// there is none. The common subset of YAML is read by yamlfast; the rest,
// and every syntax error, by yaml.v3.
func (d *decoder) parse(data []byte) *yaml.Node {
	if doc := yamlfast.Parse(data); doc != nil {
		return doc
	}
	if diag, bad := textProblem(d.file, data); bad {
		d.diags = append(d.diags, diag)
		return nil
	}
	d.documents(data)
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			d.diags = append(d.diags, Diagnostic{Severity: Error, File: d.file, Line: 1, Column: 1, Message: "empty programme"})
		} else {
			d.diags = append(d.diags, yamlError(d.file, data, err))
		}
		return nil
	}
	return &root
}

var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: (.*)`)

func yamlError(file string, data []byte, err error) Diagnostic {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	d := Diagnostic{Severity: Error, File: file, Message: "syntax: " + msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Column, _ = strconv.Atoi(m[2])
		if d.Column == 0 {
			d.Column = 1
		}
		d.Message = "syntax: " + m[3]
	} else if d.Line, d.Column = anchorPosition(data, msg); d.Line == 0 {
		// yaml.v3 leaves out the line of a problem on the first.
		d.Line, d.Column = 1, 1
	}
	return d
}

type decoder struct {
	file  string
	diags Diagnostics
	p     *Programme

	// Indexes of what the programme declares, for references.
	venues   map[string]*Venue
	tracks   map[string]*Track
	speakers map[string]*Speaker
	rooms    map[string][]*Room
	// unknown are the session speakers named by something that looks like
	// an id and is none, checked once every inline name is known.
	unknown []speakerRef
}

func (d *decoder) report(sev Severity, n *yaml.Node, path, format string, args ...any) {
	diag := Diagnostic{Severity: sev, File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		diag.Line, diag.Column = n.Line, n.Column
	}
	d.diags = append(d.diags, diag)
}

func (d *decoder) errf(n *yaml.Node, path, format string, args ...any) {
	d.report(Error, n, path, format, args...)
}

func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.report(Warning, n, path, format, args...)
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "an unknown value"
}

// field is a value read from a mapping or a list. Its path, which only
// messages need, is put together when asked for.
type field struct {
	key, val *yaml.Node // key is nil for a list item or a whole value
	at       string     // path of the mapping or list holding the value
	item     int        // 1 + the value's index in a list
}

func (f field) path() string {
	switch {
	case f.key != nil:
		return join(f.at, f.key.Value)
	case f.item > 0:
		return fmt.Sprintf("%s[%d]", f.at, f.item-1)
	}
	return f.at
}

// fieldSet is the keys a kind of mapping may have.
type fieldSet struct {
	names []string
	index map[string]int
}

func newFieldSet(names ...string) *fieldSet {
	fs := &fieldSet{names: names, index: make(map[string]int, len(names))}
	for i, n := range names {
		fs.index[n] = i
	}
	return fs
}

// fields are a mapping's values, by key.
type fields struct {
	set  *fieldSet
	vals []field
}

// get returns the field name, which must be in the set; its val is nil
// when the mapping does not have it.
func (fs fields) get(name string) field {
	i, ok := fs.set.index[name]
	if !ok {
		panic("programme: no field " + name)
	}
	return fs.vals[i]
}

// object checks that n is a mapping whose keys are all in set, and returns
// its fields. Unknown and repeated keys are reported.
func (d *decoder) object(n *yaml.Node, path string, set *fieldSet) (fields, bool) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		d.errf(n, path, "expected a mapping, got %s", kindName(n))
		return fields{}, false
	}
	fs := fields{set: set, vals: make([]field, len(set.names))}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errf(k, path, "keys must be strings")
			continue
		}
		j, known := set.index[k.Value]
		switch {
		case !known:
			d.errf(k, join(path, k.Value), "unknown field %q%s", k.Value, didYouMean(k.Value, set.names))
		case fs.vals[j].key != nil:
			d.errf(k, join(path, k.Value), "field %q given twice", k.Value)
		default:
			fs.vals[j] = field{key: k, val: resolve(v), at: path}
		}
	}
	return fs, true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// str returns a scalar as a string. Numbers are accepted (ids like 367);
// booleans, lists and mappings are type errors.
func (d *decoder) str(f field) (string, bool) {
	if f.val == nil || isNull(f.val) {
		return "", false
	}
	n := f.val
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
		d.errf(n, f.path(), "expected a string, got %s", kindName(n))
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// id reads an id; ok is false when it is missing or invalid, which is
// reported unless it is missing.
func (d *decoder) id(f field) (id string, ok bool) {
	s, ok := d.str(f)
	if !ok {
		return "", false
	}
	if !idPattern.MatchString(s) {
		d.errf(f.val, f.path(), "%q is not a valid id: use letters, digits, '.', '_', '-' and '~', starting with a letter or digit", s)
		return "", false
	}
	return s, true
}

// text reads a string or a mapping of language tag to string.
func (d *decoder) text(f field) Text {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	n := f.val
	switch n.Kind {
	case yaml.ScalarNode:
		s, ok := d.str(f)
		if !ok || s == "" {
			return nil
		}
		return Text{"": s}
	case yaml.MappingNode:
		t := Text{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
			lf := field{key: k, val: v, at: f.path()}
			if !langPattern.MatchString(k.Value) {
				d.errf(k, lf.path(), "%q is not a language tag (like en, fr or pt-BR)", k.Value)
				continue
			}
			if s, ok := d.str(lf); ok && s != "" {
				t[k.Value] = s
			}
		}
		return t
	}
	d.errf(n, f.path(), "expected a string or a mapping of language to text, got %s", kindName(n))
	return nil
}

var langPattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// strs reads a list of strings, or a single string as a list of one.
func (d *decoder) strs(f field) []string {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	if f.val.Kind == yaml.ScalarNode {
		if s, ok := d.str(f); ok && s != "" {
			return []string{s}
		}
		return nil
	}
	if f.val.Kind != yaml.SequenceNode {
		d.errf(f.val, f.path(), "expected a list of strings, got %s", kindName(f.val))
		return nil
	}
	out := make([]string, 0, len(f.val.Content))
	for i, item := range f.val.Content {
		if s, ok := d.str(field{val: resolve(item), at: f.path(), item: i + 1}); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) list(f field) []*yaml.Node {
	if f.val == nil || isNull(f.val) {
		return nil
	}
	if f.val.Kind != yaml.SequenceNode {
		d.errf(f.val, f.path(), "expected a list, got %s", kindName(f.val))
		return nil
	}
	out := make([]*yaml.Node, len(f.val.Content))
	for i, n := range f.val.Content {
		out[i] = resolve(n)
	}
	return out
}

func (d *decoder) number(f field) (float64, bool) {
	if f.val == nil || isNull(f.val) {
		return 0, false
	}
	if f.val.Kind != yaml.ScalarNode || (f.val.Tag != "!!int" && f.val.Tag != "!!float" && f.val.Tag != "!!str") {
		d.errf(f.val, f.path(), "expected a number, got %s", kindName(f.val))
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(f.val.Value), 64)
	if err != nil {
		d.errf(f.val, f.path(), "%q is not a number", f.val.Value)
		return 0, false
	}
	return v, true
}

func (d *decoder) url(f field) string {
	s, ok := d.str(f)
	if !ok || s == "" {
		return ""
	}
	if err := checkURL(s); err != nil {
		d.errf(f.val, f.path(), "%v", err)
		return ""
	}
	return s
}

func checkURL(s string) error {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	if strings.ContainsAny(s, " \t\r\n\"<>") {
		return fmt.Errorf("URL %q contains spaces or characters that must be escaped", s)
	}
	return nil
}

func (d *decoder) zone(f field) (string, *time.Location) {
	s, ok := d.str(f)
	if !ok || s == "" {
		return "", nil
	}
	loc, err := LoadLocation(s)
	if err != nil {
		d.errf(f.val, f.path(), "unknown time zone %q: use an IANA name such as Europe/Paris", s)
		return "", nil
	}
	return s, loc
}

// LoadLocation loads an IANA time zone, refusing the empty name and
// "Local", whose meaning depends on the machine.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

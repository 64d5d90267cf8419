package csvprog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// Options tune how a CSV programme is read.
type Options struct {
	// TimeZone is the IANA zone of the programme's local times. A CSV file
	// names no zone, so it is needed unless every time carries a UTC
	// offset.
	TimeZone string
	// Details keeps an Info finding for each routine clean-up (HTML
	// turned into plain text), besides the one warning that counts them.
	Details bool
}

// row is one data row with the cells of each field.
type row struct {
	cells map[Field]string
	pos   programme.Pos
	path  string
}

// Decode reads a CSV programme and returns it, with a warning for every
// oddity fixed. It ends with programme.Normalize but does not run
// programme.Check; the source package does.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	r := &lenient.Reporter{File: name, Details: opts.Details}
	rows := parse(data, name, r)
	var p *programme.Programme
	if rows != nil {
		p = build(rows, name, opts, r)
	}
	if p == nil && !r.HasErrors() {
		r.Errorf(programme.Pos{File: name}, "", "no sessions found")
	}
	return r.Finish(p)
}

// parse reads the header and the rows. It returns nil when the file has
// no usable header.
func parse(data []byte, name string, r *lenient.Reporter) []row {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		if dec, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil {
			data = dec
			r.Warnf("encoding", programme.Pos{File: name, Line: 1, Column: 1}, "", "the file is not UTF-8; read it as Windows-1252")
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			r.Errorf(programme.Pos{File: name, Line: 1, Column: 1}, "", "empty file: a CSV programme needs a header row and one row per session")
		} else {
			r.Errorf(programme.Pos{File: name, Line: 1, Column: 1}, "", "cannot read the header row: %v", err)
		}
		return nil
	}
	cols := columns(header, name, r)
	if cols == nil {
		return nil
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			pos := programme.Pos{File: name}
			if errors.As(err, &pe) {
				pos.Line, pos.Column = pe.Line, pe.Column
			}
			r.Errorf(pos, "", "cannot read the row: %v", err)
			return nil
		}
		line, col := cr.FieldPos(0)
		rw := row{cells: map[Field]string{}, pos: programme.Pos{File: name, Line: line, Column: col},
			path: fmt.Sprintf("row %d", len(rows)+2)}
		empty := true
		for i, cell := range rec {
			if strings.TrimSpace(cell) != "" {
				empty = false
			}
			if i < len(cols) && cols[i] != "" {
				rw.cells[cols[i]] = cell
			}
		}
		switch {
		case empty:
		case len(rec) > len(header):
			r.Warnf("columns", rw.pos, rw.path, "the row has %d cells, the header %d; the extra cells are ignored", len(rec), len(header))
		case len(rec) < len(header):
			r.Warnf("columns", rw.pos, rw.path, "the row has %d cells, the header %d; %s left empty (a separator missing?)",
				len(rec), len(header), missingColumns(header[len(rec):]))
		}
		if !empty {
			rows = append(rows, rw)
		}
	}
	return rows
}

// missingColumns names the columns a short row leaves out.
func missingColumns(header []string) string {
	names := make([]string, 0, len(header))
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" {
			names = append(names, strconv.Quote(h))
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("the last %d columns are", len(header))
	}
	if len(names) == 1 {
		return "column " + names[0] + " is"
	}
	return "columns " + strings.Join(names, ", ") + " are"
}

// separator picks the comma, semicolon or tab, whichever the header line
// has most of outside quotes.
func separator(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			goto done
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[rune(c)]++
		}
	}
done:
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// columns maps each header cell to the field it holds.
func columns(header []string, name string, r *lenient.Reporter) []Field {
	cols := make([]Field, len(header))
	seen := map[Field]string{}
	for i, h := range header {
		pos := programme.Pos{File: name, Line: 1, Column: i + 1}
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		f, ok := FieldOf(h)
		if !ok {
			r.Warnf("column", pos, "header", "column %q is not one confcal knows; ignored (see docs/formats.md for the column names)", h)
			continue
		}
		if prev, dup := seen[f]; dup {
			r.Warnf("column", pos, "header", "column %q holds the %s, like column %q before it; ignored", h, f, prev)
			continue
		}
		seen[f] = h
		cols[i] = f
	}
	_, hasTitle := seen[FieldTitle]
	_, hasStart := seen[FieldStart]
	_, hasDate := seen[FieldDate]
	if !hasTitle || !hasStart && !hasDate {
		r.Errorf(programme.Pos{File: name, Line: 1, Column: 1}, "header",
			"the header row %q needs a title column and a start or date column (such as title,date,start,end,room)", strings.Join(header, ","))
		return nil
	}
	return cols
}

// builder turns rows into a programme.
type builder struct {
	r      *lenient.Reporter
	p      *programme.Programme
	loc    *time.Location
	venues map[string]*programme.Venue
	tracks map[string]*programme.Track
	ids    map[string]bool
}

func build(rows []row, name string, opts Options, r *lenient.Reporter) *programme.Programme {
	b := &builder{r: r, venues: map[string]*programme.Venue{}, tracks: map[string]*programme.Track{}, ids: map[string]bool{}}
	if !b.zone(rows, name, opts) {
		return nil
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	id, _ := lenient.ID(base)
	if id == "" || name == "<stdin>" {
		id = "programme"
	}
	b.p = &programme.Programme{ID: id, Name: programme.Plain(base), Source: name, TimeZone: b.loc.String(), Location: b.loc}
	if name == "<stdin>" {
		b.p.Name = programme.Plain("Programme")
	}
	_, hasID := rows[0].cells[FieldID]
	if !hasID {
		r.Warnf("no-id", programme.Pos{File: name, Line: 1, Column: 1}, "header",
			"there is no id column: session ids are made from titles, so a renamed session gets a new UID; add an id column to keep them")
	}
	for i := range rows {
		if s := b.session(&rows[i]); s != nil {
			b.p.Sessions = append(b.p.Sessions, s)
		}
	}
	return b.p
}

// zone settles the time zone: --timezone, or the offset every time
// carries.
func (b *builder) zone(rows []row, name string, opts Options) bool {
	pos := programme.Pos{File: name, Line: 1, Column: 1}
	if opts.TimeZone != "" {
		loc, err := programme.LoadLocation(opts.TimeZone)
		if err != nil {
			b.r.Errorf(programme.Pos{}, "", "unknown time zone %q: give an IANA name such as Europe/Paris", opts.TimeZone)
			return false
		}
		b.loc = loc
		return true
	}
	offset, n := 0, 0
	for _, rw := range rows {
		w, ok := parseWhen(rw.cells[FieldStart])
		if !ok || !w.hasOffset {
			b.r.Errorf(pos, "", "no time zone: a CSV file names none, and %s has a local date or time; give the programme's zone with --timezone, for example --timezone Europe/Paris", rw.path)
			return false
		}
		_, off := w.instant.Zone()
		if n > 0 && off != offset {
			b.r.Errorf(pos, "", "no time zone: a CSV file names none, and its times have several UTC offsets; give the programme's zone with --timezone")
			return false
		}
		offset, n = off, n+1
	}
	zone := "UTC"
	if offset != 0 {
		if offset%3600 != 0 {
			b.r.Errorf(pos, "", "no time zone: a CSV file names none; give the programme's zone with --timezone")
			return false
		}
		zone = fmt.Sprintf("Etc/GMT%+d", -offset/3600)
	}
	loc, err := programme.LoadLocation(zone)
	if err != nil {
		b.r.Errorf(pos, "", "no time zone: give the programme's zone with --timezone")
		return false
	}
	b.r.Warnf("zone", pos, "", "no time zone given; every time carries the same UTC offset, so the programme uses %s, which has no daylight-saving rules: give the real zone with --timezone", zone)
	b.loc = loc
	return true
}

package source

import (
	"bytes"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/c3voc"
	csvprog "github.com/confcal/confcal/programme/csvprog"
	"github.com/confcal/confcal/programme/frab"
	icalin "github.com/confcal/confcal/programme/icalin"
)

// Decode decodes data in whichever supported format it is in (or in
// opts.Format), and checks the result as every programme is checked.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	data = bytes.TrimPrefix(data, bom)
	format := opts.Format
	if format == Auto {
		format = Detect(data, name)
	}
	var (
		p     *programme.Programme
		diags programme.Diagnostics
		err   error
	)
	switch format {
	case Native:
		// The native decoder checks the programme itself.
		return programme.DecodeBytes(data, name)
	case Frab:
		p, diags, err = frab.Decode(data, name, frab.Options{TimeZone: opts.TimeZone, Details: opts.Details})
	case C3VOC:
		p, diags, err = c3voc.Decode(data, name, c3voc.Options{TimeZone: opts.TimeZone, Details: opts.Details})
	case CSV:
		p, diags, err = csvprog.Decode(data, name, csvprog.Options{TimeZone: opts.TimeZone, Details: opts.Details})
	case ICal:
		p, diags, err = icalin.Decode(data, name, icalin.Options{TimeZone: opts.TimeZone, Details: opts.Details})
	default:
		return nil, nil, &programme.InvalidError{Diagnostics: programme.Diagnostics{{
			Severity: programme.Error, File: name, Message: "unknown format " + string(format)}}}
	}
	if err != nil {
		return nil, diags, err
	}
	diags = append(diags, programme.Check(p)...)
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags, &programme.InvalidError{Diagnostics: diags}
	}
	return p, diags, nil
}

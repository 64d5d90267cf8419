package main

import (
	"strings"
	"testing"

	"github.com/confcal/confcal/programme"
)

// TestFindingsDetailsWithVerbose checks what each level of findings
// shows: warnings unless -q, and details below warnings (the single cases
// a summary warning of an importer stands for) only with -v.
func TestFindingsDetailsWithVerbose(t *testing.T) {
	ds := programme.Diagnostics{
		{Severity: programme.Error, File: "f.xml", Message: "an error, shown with the error itself"},
		{Severity: programme.Warning, File: "f.xml", Message: "12 descriptions cleaned up"},
		{Severity: programme.Severity("info"), File: "f.xml", Line: 7, Column: 3, Message: "event 9: a <br> became a new line"},
	}
	tests := []struct {
		quiet, verbose bool
		want           string
	}{
		{false, false, "f.xml: warning: 12 descriptions cleaned up\n"},
		{false, true, "f.xml: warning: 12 descriptions cleaned up\nf.xml:7:3: info: event 9: a <br> became a new line\n"},
		{true, false, ""},
		{true, true, ""},
	}
	for _, tt := range tests {
		var b strings.Builder
		a := &app{quiet: tt.quiet, verbose: tt.verbose}
		a.printFindings(&b, ds)
		if b.String() != tt.want {
			t.Errorf("quiet=%v verbose=%v:\n%s\nwant\n%s", tt.quiet, tt.verbose, b.String(), tt.want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

type convertOptions struct {
	output string
	format string
}

func newConvertCmd(a *app) *cobra.Command {
	opts := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert [IN] -o FILE",
		Short: "Turn a programme from another tool into confcal's own format",
		Long: `Convert reads a programme in any format confcal understands and writes it in
confcal's native YAML format, ready to edit and to commit.

IN is a file, an http(s) URL or '-' for standard input; its format is detected
from its content: a frab, pentabarf or pretalx schedule.xml, a c3voc or
pretalx schedule.json (or the schedule2 draft), a CSV export from a
spreadsheet, an iCalendar (.ics) file, or a native programme. --format forces
one of native, frab, c3voc, csv and ical.

Real exports are messy: each oddity confcal fixes is reported as a warning
with its place (--quiet hides them); what it cannot understand is an error
naming the file, the place and the value, and then nothing is written.
Formats that may lack a time zone (old pentabarf files, CSV, floating
iCalendar times) need --timezone.

The output is written whole or not at all: to a temporary file beside FILE,
then renamed (a device or a pipe is written to as it is). Without -o, or
with -o -, it goes to standard output. A one-line summary goes to standard
error, unless --quiet.`,
		Example: `  confcal convert schedule.xml -o programme.yaml
  confcal convert https://fosdem.org/2024/schedule/xml --timezone Europe/Brussels -o fosdem.yaml
  confcal convert talks.csv --timezone Europe/Paris -o programme.yaml
  confcal convert --format ical feed.txt -o programme.yaml`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConvert(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.output, "output", "o", "-", "write the programme to `FILE` ('-' for standard output)")
	cmd.Flags().StringVar(&opts.format, "format", "", "read the input as `FORMAT`: native, frab, c3voc, csv or ical (default: detected)")
	return cmd
}

func runConvert(ctx context.Context, a *app, opts *convertOptions) error {
	format, err := source.ParseFormat(opts.format)
	if err != nil {
		return &usageError{err}
	}
	p, diags, err := source.Load(ctx, a.cfg.Config.Programme, source.Options{Stdin: a.stdin, TimeZone: a.cfg.Config.TimeZone, Format: format})
	if err != nil {
		return err
	}
	a.printFindings(a.stderr, diags)
	var buf bytes.Buffer
	if err := programme.Encode(&buf, p); err != nil {
		return err
	}
	// What is written must read back: never leave a file confcal itself
	// would refuse.
	if _, _, err := programme.DecodeBytes(buf.Bytes(), opts.output); err != nil {
		return fmt.Errorf("convert: the converted programme does not read back: %w", err)
	}
	if fi, err := os.Stat(a.path(opts.output)); opts.output != stdoutName && err == nil && fi.IsDir() {
		return fmt.Errorf("write %s: is a directory", opts.output)
	}
	where, err := a.writeOutput(opts.output, buf.Bytes())
	if err != nil {
		return fmt.Errorf("write %s: %w", opts.output, err)
	}
	if !a.quiet {
		warnings := len(diags.Warnings())
		fmt.Fprintf(a.stderr, "converted %d session%s from %s to %s (%d warning%s)\n", len(p.Sessions), plural(len(p.Sessions)),
			a.programmeName(), where, warnings, plural(warnings))
	}
	return nil
}

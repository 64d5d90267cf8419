package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

type validateOptions struct {
	strict bool
	json   bool
}

func newValidateCmd(a *app) *cobra.Command {
	opts := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a programme and report every problem at once",
		Long: `Validate reads a programme and reports every problem it finds, each with
file:line:column, the field and a plain message.

Errors (exit 1): unknown venue, room, track or speaker references, duplicate
session ids, an end not after its start, unknown time zones, impossible dates,
missing titles, wrong types. Warnings (exit 0, printed): two sessions in one
room at once, a speaker in two places at once, a session outside the
programme's dates. --strict makes warnings errors.`,
		Example: `  confcal validate programme.yaml
  confcal validate --strict --json programme.yaml
  confcal validate          # the built-in example`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runValidate(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "treat warnings as errors")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print findings as JSON")
	return cmd
}

type validateReport struct {
	File     string                 `json:"file"`
	Valid    bool                   `json:"valid"`
	Errors   int                    `json:"errors"`
	Warnings int                    `json:"warnings"`
	Findings []programme.Diagnostic `json:"findings"`
	Sessions int                    `json:"sessions,omitempty"`
}

func runValidate(ctx context.Context, a *app, opts *validateOptions) error {
	p, diags, err := source.Load(ctx, a.cfg.Config.Programme, source.Options{Stdin: a.stdin, TimeZone: a.cfg.Config.TimeZone})
	var invalid *programme.InvalidError
	if errors.As(err, &invalid) {
		diags = invalid.Diagnostics
	} else if err != nil {
		return err
	}
	if opts.strict {
		for i := range diags {
			diags[i].Severity = programme.Error
		}
	}
	name := a.cfg.Config.Programme
	if name == "" {
		name = "built-in example"
	}
	rep := validateReport{File: name, Findings: diags, Errors: len(diags.Errors()), Warnings: len(diags.Warnings())}
	rep.Valid = rep.Errors == 0
	if rep.Findings == nil {
		rep.Findings = programme.Diagnostics{}
	}
	if p != nil {
		rep.Sessions = len(p.Sessions)
	}
	if opts.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, d := range diags {
			if !a.shown(d) {
				continue
			}
			fmt.Fprintln(a.stdout, d.String())
		}
		if rep.Valid {
			fmt.Fprintf(a.stdout, "%s: ok: %d session%s, %d warning%s\n", name, rep.Sessions, plural(rep.Sessions), rep.Warnings, plural(rep.Warnings))
		} else {
			fmt.Fprintf(a.stdout, "%s: %d error%s, %d warning%s\n", name, rep.Errors, plural(rep.Errors), rep.Warnings, plural(rep.Warnings))
		}
	}
	if !rep.Valid {
		return &silentError{code: exitError}
	}
	return nil
}

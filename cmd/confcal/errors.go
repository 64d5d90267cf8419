package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

// reportedError ends a command with exitReported after it has printed
// what it found.
type reportedError struct{ msg string }

func (e *reportedError) Error() string { return e.msg }

// usageError is a mistake in how a command was called. Every usage error
// is one: those of confcal's own checks (usagef), of flags (the flag error
// function), of arguments (every command's Args validator is wrapped by
// typeUsageErrors) and unknown commands (commandArgs).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// silentError is an error already shown to the user in full.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// typeUsageErrors makes every error of cobra's argument validators and
// flag parsing under root a usageError, so that exitCode recognises them
// by their type.
func typeUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		// A command that only groups others stops at the first flag it
		// does not know; a word before it is the real mistake.
		if args := cmd.Flags().Args(); cmd.HasSubCommands() && len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return &usageError{err}
	})
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		switch {
		case cmd.HasSubCommands():
			// Run, so that cobra checks its arguments rather than
			// showing the help for any.
			cmd.Args = commandArgs
			if !cmd.Runnable() {
				cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			}
		case cmd.Args != nil:
			validate := cmd.Args
			cmd.Args = func(cmd *cobra.Command, args []string) error {
				if err := validate(cmd, args); err != nil {
					return &usageError{err}
				}
				return nil
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// commandArgs is the argument check of a command that groups others: a
// word there is a command that does not exist.
func commandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, args[0])
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &usageError{errors.New(msg)}
}

// noArgs is the argument check of a command that takes none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, not %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// programmeAnnotation marks the commands that take the programme as their
// argument.
const programmeAnnotation = "confcal-programme-argument"

// acceptProgramme lets cmd take the programme as its one argument, the
// same as -p FILE.
func acceptProgramme(cmd *cobra.Command) *cobra.Command {
	if !strings.Contains(cmd.Use, "[") {
		cmd.Use += " [FILE]"
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usagef("%s takes one programme FILE, not %d arguments", cmd.CommandPath(), len(args))
		}
		return nil
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[programmeAnnotation] = "yes"
	return cmd
}

// programmeArg returns the programme cmd was given as its argument, or "";
// given with -p too, both must name the same.
func programmeArg(cmd *cobra.Command, args []string) (string, error) {
	if _, ok := cmd.Annotations[programmeAnnotation]; !ok || len(args) == 0 {
		return "", nil
	}
	arg := args[0]
	if f := cmd.Flags().Lookup("programme"); f != nil && f.Changed && !sameProgramme(f.Value.String(), arg) {
		return "", usagef("the programme is given twice, as %s and as -p %s: give one", arg, f.Value)
	}
	return arg, nil
}

func sameProgramme(a, b string) bool {
	if a == b {
		return true
	}
	if source.IsURL(a) || source.IsURL(b) || a == "-" || b == "-" {
		return false
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// exitCode prints err for the user, plainly or, when the command was
// asked for --json, as one JSON object, and returns the exit status.
func (a *app) exitCode(cmd *cobra.Command, args []string, err error) int {
	if err == nil {
		return exitOK
	}
	var silent *silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	r := describeError(err)
	if r.Error == "" {
		return r.ExitCode
	}
	if r.Kind == "usage" && cmd != nil {
		r.Help = cmd.CommandPath() + " --help"
	}
	if wantsJSON(cmd, args) {
		b, _ := json.Marshal(r)
		fmt.Fprintf(a.stderr, "%s\n", b)
		return r.ExitCode
	}
	if r.Kind == "invalid" {
		for _, d := range r.Diagnostics {
			if a.shown(d) {
				fmt.Fprintln(a.stderr, d.String())
			}
		}
	}
	fmt.Fprintln(a.stderr, "confcal:", r.Error)
	if r.Help != "" {
		fmt.Fprintf(a.stderr, "Run '%s' for usage.\n", r.Help)
	}
	return r.ExitCode
}

// errorReport is how an error is shown.
type errorReport struct {
	Error string `json:"error"`
	// Kind is usage, invalid (a programme with errors), reported
	// (problems found), interrupted or error.
	Kind        string                `json:"kind"`
	ExitCode    int                   `json:"exit_code"`
	Help        string                `json:"help,omitempty"`
	Diagnostics programme.Diagnostics `json:"diagnostics,omitempty"`
}

func describeError(err error) errorReport {
	var (
		rep     *reportedError
		usage   *usageError
		invalid *programme.InvalidError
	)
	switch {
	case errors.As(err, &rep):
		return errorReport{Error: rep.msg, Kind: "reported", ExitCode: exitReported}
	case errors.As(err, &usage):
		return errorReport{Error: err.Error(), Kind: "usage", ExitCode: exitUsage}
	case errors.As(err, &invalid):
		n := len(invalid.Diagnostics.Errors())
		return errorReport{Error: fmt.Sprintf("invalid programme: %d error%s", n, plural(n)), Kind: "invalid",
			ExitCode: exitError, Diagnostics: invalid.Diagnostics}
	case errors.Is(err, context.Canceled):
		return errorReport{Error: "interrupted", Kind: "interrupted", ExitCode: exitError}
	}
	return errorReport{Error: err.Error(), Kind: "error", ExitCode: exitError}
}

// wantsJSON reports whether cmd was asked for --json, even when its flags
// did not parse.
func wantsJSON(cmd *cobra.Command, args []string) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	if f == nil {
		return false
	}
	if f.Value.String() == "true" {
		return true
	}
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	return slices.Contains(args, "--json") || slices.Contains(args, "--json=true")
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitError    = 1
	exitReported = 2 // something to report: pending changes, conflicts
	exitUsage    = 64
)

// app is what every command shares: standard streams, the environment,
// the clock and the configuration, injected so that tests control them.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	now            func() time.Time
	workDir        string

	configFile string
	quiet      bool
	verbose    bool
	cfg        *config.Loaded
	log        *slog.Logger
}

// reportedError ends a command with exitReported after it has printed
// what it found.
type reportedError struct{ msg string }

func (e *reportedError) Error() string { return e.msg }

// usageError is a mistake in how a command was called.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// silentError is an error already shown to the user in full.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	wd, _ := os.Getwd()
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env, now: time.Now, workDir: wd}
	if v, ok := env("CONFCAL_NOW"); ok && v != "" {
		// A fixed clock, for reproducible builds and tests.
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fmt.Fprintf(stderr, "confcal: CONFCAL_NOW=%q is not an RFC 3339 time\n", v)
			return exitUsage
		}
		a.now = func() time.Time { return t }
	}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	return a.exitCode(err)
}

func (a *app) exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var silent *silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	var rep *reportedError
	if errors.As(err, &rep) {
		if rep.msg != "" {
			fmt.Fprintln(a.stderr, "confcal:", rep.msg)
		}
		return exitReported
	}
	var usage *usageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		fmt.Fprintf(a.stderr, "confcal: %v\nRun 'confcal --help' for usage.\n", err)
		return exitUsage
	}
	var invalid *programme.InvalidError
	if errors.As(err, &invalid) {
		printDiagnostics(a.stderr, invalid.Diagnostics, a.quiet)
		errs := invalid.Diagnostics.Errors()
		fmt.Fprintf(a.stderr, "confcal: invalid programme: %d error%s\n", len(errs), plural(len(errs)))
		return exitError
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.stderr, "confcal: interrupted")
		return exitError
	}
	fmt.Fprintln(a.stderr, "confcal:", err)
	return exitError
}

// isCobraUsage recognises cobra's own argument and flag errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "confcal",
		Short: "Turn an event programme into calendars people use",
		Long: `confcal turns an event programme (a multi-day, multi-track, multi-venue
schedule) into iCalendar feeds that every calendar client reads the same way:
the whole programme, one feed per day, track, venue, room and speaker, and
personal agendas. It serves them, exports them for any web host, and pushes
chosen sessions into Google Calendar or any CalDAV calendar.

Without --programme, commands use the built-in example: the AI Action Summit
week in Paris, 6 to 11 February 2025.`,
		Example: `  confcal validate -p programme.yaml
  confcal list --day 2025-02-11
  confcal build --out public --base-url https://example.org/cal
  confcal serve`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
	}
	pf := root.PersistentFlags()
	config.FlagP(pf, "programme", "p", "programme `FILE` or http(s) URL, '-' for standard input (default: the built-in example)")
	pf.StringVar(&a.configFile, "config", "", "config `FILE` (default: ./confcal.yaml or $XDG_CONFIG_HOME/confcal/config.yaml)")
	config.Flag(pf, "timezone", "time `ZONE` for programme formats that lack one, e.g. Europe/Brussels")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "do not print warnings")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log what confcal does")
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(
		newValidateCmd(a),
		newConvertCmd(a),
		newListCmd(a),
		newAgendaCmd(a),
		newBuildCmd(a),
		newServeCmd(a),
		newSyncCmd(a),
		newAuthCmd(a),
		newConfigCmd(a),
		newVersionCmd(a),
	)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	return root
}

// setup loads the configuration for the command about to run.
func (a *app) setup(cmd *cobra.Command) error {
	cfg, err := config.Load(config.Options{File: a.configFile, WorkDir: a.workDir, Env: a.env, Flags: cmd.Flags()})
	if err != nil {
		return err
	}
	a.cfg = cfg
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// loadProgramme loads the configured programme and prints its warnings.
func (a *app) loadProgramme(ctx context.Context) (*programme.Programme, error) {
	p, diags, err := source.Load(ctx, a.cfg.Config.Programme, source.Options{Stdin: a.stdin, TimeZone: a.cfg.Config.TimeZone})
	if err != nil {
		return nil, err
	}
	printDiagnostics(a.stderr, diags.Warnings(), a.quiet)
	return p, nil
}

func printDiagnostics(w io.Writer, ds programme.Diagnostics, quiet bool) {
	for _, d := range ds {
		if quiet && d.Severity == programme.Warning {
			continue
		}
		fmt.Fprintln(w, d.String())
	}
}

// programmeName names the configured programme for people.
func (a *app) programmeName() string {
	switch p := a.cfg.Config.Programme; p {
	case "":
		return "the built-in example"
	case "-":
		return "standard input"
	default:
		return p
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
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
	cmd, err := root.ExecuteContextC(ctx)
	return a.exitCode(cmd, args, err)
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

The programme is a file or URL given as the command's argument or with
-p FILE; without one, commands use the built-in example: the AI Action
Summit week in Paris, 6 to 11 February 2025.`,
		Example: `  confcal validate programme.yaml
  confcal list --day 2025-02-11
  confcal list programme.yaml --track keynotes
  confcal build --out public --base-url https://example.org/cal
  confcal serve`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          commandArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.setup(cmd, args)
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
		acceptProgramme(newValidateCmd(a)),
		acceptProgramme(newConvertCmd(a)),
		acceptProgramme(newListCmd(a)),
		acceptProgramme(newAgendaCmd(a)),
		acceptProgramme(newBuildCmd(a)),
		acceptProgramme(newServeCmd(a)),
		newSyncCmd(a),
		newAuthCmd(a),
		newDBCmd(a),
		newConfigCmd(a),
		newVersionCmd(a),
	)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	typeUsageErrors(root)
	return root
}

// setup loads the configuration for the command about to run; a
// programme given as the command's argument counts as --programme.
func (a *app) setup(cmd *cobra.Command, args []string) error {
	if cmd.HasSubCommands() {
		return nil // it only shows its help
	}
	arg, err := programmeArg(cmd, args)
	if err != nil {
		return err
	}
	cfg, err := config.Load(config.Options{File: a.configFile, WorkDir: a.workDir, Env: a.env, Flags: cmd.Flags(), Programme: arg})
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
	a.printFindings(a.stderr, diags)
	return p, nil
}

// shown reports whether a finding is printed: errors always, warnings
// unless --quiet, and details of lower severity (the cases a summary
// warning stands for) only with --verbose.
func (a *app) shown(d programme.Diagnostic) bool {
	switch d.Severity {
	case programme.Error:
		return true
	case programme.Warning:
		return !a.quiet
	default:
		return a.verbose && !a.quiet
	}
}

// printFindings prints the findings of a programme that loaded: its
// warnings and details as shown says. Errors are not among them: a
// programme with errors does not load, and they come with its error.
func (a *app) printFindings(w io.Writer, ds programme.Diagnostics) {
	for _, d := range ds {
		if d.Severity != programme.Error && a.shown(d) {
			fmt.Fprintln(w, d.String())
		}
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

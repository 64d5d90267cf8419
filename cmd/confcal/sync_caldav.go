package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
)

type syncCaldavOptions struct {
	syncOptions
	discover  bool
	tokenFile string
}

func newSyncCaldavCmd(a *app) *cobra.Command {
	opts := &syncCaldavOptions{syncOptions: syncOptions{service: "the CalDAV server"}}
	cmd := &cobra.Command{
		Use:   "caldav",
		Short: "Push chosen sessions into any CalDAV calendar (Nextcloud, Fastmail, iCloud, Radicale, ...)",
		Long: `Sync caldav pushes the chosen sessions into a CalDAV calendar: Nextcloud,
Fastmail, iCloud, mailbox.org, SOGo, Radicale, or any other CalDAV server.

--url is the calendar's own URL. To find it, give the server's address with
--discover, which lists the account's calendars:

  confcal sync caldav --discover --url https://cloud.example.org/remote.php/dav/ --username alice

The password never goes on the command line, where other users can see it:
confcal reads it from --password-file FILE (the first line; '-' for standard
input), from the environment variable CONFCAL_CALDAV_PASSWORD, or from
caldav.password or caldav.password_file in the config file. Services with
two-step sign-in (iCloud, Fastmail, Nextcloud with 2FA) want an
app-specific password. A server that takes bearer tokens gets one from
--token-file FILE, CONFCAL_CALDAV_TOKEN or caldav.token instead.

Each session becomes one event, <id>.ics, with the same UID as in confcal's
feeds and confcal's mark (X-CONFCAL-* properties). Events without the mark,
yours or other programs', are never changed or deleted. Every write is
conditional: a new event only if none is there (If-None-Match), a change or
a removal only if the event is as confcal last read it (If-Match); when
someone changed it meanwhile, confcal reads it again and keeps what they
added. A run with nothing to do reads the calendar once and writes nothing.

CalDAV forgets deleted events, so confcal remembers which of its events the
calendar held, in $XDG_STATE_HOME/confcal/<programme>/caldav.json: an event
you delete stays deleted (--restore-deleted brings it back).

HTTPS certificates are checked. --insecure skips the check, for a server
with a self-signed certificate on a network you trust: anyone on the way
could read the password and change the calendar.

` + syncHelp + "\n\n" + selectionHelp,
		Example: `  confcal sync caldav --discover --url https://caldav.fastmail.com/ --username you@fastmail.com --password-file ~/.fastmail-app-password
  export CONFCAL_CALDAV_PASSWORD="$(pass show nextcloud/app-password)"
  confcal sync caldav --url https://cloud.example.org/remote.php/dav/calendars/alice/summit/ --username alice --track summit --dry-run
  confcal sync caldav --url https://cloud.example.org/remote.php/dav/calendars/alice/summit/ --username alice --track summit
  confcal sync caldav --url https://caldav.icloud.com/ --discover --username you@icloud.com --password-file app-password.txt
  confcal sync caldav --agenda my-agenda.yaml --json
  confcal sync caldav --agenda my-agenda.yaml --dry-run --detailed-exitcode || echo "changes pending"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range []string{"password", "token"} {
				if cmd.Flags().Changed(name) {
					return usagef("confcal takes no --%s on the command line, where other users can see it: use --%s-file FILE or CONFCAL_CALDAV_%s",
						name, name, strings.ToUpper(name))
				}
			}
			if opts.discover {
				return runCaldavDiscover(cmd.Context(), a, opts)
			}
			return runSync(cmd.Context(), a, &opts.syncOptions, &caldavBackend{a: a, opts: opts})
		},
	}
	addSyncFlags(cmd, &opts.syncOptions)
	f := cmd.Flags()
	config.Flag(f, "caldav.url", "the calendar's `URL` (with --discover: the server's)")
	config.Flag(f, "caldav.username", "user `NAME` on the server")
	config.Flag(f, "caldav.password_file", "read the password from the first line of `FILE` ('-' for standard input)")
	f.StringVar(&opts.tokenFile, "token-file", "", "read a bearer token from `FILE` instead of using a password")
	config.Flag(f, "caldav.insecure", "do not check the server's HTTPS certificate (anyone on the way could read the password)")
	f.BoolVar(&opts.discover, "discover", false, "list the account's calendars, starting from the server at --url, and exit")
	// Refused with an explanation rather than "unknown flag".
	f.String("password", "", "")
	f.String("token", "", "")
	f.MarkHidden("password") //nolint:errcheck // the flag exists
	f.MarkHidden("token")    //nolint:errcheck // the flag exists
	return cmd
}

// caldavOptions turns the configuration into the backend's options:
// the URL, the user name, and the password or token from wherever the
// user put it. It warns about settings that expose the password.
func (a *app) caldavOptions(opts *syncCaldavOptions) (caldav.Options, error) {
	c := a.cfg.Config.CalDAV
	if c.URL == "" {
		return caldav.Options{}, usagef("give the calendar's URL with --url (or caldav.url in the config; --discover lists your calendars)")
	}
	password, passwordFrom, err := a.caldavPassword()
	if err != nil {
		return caldav.Options{}, err
	}
	token, tokenFrom := c.Token, a.cfg.Sources["caldav.token"]
	if opts.tokenFile != "" {
		if token, err = a.readSecretFile(opts.tokenFile, "token"); err != nil {
			return caldav.Options{}, err
		}
		tokenFrom = "flag --token-file"
	}
	switch {
	case password != "" && token != "":
		return caldav.Options{}, usagef("both a password (%s) and a token (%s) are set: keep one", passwordFrom, tokenFrom)
	case password != "" && c.Username == "":
		return caldav.Options{}, usagef("a password (%s) needs a user name: --username NAME", passwordFrom)
	case c.Username != "" && password == "" && token == "":
		return caldav.Options{}, usagef("no password for %s: use --password-file FILE, CONFCAL_CALDAV_PASSWORD, or caldav.password_file in the config", c.Username)
	}
	if c.Insecure && !a.quiet {
		fmt.Fprintln(a.stderr, "confcal: warning: --insecure: the server's HTTPS certificate is not checked; anyone on the way to it could read the password and change the calendar")
	}
	if u, err := url.Parse(c.URL); err == nil && u.Scheme == "http" && (password != "" || token != "") && !loopback(u.Hostname()) && !a.quiet {
		fmt.Fprintf(a.stderr, "confcal: warning: %s is plain http: the credentials cross the network unencrypted\n", u.Host)
	}
	return caldav.Options{URL: c.URL, Username: c.Username, Password: password, Token: token, Insecure: c.Insecure,
		UserAgent: "confcal/" + buildVersion(), Now: a.now}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// caldavPassword returns the password and where it came from: the
// password file or the password itself, whichever was given the more
// specific way (a flag over the environment over the config file).
func (a *app) caldavPassword() (password, from string, err error) {
	c := a.cfg.Config.CalDAV
	fileFrom, plainFrom := a.cfg.Sources["caldav.password_file"], a.cfg.Sources["caldav.password"]
	switch {
	case c.PasswordFile != "" && (c.Password == "" || sourceRank(fileFrom) > sourceRank(plainFrom)):
		p, err := a.readSecretFile(c.PasswordFile, "password")
		return p, fileFrom, err
	case c.PasswordFile != "" && sourceRank(fileFrom) == sourceRank(plainFrom):
		return "", "", usagef("both caldav.password (%s) and caldav.password_file (%s) are set: keep one", plainFrom, fileFrom)
	}
	return c.Password, plainFrom, nil
}

// sourceRank orders where a setting came from: a flag, the environment,
// the config file, the default.
func sourceRank(source string) int {
	switch {
	case strings.HasPrefix(source, "flag "):
		return 3
	case strings.HasPrefix(source, "env "):
		return 2
	case strings.HasPrefix(source, "file "):
		return 1
	}
	return 0
}

// readSecretFile reads a password or token: the first line of path, or
// of standard input for "-". It warns when others may read the file.
func (a *app) readSecretFile(path, what string) (string, error) {
	var r io.Reader
	if path == "-" {
		if a.cfg.Config.Programme == "-" {
			return "", usagef("the programme and the %s cannot both come from standard input", what)
		}
		r = a.stdin
	} else {
		if !filepath.IsAbs(path) {
			path = filepath.Join(a.workDir, path)
		}
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("read the %s: %w", what, err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" && !a.quiet {
			fmt.Fprintf(a.stderr, "confcal: warning: other users may read %s (chmod 600 %s)\n", path, path)
		}
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the %s: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("read the %s: %s is empty", what, path)
	}
	return line, nil
}

// caldavBackend opens the calendar at caldav.url.
type caldavBackend struct {
	a    *app
	opts *syncCaldavOptions
}

// caldavState is what confcal remembers about a programme's CalDAV syncs,
// by calendar URL.
type caldavState struct {
	Calendars map[string]caldavCalendarState `json:"calendars,omitempty"`
}

type caldavCalendarState struct {
	// Live are confcal's events in the calendar at the end of the last run.
	Live    []string            `json:"live,omitempty"`
	Journal calsync.JournalData `json:"journal"`
}

func (b *caldavBackend) open(ctx context.Context, p *programme.Programme, _ bool) (*syncTarget, error) {
	a := b.a
	copts, err := a.caldavOptions(b.opts)
	if err != nil {
		return nil, err
	}
	cal, err := caldav.New(copts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	info, err := cal.Check(ctx)
	if err != nil {
		return nil, err
	}
	statePath, err := a.statePath(p.ID, "caldav.json")
	if err != nil {
		return nil, err
	}
	st := &caldavState{}
	if err := loadSyncState(statePath, st); err != nil {
		return nil, err
	}
	prev := st.Calendars[info.URL]
	journal := calsync.NewJournal(prev.Journal)
	mem := caldav.Remember(cal, prev.Live, journal)
	label := "CalDAV calendar " + info.URL
	if info.Name != "" {
		label = fmt.Sprintf("CalDAV calendar %q (%s)", info.Name, info.URL)
	}
	return &syncTarget{
		Cal:     mem,
		Label:   label,
		Journal: journal,
		Save: func(j *calsync.Journal) error {
			if st.Calendars == nil {
				st.Calendars = map[string]caldavCalendarState{}
			}
			st.Calendars[info.URL] = caldavCalendarState{Live: mem.Live(), Journal: j.Data()}
			return saveSyncState(statePath, st)
		},
	}, nil
}

// runCaldavDiscover lists the calendars of the account at caldav.url.
func runCaldavDiscover(ctx context.Context, a *app, opts *syncCaldavOptions) error {
	sel := opts.sel.sel
	if !sel.IsZero() || opts.sel.agenda != "" || opts.all || opts.removeAll || opts.dryRun {
		return usagef("--discover only lists calendars: give it without a selection, --agenda, --all, --remove-all or --dry-run")
	}
	copts, err := a.caldavOptions(opts)
	if err != nil {
		return err
	}
	found, err := caldav.Discover(ctx, copts)
	if err != nil {
		return err
	}
	if opts.json {
		if found == nil {
			found = []caldav.Info{}
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(found)
	}
	if len(found) == 0 {
		fmt.Fprintln(a.stdout, "The account has no calendars.")
		return nil
	}
	fmt.Fprintf(a.stdout, "%d calendar%s:\n", len(found), plural(len(found)))
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, c := range found {
		name := c.Name
		if name == "" {
			name = "(no name)"
		}
		note := ""
		if !c.AcceptsEvents() {
			note = "\tholds " + strings.Join(c.Components, ", ") + " only: not for events"
		}
		fmt.Fprintf(tw, "  %s\t%s%s\n", name, c.URL, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Sync into one with: confcal sync caldav --url URL [selection]")
	return nil
}

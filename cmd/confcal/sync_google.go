package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google"
)

type syncGoogleOptions struct {
	syncOptions
	name        string
	newCalendar bool
}

func newSyncGoogleCmd(a *app) *cobra.Command {
	opts := &syncGoogleOptions{syncOptions: syncOptions{service: "Google Calendar"}}
	cmd := &cobra.Command{
		Use:   "google",
		Short: "Push chosen sessions into Google Calendar",
		Long: `Sync google pushes the chosen sessions into Google Calendar.

By default they go into a calendar of their own that confcal creates on the
first run, named after the programme and in its time zone, and remembers in
$XDG_STATE_HOME/confcal/<programme>/google.json. To undo everything, delete
that calendar in Google Calendar (Settings, the calendar, "Remove calendar");
--new-calendar makes the next run create a fresh one. --calendar ID writes to
an existing calendar instead (its id is in the calendar's settings, or
'primary' for the main one); confcal then touches only its own events there.

Sign in first with 'confcal auth google'; --dry-run --offline shows the
plan before that, against an empty calendar, without a single request. A service account works too
(--credentials key.json, with --subject user@domain for domain-wide
delegation), and so do Application Default Credentials.

Requests are paced (--rate, default 5 per second, half of Google's per-user
quota) and retried with backoff on rate limits and server errors. Google's
"usage limits exceeded" stops the run: wait a few hours, then run it again.
A run with nothing to do costs one request per 2,500 events.

For tests and local fakes, CONFCAL_GOOGLE_ENDPOINT=http://127.0.0.1:PORT/calendar/v3/
together with CONFCAL_GOOGLE_NO_AUTH=1 points confcal at another server of
the Calendar API, without credentials.
CONFCAL_GOOGLE_AUTH_URL, CONFCAL_GOOGLE_TOKEN_URL and CONFCAL_GOOGLE_REVOKE_URL
point sign-in, token refresh and revocation at another authorization server
(Google's by default).

` + syncHelp + "\n\n" + selectionHelp,
		Example: `  confcal auth google --client-secrets client_secret.json
  confcal sync google --track summit --dry-run --offline
  confcal sync google --track summit --dry-run
  confcal sync google --track summit
  confcal sync google --agenda my-agenda.yaml --json
  confcal sync google --all --calendar primary --cancelled mark
  confcal sync google --agenda my-agenda.yaml --dry-run --detailed-exitcode || echo "changes pending"
  confcal sync google --calendar primary --remove-all --force`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSync(cmd.Context(), a, &opts.syncOptions, &googleBackend{a: a, opts: opts})
		},
	}
	addSyncFlags(cmd, &opts.syncOptions)
	f := cmd.Flags()
	config.Flag(f, "google.calendar", "sync into the existing calendar `ID` ('primary' for the main one) instead of a dedicated one")
	f.StringVar(&opts.name, "name", "", "`NAME` of the dedicated calendar when confcal creates it (default: the programme's name)")
	f.BoolVar(&opts.newCalendar, "new-calendar", false, "forget the dedicated calendar confcal remembers and create a new one")
	config.Flag(f, "google.credentials", "service account key `FILE` (JSON) instead of the signed-in user")
	config.Flag(f, "google.subject", "with --credentials: act as `USER` through domain-wide delegation")
	return cmd
}

// googleState is what confcal remembers about a programme's Google sync.
type googleState struct {
	// Calendar is the dedicated calendar confcal created.
	Calendar     string    `json:"calendar,omitempty"`
	CalendarName string    `json:"calendar_name,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	// Journals are the journals of each calendar synced into, by id.
	Journals map[string]calsync.JournalData `json:"journals,omitempty"`
}

type googleBackend struct {
	a    *app
	opts *syncGoogleOptions
}

// tokenFile returns the OAuth token file: google.token, or the default.
func (a *app) tokenFile() (*google.TokenFile, error) {
	path := a.cfg.Config.Google.Token
	if path == "" {
		var err error
		if path, err = google.DefaultTokenPath(a.env); err != nil {
			return nil, err
		}
	}
	return &google.TokenFile{Path: path}, nil
}

func (b *googleBackend) open(ctx context.Context, p *programme.Programme, dryRun bool) (*syncTarget, error) {
	a, g := b.a, b.a.cfg.Config.Google
	statePath, err := a.statePath(p.ID, "google.json")
	if err != nil {
		return nil, err
	}
	st := &googleState{}
	if err := loadSyncState(statePath, st); err != nil {
		return nil, err
	}
	tokens, err := a.tokenFile()
	if err != nil {
		return nil, err
	}
	shared := g.Calendar != ""
	if shared && b.opts.newCalendar {
		return nil, usagef("--new-calendar and --calendar exclude each other")
	}
	copts, err := google.ClientOptions(ctx, google.AuthOptions{Endpoint: g.Endpoint, NoAuth: g.NoAuth,
		Credentials: g.Credentials, Subject: g.Subject, Token: tokens, ExistingCalendar: shared, Env: a.env})
	if err != nil {
		return nil, err
	}
	if g.NoAuth {
		a.log.Debug("sending no credentials (google.no_auth): a testing aid", "endpoint", g.Endpoint)
	}
	opts, label := b.calendar(p, st, statePath, dryRun)
	opts.Client = copts
	cal, err := google.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	key := func() string {
		if id := cal.ID(); id != "" {
			return id
		}
		return "new"
	}
	journal := calsync.NewJournal(st.Journals[key()])
	return &syncTarget{
		Cal:     cal,
		Label:   label,
		Journal: journal,
		Save: func(j *calsync.Journal) error {
			if cal.ID() == "" {
				return nil // nothing written yet
			}
			if st.Journals == nil {
				st.Journals = map[string]calsync.JournalData{}
			}
			st.Journals[cal.ID()] = j.Data()
			return saveSyncState(statePath, st)
		},
	}, nil
}

// calendar chooses the calendar to sync into, with its label: the one
// --calendar names, the dedicated one confcal created, or a new dedicated
// one, created on the first write (never by a dry run).
func (b *googleBackend) calendar(p *programme.Programme, st *googleState, statePath string, dryRun bool) (google.Options, string) {
	a, g := b.a, b.a.cfg.Config.Google
	opts := google.Options{Shared: g.Calendar != ""}
	switch {
	case opts.Shared:
		opts.CalendarID = g.Calendar
		opts.MissingHint = fmt.Sprintf("there is no calendar %q, or this account may not see it: check --calendar", g.Calendar)
		return opts, fmt.Sprintf("Google calendar %s", g.Calendar)
	case st.Calendar != "" && !b.opts.newCalendar:
		opts.CalendarID = st.Calendar
		opts.MissingHint = fmt.Sprintf("the calendar confcal created for %s (%s) no longer exists; to create a new one, run again with --new-calendar", p.ID, st.Calendar)
		return opts, fmt.Sprintf("Google calendar %q (%s)", st.CalendarName, st.Calendar)
	}
	name := b.opts.name
	if name == "" {
		name = p.Name.In(a.cfg.Config.Lang, p.Languages...)
	}
	if name == "" {
		name = p.ID
	}
	if !dryRun {
		opts.Create = &google.NewCalendar{Summary: name, TimeZone: p.TimeZone,
			Description: "Sessions of " + name + " chosen with confcal. Deleting this calendar removes them all."}
		opts.OnCreate = func(id string) error {
			st.Calendar, st.CalendarName, st.Created = id, name, a.now().UTC()
			a.log.Debug("created calendar", "id", id)
			return saveSyncState(statePath, st)
		}
	}
	return opts, fmt.Sprintf("a new Google calendar %q (%s), created on the first write", name, p.TimeZone)
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/spf13/cobra"
	"google.golang.org/api/option"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/config"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/internal/secret"
	"github.com/confcal/confcal/serve"
	"github.com/confcal/confcal/sync/google"
)

func addAttendFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	config.Flag(f, "attend.client_secrets", `offer attendees "Sync to Google Calendar" with this "Web application" OAuth client `+"`FILE`"+` (JSON from the Google Cloud console)`)
	config.Flag(f, "secret_key_file", "key `FILE` that encrypts attendees' tokens and signs cookies (32 random bytes in base64)")
	config.Flag(f, "attend.rate", "`REQUESTS` per second to Google of all attendees' syncs together")
	config.Flag(f, "attend.user_rate", "`REQUESTS` per second into one attendee's calendar")
	config.Flag(f, "attend.workers", "`N` attendees' calendars synced at once")
}

// attendees is the attendee sync of a server: its pages, worker and
// store, or nil when the server offers none.
type attendees struct {
	log      *slog.Logger
	worker   *attend.Worker
	web      *attend.Web
	store    attend.Store
	redirect string
	// ready is set once the worker exists: editions published before
	// (the first load) are synced when it starts.
	ready atomic.Bool
}

// newAttendees reads the attendee sync's configuration: nothing when no
// OAuth client is configured; an error when one is but the rest is not.
func (a *app) newAttendees(base string, log *slog.Logger) (*attendees, *google.WebClient, *secret.Key, error) {
	c := a.cfg.Config
	if c.Attend.ClientSecrets == "" {
		return nil, nil, nil, nil
	}
	if c.SecretKeyFile == "" {
		return nil, nil, nil, usagef("the attendee sync (--google-client-secrets) needs --secret-key-file or CONFCAL_SECRET_KEY_FILE, the key that encrypts attendees' tokens; %s",
			secret.MakeKeyHint("confcal.key"))
	}
	keys, err := secret.LoadKeyFile(c.SecretKeyFile, log)
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := google.LoadWebClientSecrets(c.Attend.ClientSecrets)
	if err != nil {
		return nil, nil, nil, err
	}
	at := &attendees{log: log, redirect: base + "/" + attend.CallbackPath}
	if !client.HasRedirect(at.redirect) {
		log.Warn("the OAuth client does not list this server's redirect URI: Google will refuse attendees' sign-ins until it is added in the Google Cloud console",
			"redirect_uri", at.redirect, "file", c.Attend.ClientSecrets)
	}
	return at, client, keys, nil
}

// start opens the attendee store and makes the worker and the pages.
func (at *attendees) start(ctx context.Context, a *app, live *serve.Live, sdb *serveDB, base string, client *google.WebClient, keys *secret.Key, log *slog.Logger) error {
	c := a.cfg.Config
	auth, err := google.AuthServerFromEnv(a.env)
	if err != nil {
		return err
	}
	g := &attend.Google{OAuth: client.Config(auth, at.redirect, google.ScopeAppCreated), Auth: auth}
	if c.Google.Endpoint != "" {
		g.Client = append(g.Client, option.WithEndpoint(c.Google.Endpoint))
	}
	db, err := sdb.open(ctx, live.Set().Programme.ID)
	if err != nil {
		return err
	}
	at.store = db.Attendees()
	at.worker = attend.NewWorker(attend.WorkerOptions{Store: at.store, Edition: live.Set, Connect: attend.GoogleConnector(keys, g),
		Rate: c.Attend.Rate, UserRate: c.Attend.UserRate, Workers: c.Attend.Workers, Lease: c.Attend.Lease, Log: log})
	u, err := url.Parse(base + "/")
	if err != nil {
		return fmt.Errorf("--base-url: %w", err)
	}
	at.web, err = attend.NewWeb(attend.WebOptions{Store: at.store, Worker: at.worker, Edition: live.Set, Google: g, Keys: keys,
		BaseURL: u, StartRate: c.Attend.SigninRate, Log: log, Now: a.now})
	if err != nil {
		return err
	}
	at.ready.Store(true)
	// What changed while the server was down, or was queued when it
	// stopped, is picked up now.
	at.published(ctx, live.Set())
	return nil
}

// published enqueues the syncs a new edition needs.
func (at *attendees) published(ctx context.Context, set *feed.Set) {
	if at == nil || !at.ready.Load() {
		return
	}
	if _, err := at.worker.OnEdition(ctx, set); err != nil {
		at.log.Error("attendee sync: enqueue", "err", err)
	}
}

// mount adds the attendee pages to the feed server's routes.
func (at *attendees) mount(mux *http.ServeMux) {
	if at != nil {
		at.web.Register(mux, "/")
	}
}

// syncStart is the page's link to the sign-in start, "" without the
// attendee sync.
func (at *attendees) syncStart() string {
	if at == nil {
		return ""
	}
	return attend.StartPath
}

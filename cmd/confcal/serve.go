package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/page"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
	"github.com/confcal/confcal/serve"
)

const serveLong = `Serve publishes the programme's feed set over HTTP, from memory:

  GET /                     the discovery page: the programme first, with a row
                            of its days, a track filter and, during the event,
                            what is on now and next; ticking sessions builds a
                            personal agenda link. Then every feed, folded by
                            kind, with Subscribe (webcal://), Google Calendar,
                            Outlook.com, Outlook 365 and Download links. An
                            agenda link that matches nothing gets a page that
                            says so (400).
  GET /all.ics              the whole programme
  GET /day/DATE.ics         one day; likewise /track/ID.ics, /venue/ID.ics,
                            /room/VENUE-ROOM.ics and /speaker/ID.ics
  GET /session/ID.ics       one session ("add this talk")
  GET /agenda.ics?QUERY     the sessions QUERY chooses, in the selection language
                            of 'confcal list': session, track, day, venue, room,
                            speaker, type, tag, q (text), from, until, not-track,
                            not-venue, not-type, not-tag, exclude. The link stays
                            valid as the programme changes: subscribe to it.
                            Unknown ids and bad parameters get 400.
  GET /feeds.json           the manifest of every feed
  GET /healthz              what is being served, as JSON

Responses carry a strong ETag and Last-Modified and answer conditional
requests with 304; they are gzipped for clients that accept it, cacheable
for the feeds' refresh interval, and open to any origin (CORS).

With a programme file, the server reloads it whenever it changes (editors
that save through a temporary file and a rename included). An invalid edit
is logged with its errors and the last good programme stays served. With
--source URL the programme is fetched over http(s) and polled every --poll
with conditional requests. Every reload replaces the whole feed set at
once: no request sees half of an update.

The server listens on 127.0.0.1:8080 unless told otherwise. Behind a
reverse proxy or on a public address, set --base-url to the public URL: it
is used in every absolute link, and forwarded headers are never trusted.
With --tls-cert and --tls-key it serves HTTPS, and HTTP/2 to clients that
ask for it. Each request is logged on standard error (method, path, status,
bytes, duration), as text or as JSON; --no-access-log leaves those lines
out. SIGINT or SIGTERM stops the server after the requests in flight
finish, waiting at most 10 seconds.

With --google-client-secrets (a "Web application" OAuth client) and
--secret-key-file, attendees get a "Sync to Google Calendar" button beside
every feed and their agenda: they sign in with Google, confcal creates a
calendar of their own and keeps it current within minutes of every change.
Register BASE/auth/google/callback as the client's redirect URI (it is
printed at start); docs/attendee-sync.md says how to set it all up.`

type serveOptions struct {
	feedFlags
}

func newServeCmd(a *app) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the feeds, personal agendas and a discovery page over HTTP",
		Long:  serveLong,
		Example: `  confcal serve
  confcal serve -p programme.yaml --addr :8080 --base-url https://cal.example.org
  confcal serve --source https://example.org/schedule.xml --poll 5m
  confcal serve --log-format json 2>>access.log
  confcal serve --addr :8443 --tls-cert cert.pem --tls-key key.pem --base-url https://cal.example.org
  confcal serve --base-url https://cal.example.org --google-client-secrets web-client.json --secret-key-file confcal.key

  curl -I http://127.0.0.1:8080/all.ics
  curl 'http://127.0.0.1:8080/agenda.ics?session=gp-day1-forum,stationf-business-day'
  curl 'http://127.0.0.1:8080/agenda.ics?track=science&day=2025-02-07'`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	config.Flag(f, "serve.addr", "listen on `HOST:PORT` (port 0 picks a free port)")
	config.Flag(f, "base_url", "public `URL` the server is reached at, for absolute links (default: http://ADDR)")
	config.Flag(f, "serve.source", "fetch the programme from this http(s) `URL` and poll it for changes")
	config.Flag(f, "serve.poll", "poll --source every `DURATION`, with conditional requests")
	config.Flag(f, "serve.log_format", "log `FORMAT`: text or json")
	config.Flag(f, "serve.tls_cert", "serve HTTPS (and HTTP/2) with the certificate in this PEM `FILE`; needs --tls-key")
	config.Flag(f, "serve.tls_key", "the private key of --tls-cert, a PEM `FILE`")
	config.Flag(f, "serve.no_access_log", "log no line per request (behind a proxy that logs them)")
	config.Flag(f, "database", "keep the history and the attendee sync in this database: a postgres:// `URL` that several servers share, or a SQLite file (default: $XDG_STATE_HOME/confcal/<programme>/confcal.db)")
	addFeedFlags(cmd, &opts.feedFlags)
	addAttendFlags(cmd)
	return cmd
}

func runServe(ctx context.Context, a *app, opts *serveOptions) error {
	c := a.cfg.Config
	log, err := serveLogger(a.stderr, c.Serve.LogFormat, a.verbose)
	if err != nil {
		return err
	}
	a.collectSooner()
	name, tlsFiles, err := a.serveSource()
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Serve.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	scheme := "http"
	if tlsFiles.CertFile != "" {
		scheme = "https"
	}
	local := scheme + "://" + displayAddr(ln.Addr())
	base, guessed := strings.TrimRight(c.BaseURL, "/"), false
	if base == "" {
		base, guessed = local, true
	}
	at, client, keys, err := a.newAttendees(base, log)
	if err != nil {
		return err
	}
	sdb := a.newServeDB(log)
	defer sdb.close()
	live := serve.NewLive(serve.LiveOptions{Page: page.Options{BaseURL: base, Guessed: guessed, SyncStart: at.syncStart()}, Now: a.now})
	rl := serve.NewReloader(live, serve.ReloaderOptions{Name: name, Poll: c.Serve.Poll, Log: log,
		Source: source.Options{Stdin: a.stdin, TimeZone: c.TimeZone},
		Build: func(ctx context.Context, p *programme.Programme) (*feed.Set, func() error, error) {
			return sdb.build(ctx, p, &opts.feedFlags)
		},
		Published: at.published})
	// The first load must succeed: there is nothing to fall back on.
	findings, err := rl.Load(ctx)
	if err != nil {
		return err
	}
	a.printFindings(a.stderr, findings)
	if at != nil {
		if err := at.start(ctx, a, live, sdb, base, client, keys, log); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "attendee sync on: Google's redirect URI for this server is %s\n", at.redirect)
	}

	h := serve.NewHandler(live, serve.HandlerOptions{Mount: at.mount})
	if !c.Serve.NoAccessLog {
		h = serve.AccessLog(log, h)
	}
	srv := serve.NewServer(h, log)
	a.printServing(live.Set(), local, base, guessed)
	log.Info("listening", "addr", ln.Addr().String(), "base_url", base, "programme", rl.Source())

	watchCtx, stopWatching := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { rl.Run(watchCtx) })
	if at != nil {
		wg.Go(func() { at.worker.Run(watchCtx) })
	}
	defer func() {
		stopWatching()
		wg.Wait()
	}()
	if err := srv.Serve(ctx, ln, tlsFiles); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// printServing says where the server serves what.
func (a *app) printServing(set *feed.Set, local, base string, guessed bool) {
	if guessed {
		fmt.Fprintf(a.stdout, "serving %s/ (%d feeds, %d sessions)\n", local, len(set.Feeds), len(set.Programme.Sessions))
	} else {
		fmt.Fprintf(a.stdout, "serving %s/ as %s/ (%d feeds, %d sessions)\n", local, base, len(set.Feeds), len(set.Programme.Sessions))
	}
}

// serveSource checks the source and TLS flags of serve and returns the
// programme to load and the TLS files.
func (a *app) serveSource() (string, serve.TLS, error) {
	c := a.cfg.Config
	name := c.Programme
	if c.Serve.Source != "" {
		if !source.IsURL(c.Serve.Source) {
			return "", serve.TLS{}, usagef("--source takes an http(s) URL; give a file with --programme")
		}
		name = c.Serve.Source
	}
	if source.IsURL(name) && c.Serve.Poll < time.Second {
		return "", serve.TLS{}, usagef("--poll must be at least 1s")
	}
	tlsFiles, err := serveTLS(c.Serve.TLSCert, c.Serve.TLSKey)
	return name, tlsFiles, err
}

// serveTLS checks the certificate and key files before anything listens.
func serveTLS(cert, key string) (serve.TLS, error) {
	switch {
	case cert == "" && key == "":
		return serve.TLS{}, nil
	case cert == "" || key == "":
		return serve.TLS{}, usagef("--tls-cert and --tls-key go together")
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		return serve.TLS{}, fmt.Errorf("serve: TLS certificate %s with key %s: %w", cert, key, err)
	}
	return serve.TLS{CertFile: cert, KeyFile: key}, nil
}

// displayAddr is the address a listener can be reached at from this
// machine, for links when no --base-url is set.
func displayAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

func serveLogger(w io.Writer, format string, verbose bool) (*slog.Logger, error) {
	ho := &slog.HandlerOptions{Level: slog.LevelInfo}
	if verbose {
		ho.Level = slog.LevelDebug
	}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return nil, usagef("--log-format must be text or json, not %q", format)
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"
	"golang.org/x/time/rate"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/source"
)

// The server's limits. Feeds are small and served from memory, so
// generous write and idle timeouts cost little; reading a request is
// bounded tightly: nothing served takes a request body.
const (
	readTimeout   = 5 * time.Second
	writeTimeout  = 60 * time.Second
	idleTimeout   = 120 * time.Second
	maxBodyBytes  = 64 << 10
	shutdownGrace = 10 * time.Second
	// settle is how long the programme file must stay quiet before it is
	// read again, so that an editor's burst of writes is one reload.
	settle = 150 * time.Millisecond
	// fetchTimeout bounds one poll of --source.
	fetchTimeout = 30 * time.Second
	// logFlush is how long an access log line may wait to be written.
	logFlush = 100 * time.Millisecond
)

type serveOptions struct {
	feedFlags
}

func newServeCmd(a *app) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the feeds, personal agendas and a discovery page over HTTP",
		Long: `Serve publishes the programme's feed set over HTTP, from memory:

  GET /                     a page listing every feed with Subscribe (webcal://),
                            Google Calendar, Outlook and Download links, and the
                            programme day by day, where ticking sessions builds a
                            personal agenda link
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
Each request is logged on standard error (method, path, status, bytes,
duration), as text or as JSON. SIGINT or SIGTERM stops the server after the
requests in flight finish, waiting at most 10 seconds.`,
		Example: `  confcal serve
  confcal serve -p programme.yaml --addr :8080 --base-url https://cal.example.org
  confcal serve --source https://example.org/schedule.xml --poll 5m
  confcal serve --log-format json 2>>access.log

  curl -I http://127.0.0.1:8080/all.ics
  curl 'http://127.0.0.1:8080/agenda.ics?session=gp-day1-forum,stationf-business-day'
  curl 'http://127.0.0.1:8080/agenda.ics?track=science&day=2025-02-07'`,
		Args: cobra.NoArgs,
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
	addFeedFlags(cmd, &opts.feedFlags)
	return cmd
}

func runServe(ctx context.Context, a *app, opts *serveOptions) error {
	c := a.cfg.Config
	log, err := serveLogger(a.stderr, c.Serve.LogFormat, a.verbose)
	if err != nil {
		return err
	}
	a.collectSooner()
	name := c.Programme
	if c.Serve.Source != "" {
		if !source.IsURL(c.Serve.Source) {
			return usagef("--source takes an http(s) URL; give a file with --programme")
		}
		name = c.Serve.Source
	}
	if source.IsURL(name) && c.Serve.Poll < time.Second {
		return usagef("--poll must be at least 1s")
	}
	rl := &reloader{a: a, opts: opts, log: log, name: name,
		srcOpts: source.Options{Stdin: a.stdin, TimeZone: c.TimeZone}}
	if source.IsURL(name) {
		rl.poll = &poller{url: name, client: &http.Client{Timeout: fetchTimeout}}
	}

	ln, err := net.Listen("tcp", c.Serve.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	base, guessed := strings.TrimRight(c.BaseURL, "/"), false
	if base == "" {
		base, guessed = "http://"+displayAddr(ln.Addr()), true
	}
	rl.live = feed.NewLive(feed.LiveOptions{Page: feed.PageOptions{BaseURL: base, Guessed: guessed}, Now: a.now})

	// The first load must succeed: there is nothing to fall back on.
	if err := rl.initial(ctx); err != nil {
		return err
	}
	// Access log lines are written in batches: a write per request would
	// cost more than answering it.
	logs := newBatchWriter(a.stderr, logFlush)
	defer logs.Close()
	access, _ := serveLogger(logs, c.Serve.LogFormat, a.verbose)
	srv := feed.NewFastServer(rl.live, feed.HandlerOptions{Served: accessLog(access)})
	srv.ReadTimeout = readTimeout
	srv.WriteTimeout = writeTimeout
	srv.IdleTimeout = idleTimeout
	srv.MaxRequestBodySize = maxBodyBytes
	srv.Logger = newServerLog(log)
	set := rl.live.Set()
	local := "http://" + displayAddr(ln.Addr())
	if guessed {
		fmt.Fprintf(a.stdout, "serving %s/ (%d feeds, %d sessions)\n", local, len(set.Feeds), len(set.Programme.Sessions))
	} else {
		fmt.Fprintf(a.stdout, "serving %s/ as %s/ (%d feeds, %d sessions)\n", local, base, len(set.Feeds), len(set.Programme.Sessions))
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", base, "programme", rl.display)

	watchCtx, stopWatching := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rl.watch(watchCtx, c.Serve.Poll)
	}()
	defer func() {
		stopWatching()
		wg.Wait()
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(patientListener{ln, log}) }()
	select {
	case err := <-errc:
		if err == nil {
			err = errors.New("the listener was closed")
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	log.Info("stopped")
	return nil
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

// reloader loads the programme, builds its feed set and publishes it, now
// and whenever the source changes.
type reloader struct {
	a       *app
	opts    *serveOptions
	log     *slog.Logger
	live    *feed.Live
	name    string
	display string
	srcOpts source.Options
	poll    *poller // set for a URL source

	good, bad [sha256.Size]byte // hashes of the last good and the last rejected source
}

// initial loads the programme for the first time.
func (rl *reloader) initial(ctx context.Context) error {
	var data []byte
	var err error
	if rl.poll != nil {
		data, _, err = rl.poll.fetch(ctx)
		rl.display = rl.name
	} else {
		data, rl.display, err = source.Read(ctx, rl.name, rl.srcOpts)
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	p, diags, err := source.Decode(data, rl.display, rl.srcOpts)
	if err != nil {
		return err
	}
	data = nil // garbage by the time publish collects
	printDiagnostics(rl.a.stderr, diags.Warnings(), rl.a.quiet)
	if err := rl.publish(p); err != nil {
		return err
	}
	rl.good = sum
	return nil
}

// publish builds the feed set of p, swaps it in and saves the state.
func (rl *reloader) publish(p *programme.Programme) error {
	start := time.Now()
	set, store, err := rl.a.buildSet(p, &rl.opts.feedFlags)
	if err != nil {
		return err
	}
	if err := rl.live.Publish(set); err != nil {
		return err
	}
	// A build of a large programme leaves much garbage behind (the
	// decoded source, the feeds' bodies Publish released, the previous
	// edition): hand it back now rather than whenever the heap next grows.
	debug.FreeOSMemory()
	if store != nil {
		if err := store.Save(); err != nil {
			// The feeds are served; only SEQUENCE history is at risk.
			rl.log.Error("save state", "err", err)
		}
	}
	rl.log.Info("published", "programme", p.ID, "sessions", len(p.Sessions), "feeds", len(set.Feeds),
		"version", rl.live.Version(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// reload decodes data and publishes it when it differs from what is
// served. An invalid programme is logged with every finding and the
// current feed set stays.
func (rl *reloader) reload(data []byte) {
	sum := sha256.Sum256(data)
	if sum == rl.good || sum == rl.bad {
		return
	}
	p, diags, err := source.Decode(data, rl.display, rl.srcOpts)
	if err == nil {
		err = rl.publish(p)
	}
	if err != nil {
		rl.bad = sum
		var invalid *programme.InvalidError
		if errors.As(err, &invalid) {
			errs := invalid.Diagnostics.Errors()
			for _, d := range errs {
				rl.log.Error("invalid programme", "finding", d.String())
			}
			rl.log.Error("reload failed; still serving the previous programme", "source", rl.display,
				"errors", len(errs), "version", rl.live.Version())
			return
		}
		rl.log.Error("reload failed; still serving the previous programme", "source", rl.display, "err", err,
			"version", rl.live.Version())
		return
	}
	for _, d := range diags.Warnings() {
		rl.log.Warn("programme", "finding", d.String())
	}
	rl.good, rl.bad = sum, [sha256.Size]byte{}
}

// watch follows the source until ctx ends: a URL is polled, a file is
// watched, and the built-in example and standard input never change.
func (rl *reloader) watch(ctx context.Context, every time.Duration) {
	switch {
	case rl.poll != nil:
		rl.pollLoop(ctx, every)
	case rl.name != source.Builtin && rl.name != "-":
		if err := rl.watchFile(ctx); err != nil {
			rl.log.Error("watch programme file; changes will not be picked up", "err", err)
		}
	}
}

// watchFile reloads the programme file when it changes. It watches the
// file's directory, not the file: editors that save by writing a
// temporary file and renaming it over the original replace the file the
// watch would be on. Only events that name the file count, and, when the
// file is a symbolic link, events that name the first part of its target
// (deployment tools, Kubernetes among them, swap a "..data" link), so
// that other files written beside it (logs) cost nothing. Once things
// settle the file is read; reload ignores content it has seen.
func (rl *reloader) watchFile(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	dir := filepath.Dir(rl.name)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	names := map[string]bool{filepath.Base(rl.name): true}
	if target, err := os.Readlink(rl.name); err == nil && !filepath.IsAbs(target) {
		names[strings.Split(filepath.ToSlash(target), "/")[0]] = true
	}
	rl.log.Debug("watching", "dir", dir)
	// One look right away covers a change made before the watch began.
	timer := time.NewTimer(settle)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !names[filepath.Base(ev.Name)] {
				continue
			}
			rl.log.Debug("file event", "event", ev.String())
			timer.Reset(settle)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			rl.log.Warn("watch", "err", err)
		case <-timer.C:
			data, _, err := source.Read(ctx, rl.name, rl.srcOpts)
			if err != nil {
				// Between a delete and a create; a later event brings it back.
				rl.log.Warn("read programme", "err", err)
				continue
			}
			rl.reload(data)
		}
	}
}

func (rl *reloader) pollLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		data, changed, err := rl.poll.fetch(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			rl.log.Warn("poll programme; still serving the previous one", "err", err)
		case changed:
			rl.reload(data)
		default:
			rl.log.Debug("programme unchanged", "url", rl.poll.url)
		}
	}
}

// poller fetches a programme over http(s) with conditional requests, so
// that an unchanged programme costs the origin a 304.
type poller struct {
	url          string
	client       *http.Client
	etag, lastMo string
}

// fetch returns the programme, or changed false when the origin says it
// has not changed since the previous fetch.
func (p *poller) fetch(ctx context.Context) (data []byte, changed bool, err error) {
	u := p.url
	if strings.HasPrefix(strings.ToLower(u), "webcal://") {
		u = "https://" + u[len("webcal://"):]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	if p.lastMo != "" {
		req.Header.Set("If-Modified-Since", p.lastMo)
	}
	req.Header.Set("User-Agent", "confcal")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, false, nil
	case http.StatusOK:
	default:
		return nil, false, fmt.Errorf("fetch programme %s: the server answered %s", p.url, resp.Status)
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(resp.Body, programme.MaxSourceSize+1)); err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	if b.Len() > programme.MaxSourceSize {
		return nil, false, fmt.Errorf("fetch programme %s: larger than %d MiB", p.url, programme.MaxSourceSize>>20)
	}
	p.etag, p.lastMo = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return b.Bytes(), true, nil
}

// accessLog returns the hook that logs every request once it is
// answered: method, path, status, body bytes written and duration.
func accessLog(log *slog.Logger) func(feed.Served) {
	h := log.Handler()
	ctx := context.Background()
	return func(s feed.Served) {
		// The record is made here rather than by log.LogAttrs, which
		// would also look up the caller on every request.
		if !h.Enabled(ctx, slog.LevelInfo) {
			return
		}
		line := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		line.AddAttrs(slog.String("method", s.Method), slog.String("path", s.Path), slog.Int("status", s.Status),
			slog.Int64("bytes", s.Bytes), slog.Duration("duration", s.Duration))
		if s.Err != nil {
			line.AddAttrs(slog.String("error", s.Err.Error()))
		}
		_ = h.Handle(ctx, line)
	}
}

// serverLog passes the HTTP server's own complaints (a connection it
// could not serve, a panic) to the log as warnings, at most a few a
// second: clients that send garbage cannot flood the log. Those left out
// are counted in the next one logged.
type serverLog struct {
	log     *slog.Logger
	limit   *rate.Limiter
	dropped *atomic.Int64
}

func newServerLog(log *slog.Logger) serverLog {
	return serverLog{log: log, limit: rate.NewLimiter(rate.Limit(5), 20), dropped: new(atomic.Int64)}
}

func (l serverLog) Printf(format string, args ...any) {
	if !l.limit.Allow() {
		l.dropped.Add(1)
		return
	}
	msg := strings.TrimSpace(fmt.Sprintf(format, args...))
	if n := l.dropped.Swap(0); n > 0 {
		l.log.Warn(msg, "left_out", n)
		return
	}
	l.log.Warn(msg)
}

// patientListener retries the accept errors that pass (too many open
// files, a connection aborted before it was accepted), waiting a little
// longer each time up to a second, as net/http's server does, rather
// than stop serving.
type patientListener struct {
	net.Listener
	log *slog.Logger
}

func (l patientListener) Accept() (net.Conn, error) {
	var wait time.Duration
	for {
		c, err := l.Listener.Accept()
		if err == nil || !transientAcceptError(err) {
			return c, err
		}
		wait = min(max(2*wait, 5*time.Millisecond), time.Second)
		l.log.Warn("accept failed; retrying", "err", err, "wait", wait)
		time.Sleep(wait)
	}
}

func transientAcceptError(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// batchWriter collects writes and passes them on together, every
// interval, or as soon as a batch is large. Each Write is passed on whole,
// so log lines stay intact. A Write only appends to the batch: the batch
// is written by the flushing goroutine, outside the lock, so that a slow
// reader of the log (a full pipe, a busy disk) does not hold up the
// requests that log; only when batches pile up past batchLimit does Write
// wait for them to be written.
type batchWriter struct {
	mu    sync.Mutex
	buf   []byte
	wmu   sync.Mutex // held while a batch is written, so batches keep their order
	w     io.Writer
	spare []byte // the buffer the next batch goes into; under wmu
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

const (
	// batchMax is the size at which a batch is written without waiting
	// for the interval.
	batchMax = 64 << 10
	// batchLimit is the size at which a Write waits for the batch to be
	// written: the bound on the memory the log may hold.
	batchLimit = 4 << 20
)

func newBatchWriter(w io.Writer, interval time.Duration) *batchWriter {
	b := &batchWriter{w: w, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-b.kick:
			case <-b.stop:
				return
			}
			_ = b.Flush()
		}
	}()
	return b
}

func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	n := len(b.buf)
	b.mu.Unlock()
	switch {
	case n >= batchLimit:
		return len(p), b.Flush()
	case n >= batchMax:
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Flush writes what is waiting.
func (b *batchWriter) Flush() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	out := b.buf
	b.buf = b.spare[:0]
	b.mu.Unlock()
	if len(out) == 0 {
		b.spare = out
		return nil
	}
	_, err := b.w.Write(out)
	b.spare = out[:0]
	return err
}

// Close stops the batching and writes what is waiting.
func (b *batchWriter) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// The server's limits. Feeds are small and served from memory, so generous
// write and idle timeouts cost little; reading a request is bounded
// tightly: nothing served takes a request body.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 5 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	// MaxHeaderBytes bounds the request line and header fields.
	MaxHeaderBytes = 16 << 10
	// MaxBodyBytes bounds a request body, which no route reads.
	MaxBodyBytes = 64 << 10
	// ShutdownGrace is how long Serve waits for requests in flight once
	// its context ends.
	ShutdownGrace = 10 * time.Second
)

// Server is the http.Server confcal serve runs a handler on, with its
// timeouts and bounds, and a shutdown that answers the requests already on
// their way in.
type Server struct {
	*http.Server
	log *slog.Logger

	mu    sync.Mutex
	conns map[net.Conn]http.ConnState
}

// NewServer returns a Server for h. The server's own complaints (a
// connection it could not serve, a handler's panic) are logged as
// warnings.
func NewServer(h http.Handler, log *slog.Logger) *Server {
	s := &Server{log: log, conns: map[net.Conn]http.ConnState{}}
	s.Server = &http.Server{
		Handler:           http.MaxBytesHandler(h, MaxBodyBytes),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         s.track,
	}
	return s
}

func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.conns, c)
		return
	}
	s.conns[c] = st
}

// TLS names a certificate and its key, in PEM files; with both set, Serve
// speaks HTTPS, and HTTP/2 to the clients that ask for it.
type TLS struct {
	CertFile, KeyFile string
}

// Serve serves on ln until ctx ends, then stops: see drain.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tls TLS) error {
	errc := make(chan error, 1)
	go func() {
		if tls.CertFile != "" {
			errc <- s.Server.ServeTLS(ln, tls.CertFile, tls.KeyFile)
			return
		}
		errc <- s.Server.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownGrace)
	defer cancel()
	s.drain(sctx, ln)
	<-errc // the listener is closed: Serve has returned
	if err := s.Server.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	return nil
}

// drain stops accepting connections and ends keep-alive, then waits until
// every connection has finished the request it was reading or answering,
// closing the idle ones, or until ctx ends. http.Server.Shutdown alone
// would drop a request whose header was still on its way in; here it is
// answered, with Connection: close.
func (s *Server) drain(ctx context.Context, ln net.Listener) {
	s.Server.SetKeepAlivesEnabled(false)
	_ = ln.Close()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		busy := 0
		for c, st := range s.conns {
			if st == http.StateIdle {
				_ = c.Close()
				continue
			}
			busy++
		}
		s.mu.Unlock()
		if busy == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

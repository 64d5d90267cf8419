package radicaletest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Fault is what a Proxy does with one request.
type Fault int

// The faults a Proxy can inject.
const (
	// Pass forwards the request and its answer.
	Pass Fault = iota
	// DropBefore closes the client's connection without forwarding: the
	// server never sees the request.
	DropBefore
	// DropAfter forwards the request, then closes the client's connection
	// without answering: the server did the work, the client never
	// learns.
	DropAfter
)

// Proxy forwards requests to a Server, counting them by method, and
// drops connections when told to. Its URLs have the server's paths.
type Proxy struct {
	// URL is the proxy's root, standing for the server's.
	URL string

	target *url.URL
	mu     sync.Mutex
	n      int
	counts map[string]int
	fault  func(n int, r *http.Request) Fault
	tr     *http.Transport
}

// Proxy starts a Proxy in front of s, stopped when t ends.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: target, counts: map[string]int{}, tr: &http.Transport{DisableKeepAlives: true}}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		p.tr.CloseIdleConnections()
	})
	p.URL = srv.URL + "/"
	return p
}

// Rewrite turns a URL on the server into the same URL on the proxy.
func (p *Proxy) Rewrite(serverURL string) string {
	return p.URL + strings.TrimPrefix(serverURL, p.target.String())
}

// SetFault makes the proxy ask f about every request from now on; n
// counts the requests the proxy has seen, from 1. Nil forwards everything.
func (p *Proxy) SetFault(f func(n int, r *http.Request) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// Count returns how many requests with one of the methods the proxy has
// seen (every request when no method is given), dropped ones included.
func (p *Proxy) Count(methods ...string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(methods) == 0 {
		return p.n
	}
	total := 0
	for _, m := range methods {
		total += p.counts[m]
	}
	return total
}

// Writes returns how many PUT and DELETE requests the proxy has seen.
func (p *Proxy) Writes() int { return p.Count(http.MethodPut, http.MethodDelete) }

// Reset forgets the counts.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n = 0
	p.counts = map[string]int{}
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.n++
	p.counts[r.Method]++
	fault := Pass
	if p.fault != nil {
		fault = p.fault(p.n, r)
	}
	p.mu.Unlock()

	if fault == DropBefore {
		drop(w)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		drop(w)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target.ResolveReference(&url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath}).String(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || fault == DropAfter {
		drop(w)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(data) //nolint:errcheck // the client may have gone
}

// drop closes the client's connection without a word.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("radicaletest: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// Package radicaletest runs a real CalDAV server, Radicale, for tests: on
// 127.0.0.1 on a free port, with a temporary storage folder and htpasswd
// authentication, stopped when the test ends. A Proxy in front of it
// counts requests and drops connections on demand.
//
// Tests that need the server skip when the radicale command is missing,
// and fail instead when the environment variable CI is "true", so that a
// CI machine without it cannot pass by skipping.
package radicaletest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// User is the account every Server has.
const User = "alice"

// Server is a running Radicale.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:PORT/".
	URL string
	// User and Password are the account's credentials.
	User, Password string
	// Dir holds the configuration, the users file, the log and the
	// storage folder (Dir/collections).
	Dir string

	t      testing.TB
	addr   string
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start starts a Radicale for t and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		const msg = "radicale is not installed (Debian: apt-get install radicale); the tests against a real CalDAV server need it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	s := &Server{User: User, Password: "pw-" + randomHex(12), Dir: dir, t: t}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(s.User+":"+s.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for try := 0; try < 3; try++ {
		s.addr, err = freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.writeConfig(); err != nil {
			t.Fatal(err)
		}
		if lastErr = s.start(bin); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("start radicale: %v\n%s", lastErr, s.Log())
	}
	s.URL = "http://" + s.addr + "/"
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("radicale log:\n%s", tail(s.Log(), 60))
		}
	})
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// freeAddr finds a port nothing listens on. Radicale cannot be told to
// pick one, so there is a short window in which another process could
// take it; start retries on another port when that happens.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (s *Server) writeConfig() error {
	conf := fmt.Sprintf(`[server]
hosts = %s
max_connections = 32
timeout = 30

[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = %s

[web]
type = none

[logging]
level = info
mask_passwords = True
`, s.addr, filepath.Join(s.Dir, "users"), filepath.Join(s.Dir, "collections"))
	return os.WriteFile(filepath.Join(s.Dir, "config"), []byte(conf), 0o600)
}

func (s *Server) start(bin string) error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "--config", filepath.Join(s.Dir, "config"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait() //nolint:errcheck // killed on purpose
		logf.Close()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("radicale exited")
		default:
		}
		if s.ready() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return errors.New("radicale did not answer within 30s")
}

func (s *Server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodOptions, "http://"+s.addr+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// Stop kills the server at once, as a crash would. It is safe to call
// twice.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill() //nolint:errcheck // it may have exited already
	<-exited
}

// Restart starts the server again on the same address and storage.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		s.t.Fatal(err)
	}
	var lastErr error
	for try := 0; try < 20; try++ { // the old socket may linger briefly
		if lastErr = s.start(bin); lastErr == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("restart radicale: %v\n%s", lastErr, tail(s.Log(), 30))
}

// Log returns what the server logged.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
	return string(b)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// NewCalendar creates the calendar collection name in the user's home and
// returns its URL.
func (s *Server) NewCalendar(t testing.TB, name string) string {
	t.Helper()
	u := s.URL + s.User + "/" + name + "/"
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>` + name + `</D:displayname>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>`
	resp, _ := s.Do(t, "MKCALENDAR", u, http.Header{"Content-Type": {"application/xml"}}, []byte(body))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCALENDAR %s: %s", u, resp.Status)
	}
	return u
}

// Do sends a request as the user, the way another client would, and
// returns the response with its body read.
func (s *Server) Do(t testing.TB, method, url string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.SetBasicAuth(s.User, s.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp, data
}

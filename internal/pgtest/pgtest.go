// Package pgtest starts private PostgreSQL servers for tests, from the
// binaries of Debian's postgresql package: a data directory of its own in
// a temporary directory, a loopback port, and when run as root the
// postgres user (initdb refuses root). Without the binaries a test skips
// with a message, and fails when CI=true.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"
)

// Server is a running PostgreSQL.
type Server struct {
	t    testing.TB
	bin  string
	dir  string // holds data/ and the socket
	port int
	user string // the system user it runs as, "" for the current one
	cmd  *exec.Cmd
	dbs  atomic.Int64
}

// Bin returns the directory of the PostgreSQL binaries, or "" when there
// are none: $PGTEST_BIN, else the newest /usr/lib/postgresql/*/bin, else
// the directory of initdb on the PATH.
func Bin() string {
	if b := os.Getenv("PGTEST_BIN"); b != "" {
		return b
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
		return dirs[len(dirs)-1]
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Need skips t when PostgreSQL is missing, or fails it when CI=true.
func Need(t testing.TB) string {
	t.Helper()
	bin := Bin()
	if bin != "" {
		if _, err := os.Stat(filepath.Join(bin, "postgres")); err == nil {
			return bin
		}
	}
	msg := "PostgreSQL is not installed (apt-get install postgresql, or set PGTEST_BIN): the PostgreSQL tests are skipped"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Start starts a server, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, bin: Need(t)}
	dir, err := os.MkdirTemp("", "confcal-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() { s.Stop(); os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		s.user = "postgres"
		if err := s.chown(); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.run("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions")
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.port = freePort(t)
	s.Restart()
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// chown gives the temporary directory to the postgres user.
func (s *Server) chown() error {
	u, err := user.Lookup(s.user)
	if err != nil {
		return fmt.Errorf("pgtest: running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(s.dir, uid, gid)
}

// command returns the command of a PostgreSQL binary, run as the server's
// user.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	bin := filepath.Join(s.bin, name)
	if s.user != "" {
		return exec.Command("runuser", append([]string{"-u", s.user, "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func (s *Server) run(name string, args ...string) ([]byte, error) {
	return s.command(name, args...).CombinedOutput()
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Restart starts the server again after Stop (Start calls it first), on
// the same port and data, and waits until it accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	cmd := s.command("postgres", "-D", s.data(), "-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200")
	log, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start postgres: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", s.DSN("postgres"))
		if err == nil {
			err = db.PingContext(context.Background())
			db.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			s.t.Fatalf("postgres did not start: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the server at once (pg_ctl stop -m fast) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	if out, err := s.run("pg_ctl", "-D", s.data(), "-m", "fast", "-w", "stop"); err != nil {
		s.t.Logf("pg_ctl stop: %v\n%s", err, out)
		s.cmd.Process.Kill()
	}
	s.cmd.Wait()
	s.cmd = nil
}

// DSN returns the URL of database db.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase() string {
	s.t.Helper()
	name := "test" + strconv.FormatInt(s.dbs.Add(1), 10)
	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		s.t.Fatal(err)
	}
	return s.DSN(name)
}

// Open opens a new database of the server.
func (s *Server) Open() *sql.DB {
	s.t.Helper()
	db, err := sql.Open("pgx", s.NewDatabase())
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { db.Close() })
	return db
}

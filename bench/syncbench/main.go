// Command syncbench measures confcal sync google against the fake Google
// Calendar with a fixed latency per request: the first sync of a programme,
// a no-op re-sync, and a re-sync after a few sessions changed. It prints
// request counts by method and wall times, and checks them against the
// targets: the first sync makes exactly one insert per session plus the
// list and calendar requests; the no-op makes no write and one list
// request; the change run makes exactly one write per change; the time the
// requests take, from the first request's arrival at the fake to the last
// answer, is within 10% of the rate limiter's bound (requests / rate).
//
// "wall" is the whole confcal process, which also starts up, reads and
// checks the programme; "requests" is the span the rate limiter governs.
//
// bench/sync.sh builds confcal and runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/confcal/confcal/sync/google/googletest"
)

func main() {
	confcal := flag.String("confcal", "confcal", "the confcal binary to measure")
	sessions := flag.Int("sessions", 1000, "sessions in the programme")
	changes := flag.Int("changes", 10, "sessions changed before the last run")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency the fake adds to every request")
	rate := flag.Float64("rate", 5, "confcal's --rate, requests per second")
	workers := flag.Int("workers", 4, "confcal's --workers")
	flag.Parse()
	if err := run(*confcal, *sessions, *changes, *latency, *rate, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "syncbench:", err)
		os.Exit(1)
	}
}

type scenario struct {
	name      string
	counts    map[string]int
	wall      time.Duration // of the confcal process
	span      time.Duration // from the first request's arrival to the last answer
	wantWrite int           // exact writes expected
	wantGets  int           // exact GETs expected, -1 for any
	wantPosts int           // exact POSTs expected, -1 for any
	paced     bool          // wall time should follow the rate limiter
}

func run(confcal string, n, changes int, latency time.Duration, rate float64, workers int) error {
	dir, err := os.MkdirTemp("", "syncbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prog := filepath.Join(dir, "programme.yaml")
	if err := os.WriteFile(prog, programme(n, 0), 0o644); err != nil {
		return err
	}
	srv := googletest.NewServer()
	defer srv.Close()
	srv.SetLatency(latency)

	env := append(os.Environ(),
		"CONFCAL_GOOGLE_ENDPOINT="+srv.Endpoint(), "CONFCAL_GOOGLE_NO_AUTH=1",
		"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"HOME="+dir, "CONFCAL_NOW=2025-01-15T10:00:00Z")
	sync := func(name string) (scenario, error) {
		srv.ResetRequests()
		cmd := exec.Command(confcal, "sync", "google", "-p", prog, "--all", "--no-progress",
			"--rate", fmt.Sprint(rate), "--workers", fmt.Sprint(workers))
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			return scenario{}, fmt.Errorf("%s: %v\n%s", name, err, tail(out.String()))
		}
		return scenario{name: name, counts: srv.Counts(), wall: wall, span: srv.Span()}, nil
	}

	fmt.Printf("confcal sync google: %d sessions, fake Google Calendar with %v latency per request, --rate %g --workers %d\n\n",
		n, latency, rate, workers)
	var results []scenario
	first, err := sync("first sync")
	if err != nil {
		return err
	}
	first.wantWrite, first.wantGets, first.wantPosts, first.paced = n+1, 0, n+1, true // inserts and the calendar
	results = append(results, first)

	noop, err := sync("no-op re-sync")
	if err != nil {
		return err
	}
	noop.wantWrite, noop.wantGets, noop.wantPosts = 0, (n+2499)/2500, 0
	results = append(results, noop)

	if err := os.WriteFile(prog, programme(n, changes), 0o644); err != nil {
		return err
	}
	changed, err := sync(fmt.Sprintf("%d changes", changes))
	if err != nil {
		return err
	}
	changed.wantWrite, changed.wantGets, changed.wantPosts, changed.paced = changes, (n+2499)/2500, 0, true
	results = append(results, changed)

	return report(results, rate)
}

// report prints one line per run and checks each against its targets:
// exact request counts, and paced runs within 10% of requests / rate.
func report(results []scenario, rate float64) error {
	fmt.Printf("%-14s %5s %5s %5s %6s %6s %10s %10s %10s %6s\n", "run", "GET", "POST", "PUT", "DELETE", "writes", "wall", "requests", "bound", "ratio")
	failed := 0
	var notes []string
	for _, r := range results {
		total := 0
		for _, c := range r.counts {
			total += c
		}
		writes := total - r.counts["GET"]
		// The rate limiter's bound: requests / rate.
		bound := time.Duration(float64(total) / rate * float64(time.Second))
		ratio := "-"
		if r.paced && bound > 0 {
			q := float64(r.span) / float64(bound)
			ratio = fmt.Sprintf("%.3f", q)
			if math.Abs(q-1) > 0.10 {
				failed++
				notes = append(notes, fmt.Sprintf("%s: the requests took %v, not within 10%% of the bound %v", r.name, r.span.Round(time.Millisecond), bound))
			}
		}
		fmt.Printf("%-14s %5d %5d %5d %6d %6d %10s %10s %10s %6s\n", r.name, r.counts["GET"], r.counts["POST"], r.counts["PUT"],
			r.counts["DELETE"], writes, r.wall.Round(time.Millisecond), r.span.Round(time.Millisecond), bound.Round(time.Millisecond), ratio)
		if writes != r.wantWrite {
			failed++
			notes = append(notes, fmt.Sprintf("%s: %d writes, want %d", r.name, writes, r.wantWrite))
		}
		if r.wantGets >= 0 && r.counts["GET"] != r.wantGets {
			failed++
			notes = append(notes, fmt.Sprintf("%s: %d GET requests, want %d", r.name, r.counts["GET"], r.wantGets))
		}
		if r.wantPosts >= 0 && r.counts["POST"] != r.wantPosts {
			failed++
			notes = append(notes, fmt.Sprintf("%s: %d POST requests, want %d", r.name, r.counts["POST"], r.wantPosts))
		}
	}
	fmt.Println()
	for _, n := range notes {
		fmt.Println("MISSED", n)
	}
	if failed > 0 {
		return fmt.Errorf("%d target%s missed", failed, map[bool]string{true: "s"}[failed > 1])
	}
	fmt.Println("all targets met: exact request counts; the requests take requests / rate, within 10%")
	return nil
}

// programme returns a programme of n sessions over five days, ten rooms,
// with the first changed sessions renamed.
func programme(n, changed int) []byte {
	var b strings.Builder
	b.WriteString("id: bench\nname: Sync benchmark\ntimezone: Europe/Paris\ndomain: bench.example\n")
	b.WriteString("venues:\n  - id: hall\n    name: Hall\n    rooms:\n")
	for r := 0; r < 10; r++ {
		fmt.Fprintf(&b, "      - {id: r%d, name: Room %d}\n", r, r)
	}
	b.WriteString("sessions:\n")
	base := time.Date(2025, 2, 10, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		slot := i / 10
		day, hour := slot/20, slot%20
		start := base.AddDate(0, 0, day).Add(time.Duration(hour) * 40 * time.Minute)
		title := fmt.Sprintf("Session %d", i)
		if i < changed {
			title += " (moved)"
		}
		fmt.Fprintf(&b, "  - {id: s%d, title: %q, start: %s, end: %s, venue: hall, room: r%d}\n",
			i, title, start.Format("2006-01-02T15:04"), start.Add(30*time.Minute).Format("2006-01-02T15:04"), i%10)
	}
	return []byte(b.String())
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

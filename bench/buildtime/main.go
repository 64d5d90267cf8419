//go:build unix

// Command buildtime times confcal's builds of one programme, stateless, in
// one process, each written to disk as confcal build writes it (feed.Export)
// into an empty directory: the whole-programme feed alone; the complete
// feed set (every feed and feeds.json, as --feeds-only writes it); and the
// whole static site (with one calendar per session and index.html). A
// fourth run builds the site again over an unchanged copy, which rewrites
// nothing. The runs take turns, n times each; before each, the directory
// is emptied and the file system synced, untimed. Decoding the programme
// is timed apart. It prints the median of each, with the build alone
// (before writing), what was written, and the process's peak resident
// memory (VmHWM), as "key value" lines for bench/build.sh:
//
//	go run ./bench/buildtime -p programme.yaml -n 5 -dir /tmp/out
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "buildtime:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("buildtime", flag.ContinueOnError)
	path := fs.String("p", "", "programme `FILE` (native YAML or JSON)")
	n := fs.Int("n", 5, "runs of each build")
	dir := fs.String("dir", "", "output `DIR`: all.ics and set/ are written there")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *dir == "" || *n < 1 {
		return errors.New("usage: buildtime -p FILE -dir DIR [-n RUNS]")
	}
	// As confcal build and confcal serve do.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(50)
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	start := time.Now()
	p, _, err := programme.DecodeBytes(data, *path)
	if err != nil {
		return err
	}
	loadTime := time.Since(start)
	loadPeak, err := peakRSS()
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	fmt.Fprintf(out, "sessions %d\n", len(p.Sessions))
	fmt.Fprintf(out, "load_ms %.1f\n", ms(loadTime))
	fmt.Fprintf(out, "load_rss_mb %.1f\n", loadPeak)

	whole, set, site, rebuild, err := timeBuilds(p, *dir, *n)
	if err != nil {
		return err
	}
	for _, r := range []struct {
		key  string
		runs *runs
	}{{"whole", whole}, {"set", set}, {"site", site}, {"rebuild", rebuild}} {
		fmt.Fprintf(out, "%s_ms %.1f\n", r.key, ms(median(r.runs.total)))
		fmt.Fprintf(out, "%s_build_ms %.1f\n", r.key, ms(median(r.runs.build)))
		fmt.Fprintf(out, "%s_cpu_ms %.1f\n", r.key, ms(median(r.runs.cpu)))
	}
	if err := describe(out, *dir); err != nil {
		return err
	}
	peak, err := peakRSS()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "peak_rss_mb %.1f\n", peak)
	return nil
}

// timeBuilds runs each kind of build n times into dir: the builds take
// turns, so that all see the same machine.
func timeBuilds(p *programme.Programme, dir string, n int) (whole, set, site, rebuild *runs, err error) {
	whole, set, site, rebuild = new(runs), new(runs), new(runs), new(runs)
	for range n {
		for _, r := range []struct {
			runs  *runs
			dir   string
			fresh bool
			opts  feed.Options
			out   feed.ExportOptions
		}{
			{whole, "whole", true, feed.Options{OnlyAll: true}, feed.ExportOptions{FeedsOnly: true}},
			{set, "set", true, feed.Options{}, feed.ExportOptions{FeedsOnly: true}},
			{site, "site", true, feed.Options{}, feed.ExportOptions{}},
			{rebuild, "site", false, feed.Options{}, feed.ExportOptions{}},
		} {
			dir := filepath.Join(dir, r.dir)
			if r.fresh {
				if err := os.RemoveAll(dir); err != nil {
					return nil, nil, nil, nil, err
				}
			}
			unix.Sync()
			runtime.GC()
			if err := r.runs.time(func() (time.Time, error) { return build(p, dir, r.opts, r.out) }); err != nil {
				return nil, nil, nil, nil, err
			}
		}
	}
	return whole, set, site, rebuild, nil
}

// runs collects the durations of repeated builds: the whole run, the
// build alone (before anything is written), and the CPU time of the whole
// run, every thread of the process included.
type runs struct{ total, build, cpu []time.Duration }

func (r *runs) time(f func() (built time.Time, err error)) error {
	c0, err := cpuTime()
	if err != nil {
		return err
	}
	t0 := time.Now()
	built, err := f()
	if err != nil {
		return err
	}
	total := time.Since(t0)
	c1, err := cpuTime()
	if err != nil {
		return err
	}
	r.total, r.build, r.cpu = append(r.total, total), append(r.build, built.Sub(t0)), append(r.cpu, c1-c0)
	return nil
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("cpu time: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// build builds the programme's feeds and exports them to dir.
func build(p *programme.Programme, dir string, opts feed.Options, out feed.ExportOptions) (built time.Time, err error) {
	set, err := feed.Build(p, opts)
	if err != nil {
		return built, err
	}
	built = time.Now()
	_, err = feed.Export(dir, set, out)
	return built, err
}

// describe prints what the builds wrote: the events and bytes of the
// whole-programme feed, and the files of the set and of the site.
func describe(out io.Writer, dir string) error {
	body, err := os.ReadFile(filepath.Join(dir, "whole", "all.ics"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "whole_events %d\n", bytes.Count(body, []byte("BEGIN:VEVENT\r\n")))
	fmt.Fprintf(out, "whole_bytes %d\n", len(body))
	for _, name := range []string{"set", "site"} {
		var files int
		var size int64
		err = filepath.WalkDir(filepath.Join(dir, name), func(_ string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			files++
			size += info.Size()
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s_files %d\n", name, files)
		fmt.Fprintf(out, "%s_bytes %d\n", name, size)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSS returns the process's peak resident set size so far, in
// megabytes, from /proc/self/status (VmHWM).
func peakRSS() (float64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				return 0, fmt.Errorf("peak memory: %q: %w", line, err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("peak memory: no VmHWM in /proc/self/status")
}

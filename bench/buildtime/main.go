//go:build unix

// Command buildtime times confcal's builds of one programme, stateless, in
// one process: n runs of the whole-programme feed built and written to a
// file (atomically, as confcal writes every file), taking turns with n runs
// of the complete feed set built and exported to a directory with
// feed.Export. Decoding the programme is timed apart. It prints the median
// of each, with the build alone (before writing), what was written, and the
// process's peak resident memory (VmHWM), as "key value" lines for
// bench/build.sh:
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

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/internal/atomicfile"
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

	// The two builds take turns, so that both see the same machine.
	var whole, set runs
	for range *n {
		runtime.GC()
		if err := whole.time(func() (time.Time, error) { return buildWhole(p, filepath.Join(*dir, "all.ics")) }); err != nil {
			return err
		}
		runtime.GC()
		if err := set.time(func() (time.Time, error) { return buildSet(p, filepath.Join(*dir, "set")) }); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "whole_ms %.1f\n", ms(median(whole.total)))
	fmt.Fprintf(out, "whole_build_ms %.1f\n", ms(median(whole.build)))
	fmt.Fprintf(out, "whole_cpu_ms %.1f\n", ms(median(whole.cpu)))
	fmt.Fprintf(out, "set_ms %.1f\n", ms(median(set.total)))
	fmt.Fprintf(out, "set_build_ms %.1f\n", ms(median(set.build)))
	fmt.Fprintf(out, "set_cpu_ms %.1f\n", ms(median(set.cpu)))
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

// buildWhole builds the whole-programme feed alone and writes it to path.
func buildWhole(p *programme.Programme, path string) (built time.Time, err error) {
	set, err := feed.Build(p, feed.Options{OnlyAll: true})
	if err != nil {
		return built, err
	}
	built = time.Now()
	if err := atomicfile.WriteFile(path, set.Feed("all").Bytes(), 0o644); err != nil {
		return built, fmt.Errorf("write %s: %w", path, err)
	}
	return built, nil
}

// buildSet builds the complete feed set and exports it to dir.
func buildSet(p *programme.Programme, dir string) (built time.Time, err error) {
	set, err := feed.Build(p, feed.Options{})
	if err != nil {
		return built, err
	}
	built = time.Now()
	_, err = feed.Export(dir, set)
	return built, err
}

// describe prints what the builds wrote: the events and bytes of the
// whole-programme feed, and the files of the set.
func describe(out io.Writer, dir string) error {
	body, err := os.ReadFile(filepath.Join(dir, "all.ics"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "whole_events %d\n", bytes.Count(body, []byte("BEGIN:VEVENT\r\n")))
	fmt.Fprintf(out, "whole_bytes %d\n", len(body))
	var files int
	var size int64
	err = filepath.WalkDir(filepath.Join(dir, "set"), func(_ string, d os.DirEntry, err error) error {
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
	fmt.Fprintf(out, "set_files %d\n", files)
	fmt.Fprintf(out, "set_bytes %d\n", size)
	return err
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

//go:build unix

package feed_test

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// benchProgramme is the programme of the performance target: 10,000
// sessions over 10 days, 50 tracks, 100 venues, generated once.
var benchProgramme = sync.OnceValues(func() (*programme.Programme, error) {
	p, _, err := programme.DecodeBytes(synth.Programme(synth.Config{Sessions: 10000, Days: 10, Tracks: 50, Venues: 100, Seed: 1}), "synth.yaml")
	return p, err
})

// BenchmarkBuildAll builds the whole-programme feed alone.
func BenchmarkBuildAll(b *testing.B) { benchBuild(b, feed.Options{OnlyAll: true}) }

// BenchmarkBuildSet builds the complete feed set: the target is at most 1.5
// times BenchmarkBuildAll, since every event is serialized once and its
// bytes reused.
func BenchmarkBuildSet(b *testing.B) { benchBuild(b, feed.Options{}) }

// BenchmarkExport builds the complete set and writes it as static files,
// one calendar per session included, as confcal build does.
func BenchmarkExport(b *testing.B) {
	p := benchLoad(b)
	dir := b.TempDir()
	var out int
	measure(b, func() {
		set, err := feed.Build(p, feed.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := feed.Export(dir, set, feed.ExportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		out = res.Written
	})
	b.ReportMetric(float64(out), "files")
}

func benchLoad(b *testing.B) *programme.Programme {
	b.Helper()
	p, err := benchProgramme()
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchBuild(b *testing.B, opts feed.Options) {
	p := benchLoad(b)
	var size int
	measure(b, func() {
		set, err := feed.Build(p, opts)
		if err != nil {
			b.Fatal(err)
		}
		size = 0
		for _, f := range set.Feeds {
			size += f.Size
		}
	})
	b.ReportMetric(float64(size)/1e6, "out-MB")
}

// measure runs build in the benchmark loop and reports, per build, its
// time in milliseconds, the CPU time of the process in milliseconds (on a
// busy machine, steadier than the time), and the memory it allocates in
// megabytes.
func measure(b *testing.B, build func()) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime(b)
	n := 0
	for b.Loop() {
		build()
		n++
	}
	cpu := cpuTime(b) - cpu0
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/build")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(n), "cpu-ms/build")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/1e6/float64(n), "alloc-MB/build")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExportFeeds writes a built feed set (feeds and feeds.json, as
// confcal build --feeds-only does) into an empty directory: the cost of
// writing alone. The directory is $CONFCAL_BENCH_DIR when set (a tmpfs
// leaves the disk out), else a temporary one.
func BenchmarkExportFeeds(b *testing.B) {
	set, err := feed.Build(benchLoad(b), feed.Options{})
	if err != nil {
		b.Fatal(err)
	}
	root := os.Getenv("CONFCAL_BENCH_DIR")
	if root == "" {
		root = b.TempDir()
	}
	dir, err := os.MkdirTemp(root, "export-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var size int
	for _, f := range set.Feeds {
		size += f.Size
	}
	measure(b, func() {
		b.StopTimer()
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		unix.Sync()
		b.StartTimer()
		if _, err := feed.Export(dir, set, feed.ExportOptions{FeedsOnly: true}); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(size)/1e6, "out-MB")
}

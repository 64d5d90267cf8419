//go:build unix

package programme

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confcal/confcal/bench/gen/synth"
)

// bench10k is the programme of the performance target, the one
// feed/build_bench_test.go builds: 10,000 sessions over 10 days, 50 tracks
// and 100 venues.
var bench10k = sync.OnceValue(func() []byte {
	return synth.Programme(synth.Config{Sessions: 10000, Days: 10, Tracks: 50, Venues: 100, Seed: 1})
})

// BenchmarkDecodeYAML10k decodes the 10,000-session programme. Its
// ms/decode and cpu-ms/decode compare with ms/build and cpu-ms/build of
// BenchmarkBuildSet in ./feed/, run in the same go test command:
//
//	go test -run '^$' -bench 'DecodeYAML10k|BuildSet$' ./programme/ ./feed/
func BenchmarkDecodeYAML10k(b *testing.B) {
	data := bench10k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		if _, _, err := DecodeBytes(data, "synth.yaml"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/decode")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/decode")
}

// cpuTime is the CPU time of the process: on a busy machine, steadier
// than the elapsed time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

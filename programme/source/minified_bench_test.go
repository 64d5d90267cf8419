package source

import (
	"fmt"
	"testing"
	"time"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/importtest"
)

// BenchmarkMinified decodes and checks one synthetic programme (bench/gen)
// in two forms, at 5,000 and 10,000 sessions: the native YAML, and a
// c3voc schedule.json written on one line, as pretalx serves it. Each
// iteration decodes all four files in turn, so that they see the same
// machine. It reports the CPU time of each and two ratios: schedule.json
// against the YAML of the same size (target: at most 2), and the
// 10,000-session schedule.json against the 5,000 one (target: at most 2.2
// for twice the sessions). The least CPU time of a decode over the
// iterations makes the ratios, as a busy machine inflates neither; the
// mean and the elapsed time are logged beside it. Run it with
//
//	go test -run '^$' -bench '^BenchmarkMinified$' -benchtime 5x ./programme/source
func BenchmarkMinified(b *testing.B) {
	type input struct {
		key, name string
		data      []byte
		sessions  int
		cpu, wall time.Duration // in all
		least     time.Duration // the least CPU time of one decode
	}
	var inputs []*input
	for _, n := range []int{5000, 10000} {
		yaml := synth.Programme(synth.Config{Sessions: n})
		p, _, err := programme.DecodeBytes(yaml, "programme.yaml")
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs,
			&input{key: fmt.Sprintf("yaml-%d", n), name: "programme.yaml", data: yaml, sessions: len(p.Sessions)},
			&input{key: fmt.Sprintf("c3voc-%d", n), name: "schedule.json", data: importtest.ScheduleJSON(p), sessions: len(p.Sessions)})
	}
	for b.Loop() {
		for _, in := range inputs {
			cpu, wall := cpuTime(), time.Now()
			q, _, err := Decode(in.data, in.name, Options{})
			used := cpuTime() - cpu
			in.cpu += used
			in.wall += time.Since(wall)
			if in.least == 0 || used < in.least {
				in.least = used
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(q.Sessions) != in.sessions {
				b.Fatalf("%s: %d sessions, want %d", in.key, len(q.Sessions), in.sessions)
			}
		}
	}
	ms := map[string]float64{}
	for _, in := range inputs {
		ms[in.key] = float64(in.least) / 1e6
		b.ReportMetric(ms[in.key], in.key+"-cpu-ms")
		b.Logf("%-12s %8d bytes: least %7.1f cpu-ms, mean %7.1f cpu-ms, %7.1f ms elapsed", in.key, len(in.data),
			ms[in.key], float64(in.cpu)/float64(b.N)/1e6, float64(in.wall)/float64(b.N)/1e6)
	}
	ratio := func(metric, a, c string, target float64) {
		r := ms[a] / ms[c]
		verdict := "ok"
		if r > target {
			verdict = "SLOW"
		}
		b.ReportMetric(r, metric)
		b.Logf("%-22s %5.2fx (target <= %.1f) %s", a+" / "+c, r, target, verdict)
	}
	ratio("c3voc/yaml-5000", "c3voc-5000", "yaml-5000", 2)
	ratio("c3voc/yaml-10000", "c3voc-10000", "yaml-10000", 2)
	ratio("c3voc-10000/5000", "c3voc-10000", "c3voc-5000", 2.2)
}

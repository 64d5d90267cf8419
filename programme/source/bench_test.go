package source

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
)

// benchFiles are the two large real files bench/import.sh measures.
var benchFiles = []struct{ name, path string }{
	{"36c3-json", "c3voc-json/36c3-everything.schedule.json"},
	{"fosdem-2026-xml", "frab-xml/fosdem-2026.xml"},
}

// BenchmarkImport imports each file and builds its whole feed set.
func BenchmarkImport(b *testing.B) {
	dir := sharedData(b)
	for _, f := range benchFiles {
		data, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				p, _, err := Decode(data, f.path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := feed.Build(p, feed.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU adds the CPU time per operation since start, in
// milliseconds: on a busy machine it measures the work where the elapsed
// time also counts the waiting.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// xmlNode is a generic XML element, the encoding/xml counterpart of
// decoding JSON into an any.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []xmlNode  `xml:",any"`
}

// BenchmarkGeneric decodes each file into generic values with the
// standard library alone: the yardstick of BenchmarkImport.
func BenchmarkGeneric(b *testing.B) {
	dir := sharedData(b)
	for _, f := range benchFiles {
		data, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			defer reportCPU(b, cpuTime())
			for b.Loop() {
				if filepath.Ext(f.path) == ".json" {
					var v any
					if err := json.Unmarshal(data, &v); err != nil {
						b.Fatal(err)
					}
					continue
				}
				var n xmlNode
				if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

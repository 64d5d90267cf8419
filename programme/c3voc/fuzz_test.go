package c3voc

import (
	"os"
	"testing"

	"github.com/confcal/confcal/programme/internal/importtest"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// and whatever it accepts must pass the checks and encode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"schedule.json", "schedule2.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"schedule":{"conference":{"days":[{"rooms":[{"id":"a","title":"b","date":"2025-03-30T02:30:00"}]}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags, err := Decode(data, "fuzz.json", Options{TimeZone: "Europe/Berlin"})
		importtest.CheckDecoded(t, p, diags, err)
	})
}

package frab

import (
	"os"
	"testing"

	"github.com/confcal/confcal/programme/internal/importtest"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// and whatever it accepts must pass the checks and encode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"pentabarf.xml", "pretalx.xml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<schedule><day date="2025-03-30"><room name="A"><event id="1"><start>02:30</start><duration>25:00</duration><title>x</title></event></room></day></schedule>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags, err := Decode(data, "fuzz.xml", Options{TimeZone: "Europe/Berlin"})
		importtest.CheckDecoded(t, p, diags, err)
	})
}

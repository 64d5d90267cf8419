package frab

import (
	"bytes"
	"os"
	"testing"

	"github.com/confcal/confcal/programme"
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
		if err != nil {
			if !diags.HasErrors() {
				t.Fatalf("error %v without an error finding", err)
			}
			return
		}
		programme.Check(p)
		if err := programme.Encode(&bytes.Buffer{}, p); err != nil {
			t.Fatal(err)
		}
	})
}

package icalin

import (
	"os"
	"testing"

	"github.com/confcal/confcal/programme/internal/importtest"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// and whatever it accepts must pass the checks and encode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"lenient.ics", "forever.ics"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART;VALUE=DATE:20250210\nRRULE:FREQ=YEARLY;COUNT=2000\nEND:VEVENT\nEND:VCALENDAR\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags, err := Decode(data, "fuzz.ics", Options{TimeZone: "Europe/Paris"})
		importtest.CheckDecoded(t, p, diags, err)
	})
}

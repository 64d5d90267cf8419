package csvprog

import (
	"os"
	"testing"

	"github.com/confcal/confcal/programme/internal/importtest"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// and whatever it accepts must pass the checks and encode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"semicolon.csv", "comma.csv"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("title\tdate\tend date\nFest\t01.08.2025\t03.08.2025\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags, err := Decode(data, "fuzz.csv", Options{TimeZone: "Europe/Paris"})
		importtest.CheckDecoded(t, p, diags, err)
	})
}

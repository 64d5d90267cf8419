package source_test

import (
	"fmt"

	"github.com/confcal/confcal/programme/source"
)

// A spreadsheet export with day-first dates, read as a programme: the
// format is told from the content, the zone comes from the options.
func ExampleDecode() {
	csv := "Title;Date;Start;End;Room\nOpening;10/02/2025;09:00;09:30;Main hall\nNight owl;10/02/2025;23:30;00:30;Main hall\n"
	p, diags, err := source.Decode([]byte(csv), "talks.csv", source.Options{TimeZone: "Europe/Paris"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(source.Detect([]byte(csv), "talks.csv"))
	for _, s := range p.Sessions {
		fmt.Println(s.ID, s.Start.Format("2006-01-02 15:04"), "to", s.End.Format("2006-01-02 15:04"), "in", s.Room.Name.In(""))
	}
	for _, d := range diags {
		fmt.Println(d)
	}
	// Output:
	// csv
	// opening 2025-02-10 09:00 to 2025-02-10 09:30 in Main hall
	// night-owl 2025-02-10 23:30 to 2025-02-11 00:30 in Main hall
	// talks.csv:1:1: warning: header: there is no id column: session ids are made from titles, so a renamed session gets a new UID; add an id column to keep them
}

package frab

import (
	"bytes"
	"strings"
	"testing"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// TestRoundTrip converts each fixture to the native format, reads it
// back, and builds the feed set from both: the same sessions must come out
// at the same instants with the same ids, titles and UIDs.
func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		file string
		opts Options
	}{
		{"pentabarf.xml", Options{TimeZone: "Europe/Brussels"}},
		{"pretalx.xml", Options{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			p, _ := decodeFile(t, tt.file, tt.opts)
			var buf bytes.Buffer
			if err := programme.Encode(&buf, p); err != nil {
				t.Fatal(err)
			}
			q, _, err := programme.DecodeBytes(buf.Bytes(), "converted.yaml")
			if err != nil {
				t.Fatalf("the converted programme does not decode: %v\n%s", err, buf.String())
			}
			a, err := feed.Build(p, feed.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := feed.Build(q, feed.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Events) != len(p.Sessions) || len(b.Events) != len(a.Events) {
				t.Fatalf("%d sessions, %d and %d events", len(p.Sessions), len(a.Events), len(b.Events))
			}
			for i, ea := range a.Events {
				eb := b.Events[i]
				sa, sb := ea.Session, eb.Session
				if ea.UID != eb.UID || sa.ID != sb.ID || !sa.Start.Equal(sb.Start) || !sa.End.Equal(sb.End) || sa.Title.In("") != sb.Title.In("") {
					t.Errorf("event %d: %s %s %v..%v %q, after the round trip %s %s %v..%v %q",
						i, sa.ID, ea.UID, sa.Start, sa.End, sa.Title.In(""), sb.ID, eb.UID, sb.Start, sb.End, sb.Title.In(""))
				}
			}
			var all []byte
			for _, f := range a.Feeds {
				if f.Kind == feed.KindAll {
					all = f.Bytes()
				}
			}
			for _, s := range p.Sessions {
				if !strings.Contains(string(all), s.Title.In("")) {
					t.Errorf("the whole-programme feed lacks %q", s.Title.In(""))
				}
			}
		})
	}
}

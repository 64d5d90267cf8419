package synth_test

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/programme"
)

func decode(t *testing.T, data []byte, name string) *programme.Programme {
	t.Helper()
	p, diags, err := programme.DecodeBytes(data, name)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	for _, d := range diags {
		t.Errorf("%s: %s", name, d.Message)
	}
	return p
}

func TestDeterministic(t *testing.T) {
	cfg := synth.Config{Sessions: 300, Days: 3, Tracks: 5, Venues: 4, Seed: 7}
	if !bytes.Equal(synth.Programme(cfg), synth.Programme(cfg)) {
		t.Error("two YAML programmes from one seed differ")
	}
	if !bytes.Equal(synth.JSON(cfg), synth.JSON(cfg)) {
		t.Error("two JSON programmes from one seed differ")
	}
	cfg.Seed++
	if bytes.Equal(synth.Programme(cfg), synth.Programme(synth.Config{Sessions: 300, Days: 3, Tracks: 5, Venues: 4, Seed: 7})) {
		t.Error("seeds 7 and 8 give the same programme")
	}
}

// TestValid checks that programmes decode with no finding at all (no
// overlap in a room, no speaker in two places), and that the YAML and the
// JSON of one Config are the same programme.
func TestValid(t *testing.T) {
	for _, cfg := range []synth.Config{
		{Sessions: 2000, Days: 10, Tracks: 50, Venues: 20, Seed: 1},
		{Sessions: 500, Days: 2, Tracks: 3, Venues: 1, Seed: 2},
		{Sessions: 50, Days: 1, Tracks: 60, Venues: 3, Seed: 3, Start: time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)},
	} {
		y := decode(t, synth.Programme(cfg), "programme.yaml")
		j := decode(t, synth.JSON(cfg), "programme.json")
		if y == nil || j == nil {
			continue
		}
		if len(y.Sessions) != cfg.Sessions || len(j.Sessions) != cfg.Sessions {
			t.Errorf("%+v: %d sessions in YAML, %d in JSON", cfg, len(y.Sessions), len(j.Sessions))
		}
		if len(y.Tracks) != cfg.Tracks || len(y.Venues) != cfg.Venues {
			t.Errorf("%+v: %d tracks, %d venues", cfg, len(y.Tracks), len(y.Venues))
		}
		for i, s := range y.Sessions {
			o := j.Sessions[i]
			if s.ID != o.ID || !s.Start.Equal(o.Start) || !s.End.Equal(o.End) || s.Title[""] != o.Title[""] || s.Description[""] != o.Description[""] {
				t.Fatalf("%+v: session %d differs between YAML and JSON: %s %v and %s %v", cfg, i, s.ID, s.Start, o.ID, o.Start)
			}
		}
	}
}

func TestShape(t *testing.T) {
	p := decode(t, synth.Programme(synth.Config{Sessions: 3000, Seed: 1}), "programme.yaml")
	if p == nil {
		return
	}
	var late, repeated, cancelled, tentative, nonASCII int
	days := map[programme.Date]bool{}
	for _, s := range p.Sessions {
		if n := utf8.RuneCountInString(s.Title[""]); n < 30 || n > 100 {
			t.Errorf("%s: title of %d characters: %q", s.ID, n, s.Title[""])
		}
		if n := utf8.RuneCountInString(s.Description[""]); n < 200 || n > 1200 {
			t.Errorf("%s: description of %d characters", s.ID, n)
		}
		if n := len(s.Speakers); n < 1 || n > 3 {
			t.Errorf("%s: %d speakers", s.ID, n)
		}
		d := s.End.Sub(s.Start)
		if d < 15*time.Minute || d > 120*time.Minute {
			t.Errorf("%s: lasts %v", s.ID, d)
		}
		start, end := s.Start.In(p.Location), s.End.In(p.Location)
		days[programme.DateOf(start)] = true
		switch {
		case programme.DateOf(end) != programme.DateOf(start):
			late++
		case start.Hour() < 9:
			repeated++
		case end.Hour()*60+end.Minute() > 22*60:
			t.Errorf("%s: ends at %s", s.ID, end.Format("15:04"))
		}
		switch s.Status {
		case programme.Cancelled:
			cancelled++
		case programme.Tentative:
			tentative++
		}
		for _, r := range s.Title[""] {
			if r >= utf8.RuneSelf {
				nonASCII++
				break
			}
		}
	}
	if len(days) != 10 {
		t.Errorf("sessions on %d days, want 10", len(days))
	}
	if late == 0 || repeated != 3 || cancelled == 0 || tentative == 0 || nonASCII == 0 {
		t.Errorf("%d past midnight, %d in the repeated hour, %d cancelled, %d tentative, %d non-ASCII titles",
			late, repeated, cancelled, tentative, nonASCII)
	}
}

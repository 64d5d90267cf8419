package programme

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/confcal/confcal/examples"
)

func encode(t *testing.T, p *Programme) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sameProgramme reports the first difference between two programmes in
// what a feed shows.
func sameProgramme(t *testing.T, a, b *Programme) {
	t.Helper()
	if a.ID != b.ID || a.TimeZone != b.TimeZone || a.Domain != b.Domain || a.URL != b.URL || a.Refresh != b.Refresh ||
		a.StartDate != b.StartDate || a.EndDate != b.EndDate || !a.Updated.Equal(b.Updated) {
		t.Errorf("programme header differs: %+v\nvs %+v", a, b)
	}
	if len(a.Sessions) != len(b.Sessions) || len(a.Venues) != len(b.Venues) || len(a.Tracks) != len(b.Tracks) {
		t.Fatalf("%d/%d/%d sessions/venues/tracks, then %d/%d/%d", len(a.Sessions), len(a.Venues), len(a.Tracks),
			len(b.Sessions), len(b.Venues), len(b.Tracks))
	}
	for i, s := range a.Sessions {
		u := b.Sessions[i]
		switch {
		case s.UIDKey != u.UIDKey:
			t.Errorf("session %d: key %q, then %q", i, s.UIDKey, u.UIDKey)
		case !s.Start.Equal(u.Start) || !s.End.Equal(u.End) || s.AllDay != u.AllDay || s.StartDate != u.StartDate || s.EndDate != u.EndDate:
			t.Errorf("session %s: %v..%v (%s..%s), then %v..%v (%s..%s)", s.UIDKey, s.Start, s.End, s.StartDate, s.EndDate, u.Start, u.End, u.StartDate, u.EndDate)
		case !sameText(s.Title, u.Title) || !sameText(s.Description, u.Description) || !sameText(s.Subtitle, u.Subtitle):
			t.Errorf("session %s: texts differ: %v / %v", s.UIDKey, s.Title, u.Title)
		case s.Status != u.Status || s.URL != u.URL || s.Livestream != u.Livestream || s.Type != u.Type || s.Language != u.Language || s.Location != u.Location:
			t.Errorf("session %s: fields differ", s.UIDKey)
		case id(s.Venue) != id(u.Venue) || roomID(s.Room) != roomID(u.Room) || len(s.Tracks) != len(u.Tracks) || len(s.Speakers) != len(u.Speakers):
			t.Errorf("session %s: place, tracks or speakers differ", s.UIDKey)
		}
		for j := range s.Speakers {
			if j < len(u.Speakers) && s.Speakers[j].Name != u.Speakers[j].Name {
				t.Errorf("session %s: speaker %q, then %q", s.UIDKey, s.Speakers[j].Name, u.Speakers[j].Name)
			}
		}
	}
}

func sameText(a, b Text) bool {
	if a.IsZero() && b.IsZero() {
		return true
	}
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func id(v *Venue) string {
	if v == nil {
		return ""
	}
	return v.ID
}

func roomID(r *Room) string {
	if r == nil {
		return ""
	}
	return r.ID
}

func TestEncodeSummitRoundTrip(t *testing.T) {
	p, _, err := DecodeBytes(examples.Summit, examples.SummitName)
	if err != nil {
		t.Fatal(err)
	}
	out := encode(t, p)
	q, _, err := DecodeBytes(out, "encoded.yaml")
	if err != nil {
		t.Fatalf("the encoded summit does not decode: %v\n%s", err, out)
	}
	sameProgramme(t, p, q)
	if again := encode(t, q); !bytes.Equal(out, again) {
		t.Error("encoding the decoded output changes it")
	}
}

func TestEncodeForms(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	v := &Venue{ID: "hall", Name: Text{"en": "Hall", "fr": "Salle"}, Location: paris, Geo: &Geo{Lat: 48.85, Lon: 2.35}}
	room := &Room{ID: "a", Name: Plain("Room A"), Venue: v}
	v.Rooms = []*Room{room}
	tr := &Track{ID: "sci", Name: Text{"en": "Science"}, Colour: "#1f6feb"}
	p := &Programme{ID: "forms", Name: Plain("Forms"), TimeZone: "Europe/Paris", Location: paris,
		Venues: []*Venue{v}, Tracks: []*Track{tr}, Languages: []string{"en", "fr"}, Refresh: 90 * time.Minute}
	// 02:30 on 26 October 2025 happens twice in Paris: the second needs
	// its offset written out.
	second := time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC).In(paris)
	p.Sessions = []*Session{
		{ID: "talk", Title: Text{"en": "Talk", "fr": "Exposé"}, Start: time.Date(2025, 2, 10, 9, 0, 0, 0, paris),
			End: time.Date(2025, 2, 10, 10, 0, 0, 0, paris), Venue: v, Room: room, Tracks: []*Track{tr},
			Speakers: []*Speaker{{Name: "Ana Lima", Inline: true}}, Status: Cancelled, Description: Plain("Line one\nLine two")},
		{ID: "talk", Title: Plain("Talk again"), Start: time.Date(2025, 2, 11, 9, 0, 0, 0, paris), Status: Confirmed},
		{ID: "night", Title: Plain("Night"), Start: second, End: second.Add(time.Hour), Status: Confirmed},
		{ID: "fair", Title: Plain("Fair"), AllDay: true, StartDate: Date{2025, 2, 10}, EndDate: Date{2025, 2, 12}, Status: Confirmed},
	}
	Normalize(p)
	out := encode(t, p)
	for _, want := range []string{
		"name:\n      en: Hall\n      fr: Salle", // several languages: a mapping
		"name: Science",                          // one language: a plain string
		"start: 2025-10-26T02:30+01:00",          // the repeated hour, with its offset
		"id: talk-20250211T0800",                 // the repeated id's own key
		"status: cancelled",
		"refresh: 1h30m",
		"date: 2025-02-10\n    end_date: 2025-02-12",
		"description: |-\n      Line one\n      Line two",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	q, _, err := DecodeBytes(out, "forms.yaml")
	if err != nil {
		t.Fatalf("does not decode: %v\n%s", err, out)
	}
	if !q.Sessions[0].Start.Equal(p.Sessions[0].Start) || q.Venue("hall").Geo.Lat != 48.85 {
		t.Error("round trip lost a start or the venue's position")
	}
	for i, s := range p.Sessions {
		if !q.Sessions[i].Start.Equal(s.Start) || q.Sessions[i].UIDKey != s.UIDKey {
			t.Errorf("session %d: %s %v, then %s %v", i, s.UIDKey, s.Start, q.Sessions[i].UIDKey, q.Sessions[i].Start)
		}
	}
	if !bytes.Equal(out, encode(t, p)) {
		t.Error("two encodings differ")
	}
}

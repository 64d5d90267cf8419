package ics

import (
	"strings"

	"github.com/confcal/confcal/programme"
)

// Describe returns the plain-text DESCRIPTION of session s of p in lang:
// its subtitle and text, then one line per fact (speakers, tracks, room,
// an end time that was never published, the livestream and the session's
// page), paragraphs apart. lead, when not empty, comes first (a note that
// the session moved, say).
func Describe(p *programme.Programme, s *programme.Session, lang, lead string) string {
	w := WordsFor(lang)
	text := func(t programme.Text) string { return t.In(lang, p.Languages...) }
	var b strings.Builder
	para := func(t string) {
		t = strings.TrimSpace(Text(t))
		if t == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
	}
	para(lead)
	para(text(s.Subtitle))
	para(text(s.Description))
	var facts []string
	if len(s.Speakers) > 0 {
		names := make([]string, len(s.Speakers))
		for i, sp := range s.Speakers {
			names[i] = sp.Name
			if sp.Affiliation != "" {
				names[i] += " (" + sp.Affiliation + ")"
			}
		}
		facts = append(facts, w.Speakers+": "+strings.Join(names, ", "))
	}
	if len(s.Tracks) > 0 {
		names := make([]string, len(s.Tracks))
		for i, t := range s.Tracks {
			names[i] = text(t.Name)
		}
		label := w.Track
		if len(names) > 1 {
			label = w.Tracks
		}
		facts = append(facts, label+": "+strings.Join(names, ", "))
	}
	if s.Room != nil {
		facts = append(facts, w.Room+": "+text(s.Room.Name))
	}
	if !s.AllDay && s.End.IsZero() {
		facts = append(facts, w.NoEnd)
	}
	if s.Livestream != "" {
		facts = append(facts, w.Livestream+": "+s.Livestream)
	}
	if s.URL != "" {
		facts = append(facts, w.More+": "+s.URL)
	}
	para(strings.Join(facts, "\n"))
	return b.String()
}

// Location returns the LOCATION of session s of p in lang, on one line:
// room, venue, address and free-form location, each left out when the
// part before it already says it.
func Location(p *programme.Programme, s *programme.Session, lang string) string {
	text := func(t programme.Text) string { return t.In(lang, p.Languages...) }
	var parts []string
	if s.Room != nil {
		parts = append(parts, text(s.Room.Name))
	}
	if s.Venue != nil {
		parts = append(parts, text(s.Venue.Name))
		if s.Venue.Address != "" {
			parts = append(parts, s.Venue.Address)
		}
	}
	if s.Location != "" {
		parts = append(parts, s.Location)
	}
	out := parts[:0]
	for _, part := range parts {
		if part == "" || len(out) > 0 && strings.Contains(out[len(out)-1], part) {
			continue
		}
		out = append(out, part)
	}
	return OneLine(strings.Join(out, ", "))
}

package programme

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

var sessionFields = newFieldSet("id", "uid", "title", "subtitle", "description", "date", "end_date", "start", "end",
	"duration", "day", "venue", "room", "location", "track", "tracks", "type", "speakers", "url", "livestream",
	"tags", "language", "status")

// session reads a session. Every field is read and checked even when the
// id is wrong, so that one pass reports every problem; the session is nil
// then.
func (d *decoder) session(n *yaml.Node, path string) *Session {
	fs, ok := d.object(n, path, sessionFields)
	if !ok {
		return nil
	}
	s := &Session{Pos: Pos{File: d.file, Line: n.Line, Column: n.Column}}
	id, idOK := d.id(fs.get("id"))
	s.ID = id
	if fs.get("id").val == nil {
		d.errf(n, path+".id", "missing session id (a stable id keeps the event's UID the same across builds)")
	}
	if f := fs.get("uid"); f.val != nil {
		s.UIDKey, _ = d.id(f)
	}
	s.Title = d.text(fs.get("title"))
	if s.Title.IsZero() {
		d.errf(n, path+".title", "missing title")
	}
	s.Subtitle = d.text(fs.get("subtitle"))
	s.Description = d.text(fs.get("description"))
	s.URL = d.url(fs.get("url"))
	s.Livestream = d.url(fs.get("livestream"))
	s.Type, _ = d.str(fs.get("type"))
	s.Tags = d.strs(fs.get("tags"))
	s.Language, _ = d.str(fs.get("language"))
	if s.Language != "" && !langPattern.MatchString(s.Language) {
		d.errf(fs.get("language").val, path+".language", "%q is not a language tag", s.Language)
	}
	s.Location, _ = d.str(fs.get("location"))
	s.Status = Confirmed
	if st, ok := d.str(fs.get("status")); ok && st != "" {
		switch Status(strings.ToLower(st)) {
		case Confirmed, Tentative, Cancelled:
			s.Status = Status(strings.ToLower(st))
		case "canceled":
			s.Status = Cancelled
		default:
			d.errf(fs.get("status").val, path+".status", "unknown status %q: use confirmed, tentative or cancelled", st)
		}
	}
	d.references(path, fs, s)
	d.times(n, path, fs, s)
	if !idOK {
		return nil
	}
	return s
}

// references reads the session's venue, room, tracks and speakers.
func (d *decoder) references(path string, fs fields, s *Session) {
	if f := fs.get("venue"); f.val != nil {
		if id, ok := d.str(f); ok && id != "" {
			if s.Venue = d.venues[id]; s.Venue == nil {
				d.errf(f.val, f.path(), "unknown venue %q%s", id, didYouMean(id, venueIDs(d.p)))
			}
		}
	}
	if f := fs.get("room"); f.val != nil {
		if id, ok := d.str(f); ok && id != "" {
			s.Room = d.findRoom(f, id, s)
		}
	}
	trackF := fs.get("tracks")
	if trackF.val == nil {
		trackF = fs.get("track")
	} else if f := fs.get("track"); f.val != nil {
		d.errf(f.key, path+".track", "give either track or tracks, not both")
	}
	for i, id := range d.strs(trackF) {
		t := d.tracks[id]
		if t == nil {
			d.errf(trackF.val, fmt.Sprintf("%s[%d]", trackF.path(), i), "unknown track %q%s", id, didYouMean(id, trackIDs(d.p)))
			continue
		}
		s.Tracks = append(s.Tracks, t)
	}
	if f := fs.get("speakers"); f.val != nil {
		for i, sn := range d.list(f) {
			if sp := d.sessionSpeaker(sn, fmt.Sprintf("%s.speakers[%d]", path, i)); sp != nil {
				s.Speakers = append(s.Speakers, sp)
			}
		}
	}
}

func (d *decoder) findRoom(f field, id string, s *Session) *Room {
	if s.Venue != nil {
		if r := s.Venue.Room(id); r != nil {
			return r
		}
		var names []string
		for _, r := range s.Venue.Rooms {
			names = append(names, r.ID)
		}
		d.errf(f.val, f.path(), "unknown room %q in venue %q%s", id, s.Venue.ID, didYouMean(id, names))
		return nil
	}
	switch found := d.rooms[id]; len(found) {
	case 1:
		s.Venue = found[0].Venue
		return found[0]
	case 0:
		var names []string
		for _, v := range d.p.Venues {
			for _, r := range v.Rooms {
				names = append(names, r.ID)
			}
		}
		d.errf(f.val, f.path(), "unknown room %q%s", id, didYouMean(id, names))
	default:
		d.errf(f.val, f.path(), "room %q exists in several venues: name the venue too", id)
	}
	return nil
}

// speakerRef is a session speaker named by something that looks like an
// id but names no declared speaker.
type speakerRef struct {
	n    *yaml.Node
	path string
	id   string
}

var sessionSpeakerFields = newFieldSet("id", "name", "affiliation", "url")

// sessionSpeaker reads one of a session's speakers: the id of a declared
// speaker, a plain name, or an inline {name, affiliation, url}. A plain
// string that looks like an id (lowercase letters, digits and -._~, no
// capital and no space) must be a declared speaker's id: a mistyped id is
// an error, not a new speaker.
func (d *decoder) sessionSpeaker(n *yaml.Node, path string) *Speaker {
	if n.Kind == yaml.ScalarNode {
		s, ok := d.str(field{val: n, at: path})
		if !ok || s == "" {
			return nil
		}
		if sp := d.speakers[s]; sp != nil {
			return sp
		}
		if idPattern.MatchString(s) && strings.ToLower(s) == s {
			d.unknown = append(d.unknown, speakerRef{n, path, s})
			return nil
		}
		return &Speaker{Name: s, Inline: true}
	}
	fs, ok := d.object(n, path, sessionSpeakerFields)
	if !ok {
		return nil
	}
	if f := fs.get("id"); f.val != nil {
		id, _ := d.str(f)
		sp := d.speakers[id]
		if sp == nil {
			d.errf(f.val, f.path(), "unknown speaker %q%s", id, didYouMean(id, speakerIDs(d.p)))
		}
		return sp
	}
	sp := &Speaker{Inline: true}
	sp.Name, _ = d.str(fs.get("name"))
	sp.Affiliation, _ = d.str(fs.get("affiliation"))
	sp.URL = d.url(fs.get("url"))
	if sp.Name == "" {
		d.errf(n, path+".name", "an inline speaker needs a name")
		return nil
	}
	return sp
}

// unknownSpeakers reports the speakers named by an unknown id, suggesting
// a declared id or a name given inline elsewhere, whether or not the
// programme declares speakers.
func (d *decoder) unknownSpeakers() {
	if len(d.unknown) == 0 {
		return
	}
	candidates := speakerIDs(d.p)
	seen := map[string]bool{}
	for _, s := range d.p.Sessions {
		for _, sp := range s.Speakers {
			if sp.Inline && !seen[sp.Name] {
				seen[sp.Name] = true
				candidates = append(candidates, sp.Name)
			}
		}
	}
	for _, u := range d.unknown {
		d.errf(u.n, u.path, "unknown speaker %q%s; to name a speaker inline, write {name: …}", u.id, didYouMean(u.id, candidates))
	}
}

package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/confcal/confcal/programme"
)

// Snapshot is a session as it stood at one build, self-contained so that a
// session that later disappears from the programme can still be published
// as cancelled. Its hash tells whether a session changed between builds.
type Snapshot struct {
	ID          string           `json:"id"`
	UIDKey      string           `json:"uid_key"`
	Title       programme.Text   `json:"title,omitempty"`
	Subtitle    programme.Text   `json:"subtitle,omitempty"`
	Description programme.Text   `json:"description,omitempty"`
	Zone        string           `json:"zone"`
	Start       string           `json:"start,omitempty"` // RFC 3339
	End         string           `json:"end,omitempty"`
	AllDay      bool             `json:"all_day,omitempty"`
	StartDate   programme.Date   `json:"start_date,omitzero"`
	EndDate     programme.Date   `json:"end_date,omitzero"`
	Day         programme.Date   `json:"day,omitzero"`
	Venue       *SnapVenue       `json:"venue,omitempty"`
	Room        *SnapRef         `json:"room,omitempty"`
	Location    string           `json:"location,omitempty"`
	Tracks      []SnapRef        `json:"tracks,omitempty"`
	Type        string           `json:"type,omitempty"`
	Speakers    []SnapSpeaker    `json:"speakers,omitempty"`
	URL         string           `json:"url,omitempty"`
	Livestream  string           `json:"livestream,omitempty"`
	Tags        []string         `json:"tags,omitempty"`
	Language    string           `json:"language,omitempty"`
	Status      programme.Status `json:"status"`
}

// SnapVenue is a venue inside a Snapshot.
type SnapVenue struct {
	ID       string         `json:"id"`
	Name     programme.Text `json:"name,omitempty"`
	Address  string         `json:"address,omitempty"`
	Geo      *programme.Geo `json:"geo,omitempty"`
	TimeZone string         `json:"timezone,omitempty"`
}

// SnapRef is a track or room inside a Snapshot.
type SnapRef struct {
	ID     string         `json:"id"`
	Name   programme.Text `json:"name,omitempty"`
	Colour string         `json:"colour,omitempty"`
}

// SnapSpeaker is a speaker inside a Snapshot.
type SnapSpeaker struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Affiliation string `json:"affiliation,omitempty"`
}

// Snap takes a snapshot of s.
func Snap(p *programme.Programme, s *programme.Session) Snapshot {
	sn := Snapshot{ID: s.ID, UIDKey: s.UIDKey, Title: s.Title, Subtitle: s.Subtitle, Description: s.Description,
		Zone: s.Zone(p).String(), AllDay: s.AllDay, Location: s.Location, Type: s.Type, URL: p.SessionURL(s),
		Livestream: s.Livestream, Tags: s.Tags, Language: s.Language, Status: s.Status}
	if s.AllDay {
		sn.StartDate, sn.EndDate = s.StartDate, s.EndDate
	} else {
		sn.Day = s.ConferenceDay
		sn.Start = s.Start.Format(time.RFC3339)
		if !s.End.IsZero() {
			sn.End = s.End.Format(time.RFC3339)
		}
	}
	if v := s.Venue; v != nil {
		sn.Venue = &SnapVenue{ID: v.ID, Name: v.Name, Address: v.Address, Geo: v.Geo, TimeZone: v.TimeZone}
	}
	if r := s.Room; r != nil {
		sn.Room = &SnapRef{ID: r.ID, Name: r.Name}
	}
	for _, t := range s.Tracks {
		sn.Tracks = append(sn.Tracks, SnapRef{ID: t.ID, Name: t.Name, Colour: t.Colour})
	}
	for _, sp := range s.Speakers {
		sn.Speakers = append(sn.Speakers, SnapSpeaker{ID: sp.ID, Name: sp.Name, Affiliation: sp.Affiliation})
	}
	return sn
}

// Hash returns a content hash of the snapshot.
func (sn Snapshot) Hash() string {
	b, _ := json.Marshal(sn)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Session rebuilds a session from the snapshot, with venue, room, tracks
// and speakers taken from p when they still exist there and rebuilt from
// the snapshot otherwise.
func (sn Snapshot) Session(p *programme.Programme) (*programme.Session, error) {
	s := &programme.Session{ID: sn.ID, UIDKey: sn.UIDKey, Title: sn.Title, Subtitle: sn.Subtitle,
		Description: sn.Description, AllDay: sn.AllDay, StartDate: sn.StartDate, EndDate: sn.EndDate,
		ConferenceDay: sn.Day, Location: sn.Location, Type: sn.Type, URL: sn.URL, Livestream: sn.Livestream, Tags: sn.Tags,
		Language: sn.Language, Status: sn.Status}
	loc, err := programme.LoadLocation(sn.Zone)
	if err != nil {
		loc = p.Location
	}
	if !sn.AllDay {
		if s.Start, err = time.Parse(time.RFC3339, sn.Start); err != nil {
			return nil, err
		}
		s.Start = s.Start.In(loc)
		if sn.End != "" {
			if s.End, err = time.Parse(time.RFC3339, sn.End); err != nil {
				return nil, err
			}
			s.End = s.End.In(loc)
		}
	}
	if sv := sn.Venue; sv != nil {
		if s.Venue = p.Venue(sv.ID); s.Venue == nil {
			s.Venue = &programme.Venue{ID: sv.ID, Name: sv.Name, Address: sv.Address, Geo: sv.Geo, TimeZone: sv.TimeZone, Location: loc}
		}
		if sr := sn.Room; sr != nil {
			if s.Room = s.Venue.Room(sr.ID); s.Room == nil {
				s.Room = &programme.Room{ID: sr.ID, Name: sr.Name, Venue: s.Venue}
			}
		}
	}
	for _, st := range sn.Tracks {
		t := p.Track(st.ID)
		if t == nil {
			t = &programme.Track{ID: st.ID, Name: st.Name, Colour: st.Colour}
		}
		s.Tracks = append(s.Tracks, t)
	}
	for _, ss := range sn.Speakers {
		sp := p.Speaker(ss.ID)
		if sp == nil {
			sp = &programme.Speaker{ID: ss.ID, Name: ss.Name, Affiliation: ss.Affiliation}
		}
		s.Speakers = append(s.Speakers, sp)
	}
	return s, nil
}

// moved reports whether next is at another time or place than sn.
func (sn Snapshot) moved(next Snapshot) bool {
	return sn.Start != next.Start || sn.End != next.End || sn.AllDay != next.AllDay ||
		sn.StartDate != next.StartDate || sn.EndDate != next.EndDate ||
		sn.venueID() != next.venueID() || sn.roomID() != next.roomID() || sn.Location != next.Location
}

func (sn Snapshot) venueID() string {
	if sn.Venue == nil {
		return ""
	}
	return sn.Venue.ID
}

func (sn Snapshot) roomID() string {
	if sn.Room == nil {
		return ""
	}
	return sn.Room.ID
}

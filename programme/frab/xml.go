package frab

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// Decode reads a schedule.xml and returns the programme it describes,
// with a warning for every oddity fixed. It ends with programme.Normalize
// but does not run programme.Check; the source package does.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	r := &lenient.Reporter{File: name, Details: opts.Details}
	s := ParseXML(data, name, r)
	var p *programme.Programme
	if s != nil {
		p = Build(s, name, opts, r)
	}
	if p == nil && !r.HasErrors() {
		r.Errorf(programme.Pos{File: name}, "", "no schedule found")
	}
	return r.Finish(p)
}

// ParseXML reads a schedule.xml into a Schedule, reporting what it cannot
// read to r. It returns nil when the file is not a schedule at all.
func ParseXML(data []byte, name string, r *lenient.Reporter) *Schedule {
	x := &xmlReader{d: xml.NewDecoder(bytes.NewReader(data)), data: data, lines: lenient.NewLines(name, data), r: r}
	x.d.Strict = false
	x.d.Entity = xml.HTMLEntity
	x.d.CharsetReader = charsetReader
	checkEntities(data, lenient.NewLines(name, data), r)
	s, err := x.schedule()
	if err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			err = errors.New(se.Msg)
		}
		r.Errorf(x.lines.Pos(x.errorOffset(se)), "", "not a readable schedule.xml: %v", err)
		return nil
	}
	return s
}

// errorOffset returns where in the file the decoder stopped on an error:
// the first byte that is not UTF-8, the start of a tag closed out of
// turn, the byte it could not read, or the end of the file.
func (x *xmlReader) errorOffset(se *xml.SyntaxError) int {
	off := min(int(x.d.InputOffset()), len(x.data))
	switch {
	case se == nil || off == len(x.data):
		return off
	case se.Msg == "invalid UTF-8":
		if bad := invalidUTF8(x.data); bad >= 0 && bad < off {
			return bad
		}
	case strings.HasPrefix(se.Msg, "unexpected end element") || strings.Contains(se.Msg, "closed by"):
		if lt := bytes.LastIndexByte(x.data[:off], '<'); lt >= 0 {
			return lt
		}
	}
	return max(off-1, 0)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("unknown character set %q", label)
	}
	return enc.NewDecoder().Reader(in), nil
}

type xmlReader struct {
	d     *xml.Decoder
	data  []byte
	lines *lenient.Lines
	r     *lenient.Reporter
}

// pos returns the position of the start tag just read.
func (x *xmlReader) pos() programme.Pos {
	off := int(x.d.InputOffset())
	if off > len(x.data) {
		off = len(x.data)
	}
	if lt := bytes.LastIndexByte(x.data[:off], '<'); lt >= 0 {
		off = lt
	}
	return x.lines.Pos(off)
}

func (x *xmlReader) schedule() (*Schedule, error) {
	var s *Schedule
	depth := 0
	for {
		tok, err := x.d.Token()
		if err == io.EOF {
			if s == nil {
				return nil, errors.New("no <schedule> element")
			}
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			if depth == 1 {
				switch t.Name.Local {
				case "schedule":
				case "iCalendar":
					return nil, errors.New("the root element is <iCalendar>: this is xCal, which confcal does not read; use the schedule's .ics, .xml or .json export")
				default:
					return nil, fmt.Errorf("the root element is <%s>, not <schedule>", t.Name.Local)
				}
				s = &Schedule{}
				continue
			}
			if err := x.child(s, t); err != nil {
				return nil, err
			}
			depth--
		}
	}
}

// child reads one element of <schedule> to its end.
func (x *xmlReader) child(s *Schedule, t xml.StartElement) error {
	switch t.Name.Local {
	case "version":
		var v string
		if err := x.d.DecodeElement(&v, &t); err != nil {
			return err
		}
		s.Version = strings.TrimSpace(v)
	case "conference":
		pos := x.pos()
		var c xmlConference
		if err := x.d.DecodeElement(&c, &t); err != nil {
			return err
		}
		s.Conference = c.conference(pos)
		for _, tr := range c.Tracks {
			s.Tracks = append(s.Tracks, tr.track())
		}
	case "tracks":
		var ts xmlTracks
		if err := x.d.DecodeElement(&ts, &t); err != nil {
			return err
		}
		for _, tr := range ts.Tracks {
			s.Tracks = append(s.Tracks, tr.track())
		}
	case "day":
		day, err := x.day(t, len(s.Days))
		if err != nil {
			return err
		}
		s.Days = append(s.Days, day)
	default:
		return x.d.Skip()
	}
	return nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (x *xmlReader) day(t xml.StartElement, n int) (Day, error) {
	day := Day{Index: attr(t, "index"), Date: attr(t, "date"), Start: attr(t, "start"), End: attr(t, "end"), Pos: x.pos()}
	label := day.Index
	if label == "" {
		label = fmt.Sprint(n + 1)
	}
	day.Path = "day[" + label + "]"
	for {
		tok, err := x.d.Token()
		if err != nil {
			return day, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return day, nil
		case xml.StartElement:
			if t.Name.Local != "room" {
				if err := x.d.Skip(); err != nil {
					return day, err
				}
				continue
			}
			room, err := x.room(t, day.Path)
			if err != nil {
				return day, err
			}
			day.Rooms = append(day.Rooms, room)
		}
	}
}

func (x *xmlReader) room(t xml.StartElement, dayPath string) (Room, error) {
	room := Room{Name: attr(t, "name"), GUID: attr(t, "guid"), Slug: attr(t, "slug"), Pos: x.pos()}
	room.Path = dayPath + "/room[" + room.Name + "]"
	for {
		tok, err := x.d.Token()
		if err != nil {
			return room, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return room, nil
		case xml.StartElement:
			if t.Name.Local != "event" {
				if err := x.d.Skip(); err != nil {
					return room, err
				}
				continue
			}
			pos := x.pos()
			var e xmlEvent
			if err := x.d.DecodeElement(&e, &t); err != nil {
				return room, err
			}
			ev := e.event()
			ev.Pos = pos
			ev.Path = fmt.Sprintf("%s/event[%d]", room.Path, len(room.Events)+1)
			room.Events = append(room.Events, ev)
		}
	}
}

type xmlConference struct {
	Acronym      string     `xml:"acronym"`
	Title        string     `xml:"title"`
	Subtitle     string     `xml:"subtitle"`
	Description  string     `xml:"description"`
	Start        string     `xml:"start"`
	End          string     `xml:"end"`
	DayChange    string     `xml:"day_change"`
	TimeZoneName string     `xml:"time_zone_name"`
	BaseURL      string     `xml:"base_url"`
	URL          string     `xml:"url"`
	Venue        string     `xml:"venue"`
	City         string     `xml:"city"`
	Tracks       []xmlTrack `xml:"track"`
}

func (c *xmlConference) conference(pos programme.Pos) Conference {
	return Conference{Acronym: c.Acronym, Title: c.Title, Subtitle: c.Subtitle, Description: c.Description,
		Start: c.Start, End: c.End, DayChange: c.DayChange, TimeZoneName: c.TimeZoneName,
		BaseURL: c.BaseURL, URL: c.URL, Venue: c.Venue, City: c.City, Pos: pos, Path: "conference"}
}

type xmlTracks struct {
	Tracks []xmlTrack `xml:"track"`
}

type xmlTrack struct {
	Name  string `xml:"name,attr"`
	Slug  string `xml:"slug,attr"`
	Color string `xml:"color,attr"`
	Text  string `xml:",chardata"`
}

func (t xmlTrack) track() Track {
	name := t.Name
	if strings.TrimSpace(name) == "" {
		name = t.Text
	}
	return Track{Name: name, Slug: t.Slug, Color: t.Color}
}

type xmlEvent struct {
	ID          string      `xml:"id,attr"`
	GUID        string      `xml:"guid,attr"`
	CodeAttr    string      `xml:"code,attr"`
	Code        string      `xml:"code"`
	Date        string      `xml:"date"`
	Start       string      `xml:"start"`
	Duration    string      `xml:"duration"`
	End         string      `xml:"end"`
	Room        string      `xml:"room"`
	Slug        string      `xml:"slug"`
	Title       string      `xml:"title"`
	Subtitle    string      `xml:"subtitle"`
	Track       xmlTrack    `xml:"track"`
	Type        string      `xml:"type"`
	Language    string      `xml:"language"`
	Abstract    string      `xml:"abstract"`
	Description string      `xml:"description"`
	URL         string      `xml:"url"`
	Persons     []xmlPerson `xml:"persons>person"`
}

type xmlPerson struct {
	Text string `xml:",chardata"`
	Name string `xml:"name"`
}

func (e *xmlEvent) event() Event {
	ev := Event{ID: e.ID, GUID: e.GUID, Code: e.CodeAttr, Slug: e.Slug, Date: e.Date, Start: e.Start,
		Duration: e.Duration, End: e.End, Room: e.Room, Title: e.Title, Subtitle: e.Subtitle,
		Track: e.Track.track().Name, TrackSlug: e.Track.Slug, Type: e.Type, Language: e.Language,
		Abstract: e.Abstract, Description: e.Description, URL: e.URL}
	if ev.Code == "" {
		ev.Code = e.Code
	}
	for _, p := range e.Persons {
		name := p.Text
		if strings.TrimSpace(p.Name) != "" {
			name = p.Name
		}
		ev.Persons = append(ev.Persons, name)
	}
	return ev
}

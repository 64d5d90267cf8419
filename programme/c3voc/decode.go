package c3voc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/confcal/confcal/programme"
	"github.com/confcal/confcal/programme/frab"
	"github.com/confcal/confcal/programme/internal/lenient"
)

// Options tune how a schedule is read.
type Options struct {
	// TimeZone is the IANA zone of the programme. It is needed when the
	// schedule declares none and its times carry no UTC offset, and it
	// overrides the zone a schedule declares.
	TimeZone string
	// Details keeps an Info finding for each routine clean-up (HTML
	// turned into plain text), besides the one warning that counts them.
	Details bool
}

// Decode reads a schedule.json (or a schedule2 file) and returns the
// programme it describes, with a warning for every oddity fixed. It ends
// with programme.Normalize but does not run programme.Check; the source
// package does.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	r := &lenient.Reporter{File: name, Details: opts.Details}
	s := Parse(data, name, r)
	var p *programme.Programme
	if s != nil {
		p = frab.Build(s, name, frab.Options{TimeZone: opts.TimeZone, Details: opts.Details}, r)
	}
	if p == nil && !r.HasErrors() {
		r.Errorf(programme.Pos{File: name}, "", "no schedule found")
	}
	return r.Finish(p)
}

type jsonSchedule struct {
	Version flexString `json:"version"`
	BaseURL flexString `json:"base_url"`
	URL     flexString `json:"url"`
}

type jsonConference struct {
	Acronym      flexString  `json:"acronym"`
	Title        flexString  `json:"title"`
	Description  flexText    `json:"description"`
	Start        flexString  `json:"start"`
	End          flexString  `json:"end"`
	DayChange    flexString  `json:"day_change"`
	TimeZoneName flexString  `json:"time_zone_name"`
	URL          flexString  `json:"url"`
	Languages    []string    `json:"languages"`
	Tracks       []jsonTrack `json:"tracks"`
	Rooms        []jsonRoom  `json:"rooms"`
}

type jsonTrack struct {
	Name   flexString            `json:"name"`
	Slug   flexString            `json:"slug"`
	Color  flexString            `json:"color"`
	Colors map[string]flexString `json:"colors"`
}

type jsonRoom struct {
	Name flexString `json:"name"`
	Slug flexString `json:"slug"`
	GUID flexString `json:"guid"`
}

type jsonDay struct {
	Index    flexString `json:"index"`
	Date     flexString `json:"date"`
	DayStart flexString `json:"day_start"`
	DayEnd   flexString `json:"day_end"`
}

// parser turns the JSON into a frab.Schedule.
type parser struct {
	data   []byte
	lines  *lenient.Lines
	r      *lenient.Reporter
	lang   string
	rooms  map[string]string // guid or slug to name
	tracks map[string]string // slug to name
}

// Parse reads a schedule.json or schedule2 file into a frab.Schedule,
// reporting what it cannot read to r. It returns nil when the file is not
// a schedule at all.
func Parse(data []byte, name string, r *lenient.Reporter) *frab.Schedule {
	x := &parser{data: data, lines: lenient.NewLines(name, data), r: r,
		rooms: map[string]string{}, tracks: map[string]string{}}
	if !json.Valid(data) {
		var v any
		x.typeError(json.Unmarshal(data, &v), "")
		return nil
	}
	top, ok := members(data, span{0, len(data)})
	if !ok {
		r.Errorf(x.lines.Pos(skipSpace(data, 0)), "", "not a c3voc schedule: the file is not a JSON object")
		return nil
	}
	var sched []member
	if v, ok := find(top, "schedule"); ok {
		sched, _ = members(data, v)
	} else if _, ok := find(top, "conference"); ok {
		sched = top
		r.Warnf("shape", x.at(`"conference"`), "conference", "the conference is not inside a \"schedule\" object; read it anyway")
	}
	confSpan, hasConf := find(sched, "conference")
	eventsSpan, hasEvents := find(sched, "events")
	if !hasConf && !hasEvents {
		r.Errorf(programme.Pos{File: name, Line: 1, Column: 1}, "", "not a c3voc schedule: no schedule.conference or schedule.events")
		return nil
	}
	var js jsonSchedule
	x.decode(without(data, sched, "conference", "events", "persons"), &js, x.at(`"schedule"`), "schedule")
	s := &frab.Schedule{Version: js.Version.S}
	var days span
	var hasDays bool
	if hasConf {
		conf, ok := members(data, confSpan)
		if !ok && !isNull(data, confSpan) {
			r.Warnf("shape", x.lines.Pos(confSpan.start), "schedule.conference", "the conference is not an object; ignored")
		}
		var jc jsonConference
		x.decode(without(data, conf, "days"), &jc, x.lines.Pos(confSpan.start), "schedule.conference")
		x.conference(s, &jc, &js, x.lines.Pos(confSpan.start))
		days, hasDays = find(conf, "days")
	} else {
		x.conference(s, &jsonConference{}, &js, programme.Pos{File: name})
	}
	if hasDays {
		list, ok := elements(data, days)
		if !ok && !isNull(data, days) {
			r.Warnf("shape", x.lines.Pos(days.start), "schedule.conference.days", "days is not a list; ignored")
		}
		for i, d := range list {
			s.Days = append(s.Days, x.day(d, i))
		}
	}
	if hasEvents {
		list, ok := elements(data, eventsSpan)
		if !ok && !isNull(data, eventsSpan) {
			r.Warnf("shape", x.lines.Pos(eventsSpan.start), "schedule.events", "events is not a list; ignored")
		}
		for i, ev := range list {
			s.Events = append(s.Events, x.event(ev, fmt.Sprintf("schedule.events[%d]", i)))
		}
	}
	return s
}

// decode unmarshals a small part of the file, reporting values of the
// wrong type as warnings at pos.
func (x *parser) decode(data []byte, v any, pos programme.Pos, path string) {
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			x.r.Warnf("type", pos, strings.TrimPrefix(path+"."+te.Field, "."), "%s is %s, not %s; ignored", te.Field, te.Value, te.Type)
		}
	}
}

func (x *parser) conference(s *frab.Schedule, conf *jsonConference, sched *jsonSchedule, pos programme.Pos) {
	if len(conf.Languages) > 0 {
		x.lang = conf.Languages[0]
	}
	s.Conference = frab.Conference{Acronym: conf.Acronym.S, Title: conf.Title.S, Description: conf.Description.in(x.lang),
		Start: conf.Start.S, End: conf.End.S, DayChange: conf.DayChange.S, TimeZoneName: conf.TimeZoneName.S,
		BaseURL: sched.BaseURL.S, URL: conf.URL.S, Pos: pos, Path: "schedule.conference"}
	if s.Conference.URL == "" {
		s.Conference.URL = sched.URL.S
	}
	for _, t := range conf.Tracks {
		colour := t.Color.S
		if colour == "" {
			colour = t.Colors["light"].S
		}
		s.Tracks = append(s.Tracks, frab.Track{Name: t.Name.S, Slug: t.Slug.S, Color: colour})
		if t.Slug.S != "" {
			x.tracks[t.Slug.S] = t.Name.S
		}
	}
	for _, rm := range conf.Rooms {
		s.Rooms = append(s.Rooms, frab.Room{Name: rm.Name.S, Slug: rm.Slug.S, GUID: rm.GUID.S})
		for _, k := range []string{rm.GUID.S, rm.Slug.S} {
			if k != "" {
				x.rooms[k] = rm.Name.S
			}
		}
	}
}

// typeError reports a JSON error. It returns true when decoding could
// go on: a value of an unexpected type is skipped with a warning.
func (x *parser) typeError(err error, path string) bool {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if path != "" {
			field = strings.TrimPrefix(path+"."+field, ".")
		}
		x.r.Warnf("type", x.lines.Pos(int(te.Offset)), field, "%s is %s, not %s; ignored", field, te.Value, te.Type)
		return true
	case errors.As(err, &se):
		x.r.Errorf(x.lines.Pos(int(se.Offset)), path, "not valid JSON: %v", se)
	default:
		x.r.Errorf(programme.Pos{File: x.lines.File}, path, "not valid JSON: %v", err)
	}
	return false
}

// at returns the position of the first occurrence of s in the file.
func (x *parser) at(s string) programme.Pos {
	if i := bytes.Index(x.data, []byte(s)); i >= 0 {
		return x.lines.Pos(i)
	}
	return programme.Pos{File: x.lines.File}
}

func (x *parser) day(d span, i int) frab.Day {
	path := fmt.Sprintf("schedule.conference.days[%d]", i)
	pos := x.lines.Pos(d.start)
	ms, ok := members(x.data, d)
	if !ok {
		x.r.Warnf("shape", pos, path, "the day is not an object; ignored")
		return frab.Day{Path: path, Pos: pos}
	}
	var jd jsonDay
	x.decode(without(x.data, ms, "rooms"), &jd, pos, path)
	day := frab.Day{Index: jd.Index.S, Date: jd.Date.S, Start: jd.DayStart.S, End: jd.DayEnd.S, Path: path, Pos: pos}
	rooms, ok := find(ms, "rooms")
	if !ok || isNull(x.data, rooms) {
		return day
	}
	if list, ok := elements(x.data, rooms); ok {
		// A list of events, each naming its room.
		room := frab.Room{Path: path + ".rooms"}
		for j, ev := range list {
			room.Events = append(room.Events, x.event(ev, fmt.Sprintf("%s.rooms[%d]", path, j)))
		}
		day.Rooms = append(day.Rooms, room)
		return day
	}
	byRoom, ok := members(x.data, rooms)
	if !ok {
		x.r.Warnf("shape", x.lines.Pos(rooms.start), path+".rooms", "rooms is not an object of room names to events; ignored")
		return day
	}
	for _, m := range byRoom {
		rpath := fmt.Sprintf("%s.rooms[%q]", path, m.key)
		room := frab.Room{Name: m.key, Path: rpath, Pos: x.lines.Pos(m.val.start)}
		list, ok := elements(x.data, m.val)
		if !ok && !isNull(x.data, m.val) {
			x.r.Warnf("shape", room.Pos, rpath, "the events of room %q are not a list; ignored", m.key)
		}
		for j, ev := range list {
			room.Events = append(room.Events, x.event(ev, fmt.Sprintf("%s[%d]", rpath, j)))
		}
		day.Rooms = append(day.Rooms, room)
	}
	return day
}

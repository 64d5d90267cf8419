package c3voc

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/confcal/confcal/programme/frab"
)

// event reads one event where it lies in the file. Events are most of a
// schedule, so they are read field by field from the bytes rather than
// through encoding/json's reflection; a value of the wrong type is
// reported with its own position and skipped.
func (x *parser) event(sp span, path string) frab.Event {
	pos := x.lines.Pos(sp.start)
	ev := frab.Event{Pos: pos, Path: path}
	ms, ok := members(x.data, sp)
	if !ok {
		x.r.Warnf("type", pos, path, "the event is not an object: %s; ignored", clip(x.data[sp.start:sp.end]))
		return ev
	}
	var room, track ref
	for _, m := range ms {
		switch m.key {
		case "id":
			ev.ID = x.str(m, path)
		case "guid":
			ev.GUID = x.str(m, path)
		case "code":
			ev.Code = x.str(m, path)
		case "slug":
			ev.Slug = x.str(m, path)
		case "date":
			ev.Date = x.str(m, path)
		case "start":
			ev.Start = x.str(m, path)
		case "duration":
			ev.Duration = x.str(m, path)
		case "end":
			ev.End = x.str(m, path)
		case "type":
			ev.Type = x.str(m, path)
		case "language":
			ev.Language = x.str(m, path)
		case "url":
			ev.URL = x.str(m, path)
		case "state":
			ev.State = x.str(m, path)
		case "title":
			ev.Title = x.text(m, path)
		case "subtitle":
			ev.Subtitle = x.text(m, path)
		case "abstract":
			ev.Abstract = x.text(m, path)
		case "description":
			ev.Description = x.text(m, path)
		case "room":
			room = x.ref(m, path)
		case "track":
			track = x.ref(m, path)
		case "persons", "participants":
			ev.Persons = append(ev.Persons, x.persons(m, path)...)
		}
	}
	ev.Room = room.name
	if ev.Room == "" {
		ev.Room = x.rooms[room.guid]
	}
	if ev.Room == "" {
		ev.Room = x.rooms[room.slug]
	}
	ev.Track, ev.TrackSlug = track.name, track.slug
	if ev.Track == "" {
		ev.Track = x.tracks[track.slug]
	}
	if ev.Date == "" && strings.Contains(ev.Start, "T") {
		// schedule2: start is a date-time.
		ev.Date, ev.Start = ev.Start, ""
	}
	return ev
}

// raw returns a member's value bytes.
func (x *parser) raw(m member) []byte { return x.data[m.val.start:m.val.end] }

// scalar reads a JSON string, number, boolean or null as text. It reports
// false for an object or a list.
func scalar(v []byte) (string, bool) {
	switch {
	case len(v) == 0:
		return "", true
	case v[0] == '"':
		if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
			return string(v[1 : len(v)-1]), true
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case v[0] == 'n':
		return "", true
	case v[0] == '{' || v[0] == '[':
		return "", false
	}
	return string(v), true
}

// str reads a member as text, reporting objects and lists.
func (x *parser) str(m member, path string) string {
	s, ok := scalar(x.raw(m))
	if !ok {
		x.r.Warnf("type", x.lines.Pos(m.val.start), path+"."+m.key, "%s is not a string: %s; ignored", m.key, clip(x.raw(m)))
	}
	return s
}

// text reads a string, or a map from language to string (schedule2's
// LocalizableString) in the preferred language.
func (x *parser) text(m member, path string) string {
	if v := x.raw(m); len(v) > 0 && v[0] == '{' {
		langs := map[string]flexString{}
		ms, _ := members(x.data, m.val)
		for _, lm := range ms {
			s, ok := scalar(x.raw(lm))
			if !ok {
				langs = nil
				break
			}
			langs[lm.key] = flexString{S: s}
		}
		if langs != nil && languageKeys(langs) {
			t := flexText{Langs: map[string]string{}}
			for k, v := range langs {
				if v.S != "" {
					t.Langs[k] = v.S
				}
			}
			return t.in(x.lang)
		}
	}
	return x.str(m, path)
}

// ref is a reference to a room or a track.
type ref struct{ name, slug, guid string }

// ref reads a room or track given as a name or as {name, slug, guid}.
func (x *parser) ref(m member, path string) ref {
	v := x.raw(m)
	if len(v) == 0 || v[0] != '{' {
		return ref{name: x.str(m, path)}
	}
	var r ref
	ms, _ := members(x.data, m.val)
	for _, f := range ms {
		switch f.key {
		case "name":
			r.name = x.str(f, path+"."+m.key)
		case "slug":
			r.slug = x.str(f, path+"."+m.key)
		case "guid":
			r.guid = x.str(f, path+"."+m.key)
		}
	}
	return r
}

// persons reads a list of persons given as names or as objects from frab
// ({id, public_name}), pretalx ({code, name}) or the hub ({guid, name}).
func (x *parser) persons(m member, path string) []string {
	v := x.raw(m)
	if len(v) > 0 && v[0] == 'n' {
		return nil
	}
	items, ok := elements(x.data, m.val)
	if !ok {
		x.r.Warnf("type", x.lines.Pos(m.val.start), path+"."+m.key, "%s is not a list: %s; ignored", m.key, clip(v))
		return nil
	}
	var out []string
	for _, it := range items {
		iv := x.data[it.start:it.end]
		if len(iv) == 0 || iv[0] != '{' {
			if s, ok := scalar(iv); ok && s != "" {
				out = append(out, s)
			}
			continue
		}
		fields := map[string]string{}
		ms, _ := members(x.data, it)
		for _, f := range ms {
			switch f.key {
			case "public_name", "name", "full_name":
				fields[f.key], _ = scalar(x.raw(f))
			}
		}
		for _, k := range []string{"public_name", "name", "full_name"} {
			if strings.TrimSpace(fields[k]) != "" {
				out = append(out, fields[k])
				break
			}
		}
	}
	return out
}

// clip shortens a JSON value for a message.
func clip(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

package caldav

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/confcal/confcal/ics"
	calsync "github.com/confcal/confcal/sync"
)

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func item(f calsync.Fields) calsync.Item {
	owner := calsync.Owner{Source: "summit"}
	uid := "summit-s1@summit.example"
	return calsync.Item{ID: calsync.EventID(owner, uid), SessionID: "s1", Fields: f,
		Marker: calsync.Marker{Tool: calsync.Tool, Source: owner.Source, UID: uid, Hash: f.Hash(), Schema: calsync.Schema}}
}

func timed(start time.Time, length time.Duration, zone string) calsync.Fields {
	return calsync.Fields{Title: "Talk", Description: "About it", Location: "Room 1", URL: "https://summit.example/s1",
		Start: start, End: start.Add(length), TimeZone: zone, Status: "confirmed"}
}

var now = time.Date(2025, 1, 5, 10, 0, 0, 0, time.UTC)

func TestObjectRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		fields calsync.Fields
		want   []string // lines the object must hold
	}{
		{"local time", timed(time.Date(2025, 2, 10, 9, 30, 0, 0, paris), 45*time.Minute, "Europe/Paris"),
			[]string{"DTSTART;TZID=Europe/Paris:20250210T093000", "DTEND;TZID=Europe/Paris:20250210T101500", "BEGIN:VTIMEZONE", "TZID:Europe/Paris"}},
		{"no published end", timed(time.Date(2025, 2, 10, 9, 30, 0, 0, paris), 0, "Europe/Paris"),
			[]string{"DTSTART;TZID=Europe/Paris:20250210T093000", "DURATION:PT0S"}},
		{"UTC", timed(time.Date(2025, 2, 10, 9, 30, 0, 0, time.UTC), time.Hour, "UTC"),
			[]string{"DTSTART:20250210T093000Z", "DTEND:20250210T103000Z", "X-CONFCAL-TZID:UTC"}},
		{"repeated hour", timed(time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC).In(paris), time.Hour, "Europe/Paris"),
			[]string{"DTSTART:20251026T003000Z", "DTEND:20251026T013000Z", "X-CONFCAL-TZID:Europe/Paris"}},
		{"just after the spring change", timed(time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC).In(paris), time.Hour, "Europe/Paris"),
			[]string{"DTSTART;TZID=Europe/Paris:20250330T033000"}},
		{"all day", calsync.Fields{Title: "Expo", AllDay: true, StartDate: "2025-02-10", EndDate: "2025-02-12", Status: "tentative", Free: true},
			[]string{"DTSTART;VALUE=DATE:20250210", "DTEND;VALUE=DATE:20250212", "TRANSP:TRANSPARENT", "STATUS:TENTATIVE"}},
		{"text", calsync.Fields{Title: "Ça va, oui; très bien \\ merci", Description: "Line one\nLine two, with a comma",
			Location: "Salle 1, Palais", AllDay: true, StartDate: "2025-02-10", EndDate: "2025-02-11", Status: "confirmed"},
			[]string{`SUMMARY:Ça va\, oui\; très bien \\ merci`, `LOCATION:Salle 1\, Palais`}},
		{"long text", calsync.Fields{Title: strings.Repeat("Gouvernance éthique — ", 12), Description: strings.Repeat("é", 200),
			AllDay: true, StartDate: "2025-02-10", EndDate: "2025-02-11", Status: "confirmed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := item(tt.fields)
			data, err := encodeObject(it, "", now, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, data)
			unfolded := strings.ReplaceAll(string(data), "\r\n ", "")
			for _, w := range tt.want {
				if !strings.Contains(unfolded, w+"\r\n") {
					t.Errorf("no line %q in\n%s", w, data)
				}
			}
			r := parseObject(it.ID, `"1"`, data)
			if r.Marker != it.Marker {
				t.Fatalf("marker %+v, want %+v", r.Marker, it.Marker)
			}
			sameFields(t, r.Fields, it.Fields)
			if r.Notes != "" {
				t.Errorf("notes %q", r.Notes)
			}
			if r.ID != it.ID || r.Version != `"1"` {
				t.Errorf("id %q version %q", r.ID, r.Version)
			}
		})
	}
}

func sameFields(t *testing.T, got, want calsync.Fields) {
	t.Helper()
	if got.Title != want.Title || got.Description != want.Description || got.Location != want.Location || got.URL != want.URL ||
		got.AllDay != want.AllDay || got.StartDate != want.StartDate || got.EndDate != want.EndDate ||
		!got.Start.Equal(want.Start) || !got.End.Equal(want.End) || got.Status != want.Status || got.Free != want.Free ||
		!want.AllDay && got.TimeZone != want.TimeZone {
		t.Fatalf("fields read back as\n%+v\nwant\n%+v", got, want)
	}
}

// checkLines checks the content lines: CRLF, at most 75 octets, valid
// UTF-8, no control characters.
func checkLines(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatal("invalid UTF-8")
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("no CRLF at the end")
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if strings.ContainsAny(line, "\r\n\x00\x1b") {
			t.Errorf("control character in %q", line)
		}
	}
}

func TestObjectCleansText(t *testing.T) {
	f := calsync.Fields{Title: "Bell\x07 and tab\t", Description: "one\r\ntwo\rthree\x1b", AllDay: true,
		StartDate: "2025-02-10", EndDate: "2025-02-11", Status: "confirmed"}
	data, err := encodeObject(item(f), "", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, data)
	r := parseObject("x", "", data)
	if r.Fields.Title != "Bell and tab\t" || r.Fields.Description != "one\ntwo\nthree" {
		t.Fatalf("read back %q and %q", r.Fields.Title, r.Fields.Description)
	}
}

// TestObjectUpdateKeepsUserFields rewrites an object a user added to and
// checks that only confcal's fields changed.
func TestObjectUpdateKeepsUserFields(t *testing.T) {
	first := item(timed(time.Date(2025, 2, 10, 9, 30, 0, 0, paris), time.Hour, "Europe/Paris"))
	data, err := encodeObject(first, "", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	ev := mainEvent(cal, first.Marker.UID)
	alarm := ical.NewComponent(ical.CompAlarm)
	alarm.Props.SetText(ical.PropAction, "DISPLAY")
	setRaw(alarm, ical.PropTrigger, "-PT10M")
	ev.Children = append(ev.Children, alarm)
	setText(ev, ical.PropColor, "tomato")
	setText(ev, "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "AUTOMATIC")
	managed, _ := calsync.SplitNotes(text(ev, ical.PropDescription))
	setText(ev, ical.PropDescription, calsync.JoinNotes(managed, "Bring the slides"))
	// A zone the user's own addition refers to stays with its VTIMEZONE.
	tokyo := vtimezone(mustZone("Asia/Tokyo"), now, now)
	cal.Children = append([]*ical.Component{tokyo}, cal.Children...)
	p := ical.NewProp("X-USER-REMINDER")
	p.Params.Set(ical.PropTimezoneID, "Asia/Tokyo")
	p.Value = "20250210T080000"
	ev.Props.Add(p)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		t.Fatal(err)
	}
	base := parseObject(first.ID, `"2"`, buf.Bytes())
	if base.Notes != "Bring the slides" {
		t.Fatalf("notes %q", base.Notes)
	}

	later := now.Add(24 * time.Hour)
	moved := item(timed(time.Date(2025, 2, 11, 14, 0, 0, 0, paris), time.Hour, "Europe/Paris"))
	moved.Fields.Title = "Talk, moved"
	moved.Fields.Location = ""
	moved.Marker.Hash = moved.Fields.Hash()
	out, err := encodeObject(moved, base.Notes, later, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out)
	r := parseObject(moved.ID, `"3"`, out)
	sameFields(t, r.Fields, moved.Fields)
	if r.Marker != moved.Marker || r.Notes != "Bring the slides" {
		t.Fatalf("marker %+v notes %q", r.Marker, r.Notes)
	}
	got, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	gev := mainEvent(got, moved.Marker.UID)
	for name, want := range map[string]string{
		ical.PropColor: "tomato", "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR": "AUTOMATIC", ical.PropSequence: "1",
		ical.PropCreated: now.Format(utcFormat), ical.PropLastModified: later.Format(utcFormat), ical.PropLocation: "",
	} {
		if v := text(gev, name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if len(gev.Children) != 1 || gev.Children[0].Name != ical.CompAlarm {
		t.Errorf("the alarm is gone: %+v", gev.Children)
	}
	var zones []string
	for _, c := range got.Children {
		if c.Name == ical.CompTimezone {
			zones = append(zones, text(c, ical.PropTimezoneID))
		}
	}
	if strings.Join(zones, " ") != "Europe/Paris Asia/Tokyo" {
		t.Errorf("VTIMEZONEs %v", zones)
	}
}

func TestParseForeignObjects(t *testing.T) {
	good, err := encodeObject(item(timed(time.Date(2025, 2, 10, 9, 30, 0, 0, paris), time.Hour, "Europe/Paris")), "", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte { return bytes.Replace(good, []byte(old), []byte(new), 1) }
	tests := map[string][]byte{
		"garbage":           []byte("not a calendar"),
		"truncated":         good[:len(good)/2],
		"a task":            bytes.ReplaceAll(good, []byte("VEVENT"), []byte("VTODO")),
		"no owner":          edit("X-CONFCAL-OWNER:confcal\r\n", ""),
		"another UID":       edit("UID:summit-s1@summit.example\r\n", "UID:someone-else@example.org\r\n"),
		"a bad generation":  edit("X-CONFCAL-GENERATION:0", "X-CONFCAL-GENERATION:zero"),
		"an override alone": edit("BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nRECURRENCE-ID:20250210T083000Z\r\n"),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			r := parseObject("id", `"1"`, data)
			if r.Marker != (calsync.Marker{}) {
				t.Fatalf("a marker: %+v", r.Marker)
			}
			if !bytes.Equal(r.Raw.([]byte), data) {
				t.Fatal("Raw is not the object")
			}
		})
	}
}

func TestReadTimesFromOtherClients(t *testing.T) {
	ev := ical.NewComponent(ical.CompEvent)
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Params.Set(ical.PropTimezoneID, "/freeassociation.sourceforge.net/Europe/Paris")
	start.Value = "20250210T093000"
	ev.Props.Set(start)
	setRaw(ev, ical.PropDuration, "PT1H30M")
	var f calsync.Fields
	readTimes(ev, &f)
	want := time.Date(2025, 2, 10, 9, 30, 0, 0, paris)
	if !f.Start.Equal(want) || !f.End.Equal(want.Add(90*time.Minute)) || f.TimeZone != "Europe/Paris" {
		t.Fatalf("read %v – %v in %q", f.Start, f.End, f.TimeZone)
	}
}

func TestFold(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("aé€😀", 40)
	out := string(fold([]byte("BEGIN:VEVENT\r\n" + long + "\r\nEND:VEVENT\r\n")))
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 || !utf8.ValidString(line) {
			t.Fatalf("bad folded line %q", line)
		}
	}
	if got := strings.ReplaceAll(out, "\r\n ", ""); got != "BEGIN:VEVENT\r\n"+long+"\r\nEND:VEVENT\r\n" {
		t.Fatalf("unfolding does not give back the input:\n%q", got)
	}
}

func TestVTimezoneIsExact(t *testing.T) {
	for _, name := range []string{"Europe/Paris", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/Dublin"} {
		loc := mustZone(name)
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		tz := vtimezone(loc, from, from.AddDate(0, 6, 0))
		type obs struct {
			at     time.Time
			offset string
		}
		var list []obs
		for _, o := range tz.Children {
			from := text(o, ical.PropTimezoneOffsetFrom)
			off, _ := time.Parse("-0700", from)
			_, sec := off.Zone()
			at, err := time.ParseInLocation(localFormat, text(o, ical.PropDateTimeStart), time.FixedZone("", sec))
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, obs{at, text(o, ical.PropTimezoneOffsetTo)})
		}
		// Every day of the span, the observance in force gives Go's offset.
		for d := from; d.Before(from.AddDate(0, 6, 0)); d = d.Add(24 * time.Hour) {
			var cur string
			var best time.Time
			for _, o := range list {
				if !o.at.After(d) && !o.at.Before(best) {
					best, cur = o.at, o.offset
				}
			}
			_, sec := d.In(loc).Zone()
			if cur != ics.Offset(sec) {
				t.Fatalf("%s on %s: VTIMEZONE says %s, Go %s", name, d, cur, ics.Offset(sec))
			}
		}
	}
}

func TestReminder(t *testing.T) {
	it := item(timed(time.Date(2025, 2, 10, 9, 30, 0, 0, paris), time.Hour, "Europe/Paris"))
	it.Reminder = 15 * time.Minute
	data, err := encodeObject(it, "", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Talk\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n")) {
		t.Fatalf("no reminder in\n%s", data)
	}
	// An update leaves the alarms to the user: none is added, the
	// existing one stays.
	again, err := encodeObject(it, "", now, data)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(again, []byte("BEGIN:VALARM")); n != 1 {
		t.Fatalf("%d alarms after an update", n)
	}
	for d, want := range map[time.Duration]string{15 * time.Minute: "PT15M", 90 * time.Minute: "PT1H30M", 24 * time.Hour: "P1D", 30 * time.Second: "PT30S"} {
		if got := ics.Duration(d); got != want {
			t.Errorf("ics.Duration(%v) = %s, want %s", d, got, want)
		}
	}
}

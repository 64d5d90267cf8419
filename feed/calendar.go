package feed

import (
	"bytes"
	"sort"
	"strings"
	"time"

	goical "github.com/arran4/golang-ical"

	"github.com/confcal/confcal/ics"
	"github.com/confcal/confcal/programme"
)

// ProductID is the PRODID of every calendar confcal writes.
const ProductID = "-//confcal//confcal//EN"

// header holds what every calendar of a set shares: the VTIMEZONE of each
// zone, rendered once for the whole programme's span.
type header struct {
	mainZone string
	zones    map[string][]byte
	desc     string // the programme's description, on one line
	refresh  string
	common   []byte // BEGIN:VCALENDAR and the properties every feed shares
}

func newHeader(p *programme.Programme, events []*Event, r *renderer) *header {
	h := &header{mainZone: p.Location.String(), zones: map[string][]byte{}, desc: ics.OneLine(r.text(p.Description))}
	first, last := p.Bounds()
	for _, ev := range events {
		a, b := ev.Session.Interval(p)
		if first.IsZero() || a.Before(first) {
			first = a
		}
		if b.After(last) {
			last = b
		}
	}
	if first.IsZero() {
		// No sessions at all: the zone as of the programme's own dates.
		switch {
		case !p.Updated.IsZero():
			first = p.Updated
		case !p.StartDate.IsZero():
			first = p.StartDate.In(time.UTC)
		default:
			first = time.Unix(0, 0)
		}
		last = first
	}
	names := map[string]*time.Location{h.mainZone: p.Location}
	for _, ev := range events {
		for _, z := range ev.Zones {
			if _, ok := names[z]; !ok {
				names[z] = ev.Session.Zone(p)
			}
		}
	}
	for name, loc := range names {
		if loc == time.UTC {
			continue
		}
		var b strings.Builder
		_ = ics.VTimezone(loc, first, last).SerializeTo(&b, serialConfig)
		h.zones[name] = []byte(b.String())
	}
	h.refresh = ics.Duration(refreshOf(r.opts, p))
	h.common = h.commonProperties(p, r.opts)
	return h
}

// calendar returns the head of feed f: the calendar properties and the
// VTIMEZONEs its events use. The events' cached bytes follow it. The
// properties every feed of the set shares are serialized once; those of
// the feed follow them.
func (h *header) calendar(set *Set, f *Feed) []byte {
	var props []goical.CalendarProperty
	add := func(name, value string, params map[string][]string) {
		props = append(props, goical.CalendarProperty{BaseProperty: goical.BaseProperty{IANAToken: name, Value: value, ICalParameters: params}})
	}
	title := ics.OneLine(f.Title)
	add(string(goical.PropertyName), title, nil)
	add(string(goical.PropertyXWRCalName), title, nil)
	if set.opts.BaseURL != "" {
		u := strings.TrimRight(set.opts.BaseURL, "/") + "/" + f.Path()
		add(string(goical.PropertyUrl), u, nil)
		add("SOURCE", u, map[string][]string{"VALUE": {"URI"}})
	}
	if desc := ics.OneLine(f.Description); desc != "" {
		add(string(goical.PropertyDescription), desc, nil)
		add(string(goical.PropertyXWRCalDesc), desc, nil)
	}
	if f.Colour != "" {
		add(string(goical.PropertyColor), cssColourName(f.Colour), nil)
		add("X-APPLE-CALENDAR-COLOR", strings.ToUpper(f.Colour), nil)
	}
	if !f.Modified.IsZero() {
		add(string(goical.PropertyLastModified), f.Modified.UTC().Format(dateTimeUTC), nil)
	}
	var own bytes.Buffer
	for _, prop := range props {
		_ = prop.SerializeTo(&own, serialConfig)
	}
	zones := h.zonesOf(f.Events)
	size := len(h.common) + own.Len()
	for _, z := range zones {
		size += len(h.zones[z])
	}
	b := make([]byte, 0, size)
	b = append(b, h.common...)
	b = append(b, own.Bytes()...)
	for _, z := range zones {
		b = append(b, h.zones[z]...)
	}
	return b
}

// commonProperties serializes the start of every calendar of the set:
// BEGIN:VCALENDAR and the properties that do not depend on the feed (the
// description does: each feed has its own).
func (h *header) commonProperties(p *programme.Programme, opts Options) []byte {
	cal := goical.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	if opts.organiser() {
		cal.SetMethod(goical.MethodPublish)
	}
	cal.SetXWRTimezone(h.mainZone)
	cal.SetRefreshInterval(h.refresh)
	cal.SetXPublishedTTL(h.refresh)
	if opts.BaseURL == "" && p.URL != "" {
		cal.SetUrl(p.URL)
	}
	var b strings.Builder
	_ = cal.SerializeTo(&b, serialConfig)
	return []byte(strings.TrimSuffix(b.String(), endLine))
}

// zonesOf returns the zones events use, plus the programme's own zone so
// that every calendar has at least one component, sorted.
func (h *header) zonesOf(events []*Event) []string {
	seen := map[string]bool{}
	if _, ok := h.zones[h.mainZone]; ok {
		seen[h.mainZone] = true
	}
	for _, ev := range events {
		for _, z := range ev.Zones {
			seen[z] = true
		}
	}
	out := make([]string, 0, len(seen))
	for z := range seen {
		out = append(out, z)
	}
	sort.Strings(out)
	return out
}

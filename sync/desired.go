package sync

import (
	"fmt"
	"sort"
	"time"

	"github.com/confcal/confcal/ics"
	"github.com/confcal/confcal/programme"
)

// Cancelled sessions are either removed from the calendar or kept, marked.
const (
	CancelledRemove = "remove"
	CancelledMark   = "mark"
)

// BuildOptions shape the desired events.
type BuildOptions struct {
	// Lang is the language of texts ("" for the programme's first).
	Lang string
	// Cancelled is CancelledRemove (the default) or CancelledMark.
	Cancelled string
	// Generation is the Owner's generation.
	Generation int
	// Alarm, when positive, gives each new timed event a reminder this
	// long before it starts.
	Alarm time.Duration
}

// Desired is what the calendar should hold: one Item per chosen session,
// in programme order, and why every other session of the programme is not
// wanted.
type Desired struct {
	Owner Owner
	Items []Item
	// Excluded maps the event id of each session of the programme that
	// is not wanted to the reason ("not selected", "cancelled in the
	// programme").
	Excluded map[string]string
	// Titles names every session of the programme by event id, for
	// messages about events whose session is not wanted.
	Titles map[string]string
}

// Build returns the Desired set for the chosen sessions of p.
func Build(p *programme.Programme, chosen []*programme.Session, opts BuildOptions) (Desired, error) {
	c, err := NewCatalog(p, opts)
	if err != nil {
		return Desired{}, err
	}
	return c.Desired(chosen), nil
}

// Catalog is the desired event of every session of a programme, built
// once, from which the Desired sets of many selections are taken: a
// server syncing many attendees renders each session once per edition.
// A Catalog is read-only, safe for concurrent use; the Titles of the
// Desired sets it returns are shared and must not be changed.
type Catalog struct {
	owner    Owner
	sessions []*programme.Session // in programme order
	ids      map[*programme.Session]string
	items    map[*programme.Session]*Item // nil for a session never wanted as is
	excluded map[*programme.Session]string
	titles   map[string]string
}

// NewCatalog renders the desired events of every session of p.
func NewCatalog(p *programme.Programme, opts BuildOptions) (*Catalog, error) {
	if p == nil {
		return nil, fmt.Errorf("build desired events: no programme")
	}
	if p.ID == "" {
		return nil, fmt.Errorf("build desired events: the programme has no id")
	}
	switch opts.Cancelled {
	case "", CancelledRemove, CancelledMark:
	default:
		return nil, fmt.Errorf("cancelled sessions: %q is neither %q nor %q", opts.Cancelled, CancelledRemove, CancelledMark)
	}
	owner := Owner{Source: p.ID, Generation: opts.Generation}
	lang := opts.Lang
	if lang == "" {
		lang = p.Lang()
	}
	r := fieldRenderer{p: p, lang: lang}
	sessions := append([]*programme.Session(nil), p.Sessions...)
	sort.SliceStable(sessions, func(i, j int) bool { return programme.Less(p, sessions[i], sessions[j]) })
	c := &Catalog{owner: owner, sessions: sessions, ids: make(map[*programme.Session]string, len(sessions)),
		items: map[*programme.Session]*Item{}, excluded: map[*programme.Session]string{}, titles: make(map[string]string, len(sessions))}
	seen := map[string]string{}
	for _, s := range sessions {
		u := p.UID(s) // the UID of confcal's feeds
		id := EventID(owner, u)
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("build desired events: sessions %s and %s share the UID %s", prev, s.ID, u)
		}
		seen[id] = s.ID
		c.ids[s] = id
		c.titles[id] = r.text(s.Title)
		if s.Status == programme.Cancelled && opts.Cancelled != CancelledMark {
			c.excluded[s] = "cancelled in the programme"
			continue
		}
		f := r.fields(s)
		var reminder time.Duration
		if !s.AllDay && s.Status != programme.Cancelled {
			reminder = opts.Alarm
		}
		c.items[s] = &Item{
			ID:        id,
			SessionID: s.ID,
			Fields:    f,
			Reminder:  reminder,
			Marker: Marker{Tool: Tool, Source: owner.Source, UID: u, Hash: f.Hash(),
				Schema: Schema, Generation: owner.Generation},
		}
	}
	return c, nil
}

// Item returns the desired event of session s, if s is wanted as it is
// (not cancelled and removed).
func (c *Catalog) Item(s *programme.Session) (Item, bool) {
	it := c.items[s]
	if it == nil {
		return Item{}, false
	}
	return *it, true
}

// Owner is the owner of the catalogue's events.
func (c *Catalog) Owner() Owner { return c.owner }

// Desired returns the Desired set of the chosen sessions, which must be
// sessions of the catalogue's programme.
func (c *Catalog) Desired(chosen []*programme.Session) Desired {
	want := make(map[*programme.Session]bool, len(chosen))
	for _, s := range chosen {
		want[s] = true
	}
	d := Desired{Owner: c.owner, Excluded: make(map[string]string, len(c.sessions)-len(chosen)), Titles: c.titles}
	for _, s := range c.sessions {
		id := c.ids[s]
		switch {
		case !want[s]:
			d.Excluded[id] = "not selected"
		case c.items[s] == nil:
			d.Excluded[id] = c.excluded[s]
		default:
			d.Items = append(d.Items, *c.items[s])
		}
	}
	return d
}

// fieldRenderer turns sessions into managed fields in one language.
type fieldRenderer struct {
	p    *programme.Programme
	lang string
}

func (r fieldRenderer) text(t programme.Text) string {
	return ics.OneLine(t.In(r.lang, r.p.Languages...))
}

func (r fieldRenderer) fields(s *programme.Session) Fields {
	f := Fields{
		Title:       r.text(s.Title),
		Description: ics.Describe(r.p, s, r.lang, ""),
		Location:    ics.Location(r.p, s, r.lang),
		URL:         r.p.SessionURL(s),
		Status:      "confirmed",
	}
	if s.Status == programme.Tentative {
		f.Status = "tentative"
	}
	if s.Status == programme.Cancelled {
		f.Title = "Cancelled: " + f.Title
		f.Free = true
	}
	if s.AllDay {
		f.AllDay = true
		f.StartDate = s.StartDate.String()
		f.EndDate = s.EndDate.AddDays(1).String()
		f.Free = true
		return f
	}
	loc := s.Zone(r.p)
	f.TimeZone = loc.String()
	f.Start = s.Start.In(loc)
	f.End = f.Start
	if !s.End.IsZero() {
		f.End = s.End.In(loc)
	}
	return f
}

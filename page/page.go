package page

import (
	"bytes"
	"html/template"
	"strings"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// kinds are the kinds of feed the page lists, in its order.
var kinds = []feed.Kind{feed.KindAll, feed.KindDay, feed.KindTrack, feed.KindVenue, feed.KindRoom, feed.KindSpeaker}

// Options tune the discovery page.
type Options struct {
	// BaseURL is the public URL of the feeds, for absolute subscribe
	// links; empty means the set's own base URL, if any.
	BaseURL string
	// Guessed marks BaseURL as a guess, such as the server's listening
	// address: the page's script replaces it with the address the page
	// was loaded from.
	Guessed bool
	// Live adds the personal agenda builder, which needs the feed
	// server's /agenda.ics: a checkbox on each session and the links of
	// the agenda they make.
	Live bool
	// SyncStart, when set, adds a "Sync to Google Calendar" button
	// beside the links of every feed and of the agenda builder: a link to
	// SyncStart (relative to the page) with the feed's path as feed=PATH,
	// or the agenda's selection as its query.
	SyncStart string
}

type pageFeed struct {
	Title  string // the title in its group, without the programme's name
	Name   string // the calendar's name, as its NAME says and links pass it on
	Colour template.CSS
	Count  string // "13 events"
	Path   string
	Links  pageLinks
}

// pageLinks holds links the template may print as they are: webcal: is not
// a scheme html/template lets through on its own.
type pageLinks struct {
	HTTPS, Webcal, Google, Outlook, OutlookWork, Download template.URL
}

func trusted(l Links) pageLinks {
	return pageLinks{HTTPS: template.URL(l.HTTPS), Webcal: template.URL(l.Webcal), Google: template.URL(l.Google),
		Outlook: template.URL(l.Outlook), OutlookWork: template.URL(l.OutlookWork), Download: template.URL(l.Download)}
}

type pageGroup struct {
	Title string
	Open  bool
	Feeds []pageFeed
}

// filterTrack is one choice of the track filter: I is the track's index
// in the programme, the only part of it that reaches the page's CSS and
// class names.
type filterTrack struct {
	I      int
	Name   string
	Colour template.CSS
}

type pageData struct {
	W                                       *words
	ID, Name, Description, Dates, Zone, URL string
	// Base is the explicit public URL; empty when the script must work
	// links out from the page's own address.
	Base     string
	Absolute bool
	Live     bool
	// SyncStart is Options.SyncStart: "" shows no sync button.
	SyncStart string
	// AgendaName is the name of a personal agenda, as the server's
	// calendar says it, for the links the script builds.
	AgendaName    string
	GoogleFromURL template.URL
	AllFeed       template.URL // the whole programme's calendar
	Groups        []pageGroup
	Days          []pageDay
	Tracks        []filterTrack
	// From and Until bound the programme's days (RFC 3339), outside
	// which the script shows no "now / next".
	From, Until string
	Sessions    string // "13 sessions"
}

// Render renders the discovery page: the programme's name and dates, the
// programme day by day as a timeline grid, led by a row of its days with
// their session counts, a track filter and, while the event is on, what
// is happening now and next; then a Subscribe section with every feed,
// its event count and its Subscribe (webcal://), Google Calendar, Outlook
// (personal and work accounts), Download and address links. A live
// server's page lets people tick sessions into a personal agenda.
//
// The page speaks the set's language (English or French; English for
// any other). It is one self-contained document: no external assets, a
// little inline CSS, and a little inline script that only adds to what
// works without it. Everything taken from the programme is escaped.
func Render(set *feed.Set, opts Options) ([]byte, error) {
	p := set.Programme
	m := set.Manifest()
	w := wordsFor(set.Lang)
	base := opts.BaseURL
	if base == "" {
		base, opts.Guessed = set.BaseURL(), false
	}
	d := pageData{W: w, ID: p.ID, Name: m.Programme.Name, Description: set.Text(p.Description), URL: p.URL,
		Zone: p.TimeZone, Absolute: base != "", Live: opts.Live, SyncStart: opts.SyncStart, Sessions: w.count(w.Session, len(p.Sessions)),
		AgendaName: set.AgendaTitle(), GoogleFromURL: GoogleFromURL}
	if !opts.Guessed {
		d.Base = base
	}
	if a, b := m.Programme.StartDate, m.Programme.EndDate; a != "" && b != "" {
		if da, err := programme.ParseDate(a); err == nil {
			if db, err := programme.ParseDate(b); err == nil {
				d.Dates = w.dateRange(da, db)
			}
		}
	}
	d.Groups = groups(set, w, base)
	if f := set.Feed("all"); f != nil {
		d.AllFeed = template.URL(f.Path())
	}
	d.Days = timeline(set, w)
	d.Tracks = filterTracks(set)
	if n := len(d.Days); n > 0 {
		loc := zoneOf(p)
		d.From = d.Days[0].date.In(loc).Format(time.RFC3339)
		d.Until = d.Days[n-1].date.AddDays(1).In(loc).Format(time.RFC3339)
	}
	var b bytes.Buffer
	if err := indexTemplate.ExecuteTemplate(&b, "index", d); err != nil {
		return nil, err
	}
	// The buffer grew by doubling; the page is kept for as long as it is
	// served, so keep it in a slice of its own size.
	return bytes.Clone(b.Bytes()), nil
}

// groups lists the set's feeds by kind for the Subscribe section. Only
// the whole programme's group is open: the others fold to one line each.
func groups(set *feed.Set, w *words, base string) []pageGroup {
	prefix := set.Text(set.Programme.Name) + " · "
	var out []pageGroup
	for _, kind := range kinds {
		g := pageGroup{Title: w.Groups[kind], Open: kind == feed.KindAll}
		for _, f := range set.Feeds {
			if f.Kind != kind {
				continue
			}
			title := f.Title
			if f.Kind != feed.KindAll {
				title = strings.TrimPrefix(title, prefix)
			}
			g.Feeds = append(g.Feeds, pageFeed{Title: title, Name: f.Title, Colour: safeColour(f.Colour),
				Count: w.count(w.Event, len(f.Events)), Path: f.Path(), Links: trusted(LinksFor(base, f.Path(), f.Title))})
		}
		if len(g.Feeds) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// filterTracks returns the choices of the track filter: every track, when
// there are at least two.
func filterTracks(set *feed.Set) []filterTrack {
	tracks := set.Programme.Tracks
	if len(tracks) < 2 {
		return nil
	}
	out := make([]filterTrack, len(tracks))
	for i, t := range tracks {
		out[i] = filterTrack{I: i, Name: set.Text(t.Name), Colour: safeColour(t.Colour)}
	}
	return out
}

func zoneOf(p *programme.Programme) *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

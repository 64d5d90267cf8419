package page

import (
	"net/url"
	"strings"
)

// Links are the ways to get one feed into a calendar.
type Links struct {
	HTTPS    string // the feed itself
	Webcal   string // subscribe in Apple Calendar, Outlook desktop, Thunderbird
	Google   string // Google Calendar's add-by-URL page
	Outlook  string // Outlook on the web's add-from-web page
	Download string // relative download link
}

// LinksFor returns the links of the feed at rel (e.g. "track/science.ics")
// published under base (e.g. "https://example.org/cal"). With no base only
// Download is set.
func LinksFor(base, rel, name string) Links {
	l := Links{Download: rel}
	if base == "" {
		return l
	}
	l.HTTPS = strings.TrimRight(base, "/") + "/" + rel
	l.Webcal = WebcalURL(l.HTTPS)
	l.Google = GoogleURL(l.HTTPS)
	l.Outlook = OutlookURL(l.HTTPS, name)
	return l
}

// GoogleURL returns Google Calendar's add-by-URL link for the feed at u,
// an http(s) URL. Google fetches the feed from its own servers, so u must
// be reachable from the internet.
func GoogleURL(u string) string {
	return "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(u)
}

// OutlookURL returns Outlook on the web's add-from-web link for the feed
// at u, an http(s) URL, named name. Outlook on the web takes the https
// form; webcal:// does not work there.
func OutlookURL(u, name string) string {
	return "https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(u) + "&name=" + url.QueryEscape(name)
}

// WebcalURL turns an http(s) URL into the webcal:// form that makes
// clients subscribe instead of importing once.
func WebcalURL(u string) string {
	switch {
	case strings.HasPrefix(u, "https://"):
		return "webcal://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		return "webcal://" + strings.TrimPrefix(u, "http://")
	}
	return u
}

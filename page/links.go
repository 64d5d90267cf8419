package page

import (
	"net/url"
	"strings"
)

// Links are the ways to get one feed into a calendar.
type Links struct {
	HTTPS       string // the feed itself, to copy into any calendar
	Webcal      string // subscribe in Apple Calendar, Outlook desktop, Thunderbird
	Google      string // Google Calendar's subscribe link
	Outlook     string // Outlook on the web, personal accounts (outlook.com)
	OutlookWork string // Outlook on the web, work or school accounts (Microsoft 365)
	Download    string // relative download link
}

// GoogleFromURL is Google Calendar's "From URL" settings page, where an
// address copied from the page can be pasted when the subscribe link does
// not work.
const GoogleFromURL = "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"

// LinksFor returns the links of the feed at rel (e.g. "track/science.ics")
// published under base (e.g. "https://example.org/cal"), named name in
// the calendars that take a name. With no base only Download is set.
func LinksFor(base, rel, name string) Links {
	l := Links{Download: rel}
	if base == "" {
		return l
	}
	l.HTTPS = strings.TrimRight(base, "/") + "/" + rel
	l.Webcal = WebcalURL(l.HTTPS)
	l.Google = GoogleURL(l.HTTPS)
	l.Outlook = OutlookURL(l.HTTPS, name)
	l.OutlookWork = OutlookWorkURL(l.HTTPS, name)
	return l
}

// GoogleURL returns Google Calendar's subscribe link for the feed at u,
// an http(s) URL: its cid parameter holds the webcal:// form of u, which
// Google takes where it refuses an https:// address. Google fetches the
// feed from its own servers, so u must be reachable from the internet.
func GoogleURL(u string) string {
	return "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(WebcalURL(u))
}

// OutlookURL returns the add-from-web link of Outlook on the web for
// personal Microsoft accounts (outlook.com, hotmail) for the feed at u, an
// http(s) URL, named name. Outlook on the web takes the https form;
// webcal:// does not work there.
func OutlookURL(u, name string) string {
	return "https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(u) + "&name=" + url.QueryEscape(name)
}

// OutlookWorkURL is OutlookURL for work or school accounts (Microsoft
// 365), which Outlook on the web serves from outlook.office.com.
func OutlookWorkURL(u, name string) string {
	return "https://outlook.office.com/calendar/0/addfromweb?url=" + url.QueryEscape(u) + "&name=" + url.QueryEscape(name)
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

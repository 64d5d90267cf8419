package caldav

import (
	"encoding/xml"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// The request bodies confcal sends.
const (
	// listQuery asks for every event of a calendar with its ETag and data
	// (RFC 4791 §7.8).
	listQuery = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>`

	// collectionProps asks what a collection is (RFC 4918 §15.9,
	// RFC 4791 §5.2.3).
	collectionProps = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/></D:prop>
</D:propfind>`

	// homeSetProp asks for a principal's calendar home (RFC 4791 §6.2.1).
	homeSetProp = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-home-set/></D:prop>
</D:propfind>`
)

// multiget asks for the ETag and data of one object (RFC 4791 §7.9).
func multiget(href string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <D:href>`)
	xml.EscapeText(&b, []byte(href)) //nolint:errcheck // a strings.Builder does not fail
	b.WriteString("</D:href>\n</C:calendar-multiget>")
	return []byte(b.String())
}

type multistatus struct {
	XMLName   xml.Name     `xml:"DAV: multistatus"`
	Responses []msResponse `xml:"DAV: response"`
}

type msResponse struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string  `xml:"DAV: status"`
	Prop   davProp `xml:"DAV: prop"`
}

type davProp struct {
	ETag         *string `xml:"DAV: getetag"`
	CalendarData *string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	DisplayName  *string `xml:"DAV: displayname"`
	ResourceType *struct {
		Types []struct{ XMLName xml.Name } `xml:",any"`
	} `xml:"DAV: resourcetype"`
	HomeSet *struct {
		Hrefs []string `xml:"DAV: href"`
	} `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	Components *struct {
		Comps []struct {
			Name string `xml:"name,attr"`
		} `xml:"urn:ietf:params:xml:ns:caldav comp"`
	} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
}

// statusCode reads the code of a status line ("HTTP/1.1 200 OK"); 0 if
// there is none.
func statusCode(line string) int {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// props merges the properties of a response that came with a success
// status.
func (r msResponse) props() davProp {
	var out davProp
	for _, ps := range r.Propstats {
		if c := statusCode(ps.Status); c != 0 && c/100 != 2 {
			continue
		}
		p := ps.Prop
		if p.ETag != nil {
			out.ETag = p.ETag
		}
		if p.CalendarData != nil {
			out.CalendarData = p.CalendarData
		}
		if p.DisplayName != nil {
			out.DisplayName = p.DisplayName
		}
		if p.ResourceType != nil {
			out.ResourceType = p.ResourceType
		}
		if p.Components != nil {
			out.Components = p.Components
		}
		if p.HomeSet != nil {
			out.HomeSet = p.HomeSet
		}
	}
	return out
}

func (p davProp) isCalendar() bool {
	if p.ResourceType == nil {
		return false
	}
	for _, t := range p.ResourceType.Types {
		if t.XMLName.Space == "urn:ietf:params:xml:ns:caldav" && t.XMLName.Local == "calendar" {
			return true
		}
	}
	return false
}

func (p davProp) components() []string {
	if p.Components == nil {
		return nil
	}
	out := make([]string, 0, len(p.Components.Comps))
	for _, c := range p.Components.Comps {
		out = append(out, strings.ToUpper(c.Name))
	}
	return out
}

// member returns the name of the object href points to when it is a
// direct member of the collection base, unescaped; ok is false for the
// collection itself and anything elsewhere.
func member(base *url.URL, href string) (name string, ok bool) {
	u, err := base.Parse(href)
	if err != nil {
		return "", false
	}
	dir, file := path.Split(u.Path)
	if file == "" || !strings.EqualFold(strings.TrimSuffix(dir, "/"), strings.TrimSuffix(base.Path, "/")) {
		return "", false
	}
	return file, true
}

// idOf is the event id of an object named name: the name without .ics.
func idOf(name string) string {
	if len(name) > 4 && strings.EqualFold(name[len(name)-4:], ".ics") {
		return name[:len(name)-4]
	}
	return name
}

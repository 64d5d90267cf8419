package feed

import (
	"bytes"
	"html/template"
)

// kindTitles names each kind of feed on the index page.
var kindTitles = []struct {
	Kind  Kind
	Title string
}{
	{KindAll, "Whole programme"}, {KindDay, "By day"}, {KindTrack, "By track"}, {KindVenue, "By venue"},
	{KindRoom, "By room"}, {KindSpeaker, "By speaker"},
}

type pageFeed struct {
	*Feed
	Links pageLinks
}

// pageLinks holds links the template may print as they are: webcal: is not
// a scheme html/template lets through on its own.
type pageLinks struct {
	Webcal, Google, Outlook, Download template.URL
}

func trusted(l Links) pageLinks {
	return pageLinks{Webcal: template.URL(l.Webcal), Google: template.URL(l.Google),
		Outlook: template.URL(l.Outlook), Download: template.URL(l.Download)}
}

type pageGroup struct {
	Title string
	Feeds []pageFeed
}

type pageData struct {
	Name, Description, Dates, URL string
	Groups                        []pageGroup
	Absolute                      bool
}

// IndexHTML renders the page that lists every feed with its download and
// subscribe links. It needs no external assets; with a base URL every link
// works without JavaScript, and without one a small script completes the
// subscribe links from the page's own address.
func (set *Set) IndexHTML() ([]byte, error) {
	p := set.Programme
	m := set.Manifest()
	d := pageData{Name: m.Programme.Name, Description: p.Description.In(set.Lang, p.Languages...), URL: p.URL,
		Absolute: set.opts.BaseURL != ""}
	if m.Programme.StartDate != "" {
		d.Dates = m.Programme.StartDate + " – " + m.Programme.EndDate
	}
	for _, kt := range kindTitles {
		g := pageGroup{Title: kt.Title}
		for _, f := range set.Feeds {
			if f.Kind == kt.Kind {
				g.Feeds = append(g.Feeds, pageFeed{Feed: f, Links: trusted(LinksFor(set.opts.BaseURL, f.Path(), f.Title))})
			}
		}
		if len(g.Feeds) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	var b bytes.Buffer
	if err := indexTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var indexTemplate = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}}: calendars</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1f2328}
h1{margin-bottom:0}.dates{color:#59636e;margin-top:.2rem}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .5rem;border-bottom:1px solid #d1d9e0;text-align:left}
td.n{text-align:right;color:#59636e}a{color:#0969da}.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em}
.act a{margin-right:.6rem;white-space:nowrap}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}a{color:#4493f8}td,th{border-color:#3d444d}}
</style>
</head>
<body>
<h1>{{.Name}}</h1>
{{with .Dates}}<p class="dates">{{.}}</p>{{end}}
{{with .Description}}<p>{{.}}</p>{{end}}
{{with .URL}}<p><a href="{{.}}">Programme website</a></p>{{end}}
{{range .Groups}}
<h2>{{.Title}}</h2>
<table>
<thead><tr><th>Calendar</th><th>Events</th><th>Add it</th></tr></thead>
<tbody>
{{range .Feeds}}<tr>
<td>{{with .Colour}}<span class="sw" style="background:{{.}}"></span>{{end}}{{.Title}}</td>
<td class="n">{{len .Events}}</td>
<td class="act" data-path="{{.Links.Download}}" data-name="{{.Title}}">{{if .Links.Webcal}}<a href="{{.Links.Webcal}}">Subscribe</a><a href="{{.Links.Google}}">Google Calendar</a><a href="{{.Links.Outlook}}">Outlook</a>{{end}}<a href="{{.Links.Download}}" download>Download</a></td>
</tr>
{{end}}</tbody>
</table>
{{end}}
{{if not .Absolute}}<script>
for (const td of document.querySelectorAll("td.act")) {
  const https = new URL(td.dataset.path, location.href).href;
  if (!/^https?:/.test(https)) continue;
  const webcal = https.replace(/^https?:/, "webcal:");
  const add = (href, text) => { const a = document.createElement("a"); a.href = href; a.textContent = text; td.prepend(a); };
  add("https://outlook.live.com/calendar/0/addfromweb?url=" + encodeURIComponent(https) + "&name=" + encodeURIComponent(td.dataset.name), "Outlook");
  add("https://calendar.google.com/calendar/r?cid=" + encodeURIComponent(webcal), "Google Calendar");
  add(webcal, "Subscribe");
}
</script>{{end}}
</body>
</html>
`))

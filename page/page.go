package page

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// kindTitles names each kind of feed on the index page.
var kindTitles = []struct {
	Kind  feed.Kind
	Title string
}{
	{feed.KindAll, "Whole programme"}, {feed.KindDay, "By day"}, {feed.KindTrack, "By track"}, {feed.KindVenue, "By venue"},
	{feed.KindRoom, "By room"}, {feed.KindSpeaker, "By speaker"},
}

// openGroup is how many feeds a group of venues, rooms or speakers may
// have and still be shown open; the whole programme, days and tracks are
// always open.
const openGroup = 6

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
}

type pageFeed struct {
	Title  string // the title in its group, without the programme's name
	Name   string // the calendar's name, as its NAME says and links pass it on
	Colour template.CSS
	Events int
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

type pageData struct {
	ID, Name, Description, Dates, Zone, URL string
	// Base is the explicit public URL; empty when the script must work
	// links out from the page's own address.
	Base     string
	Absolute bool
	// AgendaName is the name of a personal agenda, as the server's
	// calendar says it, for the links the script builds.
	AgendaName    string
	GoogleFromURL template.URL
	Live          bool
	Groups        []pageGroup
	Days          []pageDay
	Sessions      int
}

// Render renders the discovery page: the programme's name and dates, every
// feed with its event count and its Subscribe (webcal://), Google
// Calendar, Outlook and Download links, and the programme day by day as a
// timeline grid, where a live server's page lets people tick sessions
// into a personal agenda.
//
// The page is one self-contained document: no external assets, a little
// inline CSS, and a little inline script that only adds to what works
// without it. Everything taken from the programme is escaped.
func Render(set *feed.Set, opts Options) ([]byte, error) {
	p := set.Programme
	m := set.Manifest()
	base := opts.BaseURL
	if base == "" {
		base, opts.Guessed = set.BaseURL(), false
	}
	d := pageData{ID: p.ID, Name: m.Programme.Name, Description: set.Text(p.Description), URL: p.URL,
		Zone: p.TimeZone, Absolute: base != "", Live: opts.Live, Sessions: len(p.Sessions),
		AgendaName: set.AgendaTitle(), GoogleFromURL: GoogleFromURL}
	if !opts.Guessed {
		d.Base = base
	}
	if a, b := m.Programme.StartDate, m.Programme.EndDate; a != "" && b != "" {
		if da, err := programme.ParseDate(a); err == nil {
			if db, err := programme.ParseDate(b); err == nil {
				d.Dates = dateRange(da, db)
			}
		}
	}
	prefix := m.Programme.Name + " · "
	for _, kt := range kindTitles {
		g := pageGroup{Title: kt.Title}
		for _, f := range set.Feeds {
			if f.Kind != kt.Kind {
				continue
			}
			title := f.Title
			if f.Kind != feed.KindAll {
				title = strings.TrimPrefix(title, prefix)
			}
			g.Feeds = append(g.Feeds, pageFeed{Title: title, Name: f.Title, Colour: safeColour(f.Colour), Events: len(f.Events),
				Path: f.Path(), Links: trusted(LinksFor(base, f.Path(), f.Title))})
		}
		g.Open = len(g.Feeds) <= openGroup || kt.Kind == feed.KindAll || kt.Kind == feed.KindDay || kt.Kind == feed.KindTrack
		if len(g.Feeds) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	d.Days = timeline(set)
	var b bytes.Buffer
	if err := indexTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	// The buffer grew by doubling; the page is kept for as long as it is
	// served, so keep it in a slice of its own size.
	return bytes.Clone(b.Bytes()), nil
}

// sessionArgs are the arguments of the "session" template.
type sessionArgs struct {
	Live bool
	S    pageSession
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"pair": func(live bool, s pageSession) sessionArgs { return sessionArgs{live, s} },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="confcal">
<title>{{.Name}}: calendars</title>
{{range .Groups}}{{if eq .Title "Whole programme"}}{{range .Feeds}}<link rel="alternate" type="text/calendar" title="{{.Title}}" href="{{.Links.Download}}">
{{end}}{{end}}{{end}}<link rel="alternate" type="application/json" title="Feed list" href="feeds.json">
<style>
:root{color-scheme:light dark;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg:#fff;--card:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--bg:#0d1117;--card:#151b23;--link:#4493f8}}
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:90rem;color:var(--fg);background:var(--bg)}
a{color:var(--link)}h1{margin:0 0 .2rem}.mute,.dates{color:var(--mute)}
nav a{margin-right:1rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}th.n{width:4.5rem}th.a{width:50%}td,th{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.n{text-align:right;color:var(--mute)}.ev{display:none}.act a{margin-right:.7rem;white-space:nowrap;display:inline-block}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;background:var(--t)}
summary{cursor:pointer;font-weight:600;font-size:1.15rem;margin:.8rem 0 .4rem}
.wrap{overflow-x:auto}
.tl{display:grid;gap:2px;grid-auto-rows:minmax(.45rem,auto);margin-bottom:1.5rem}
.tl .h{font-size:.8rem;color:var(--mute);border-top:1px solid var(--line);padding-right:.3rem}
.tl .c{font-weight:600;font-size:.9rem;border-bottom:2px solid var(--line);padding:.2rem .3rem}
.tl .c small{display:block;font-weight:400;color:var(--mute)}
.ad{display:flex;flex-direction:column;gap:2px}
.s{background:var(--card);border-left:.3rem solid var(--t,#8c959f);border-radius:3px;padding:.2rem .35rem;font-size:.85rem;overflow:hidden;min-width:0}
.s .w,.s .pl,.s .sp,.s .tr{display:block;color:var(--mute);font-size:.78rem}
.s .tr i{font-style:normal;margin-right:.4rem}.s .tr i::before{content:"";display:inline-block;width:.6em;height:.6em;border-radius:50%;margin-right:.2em;background:var(--c,#8c959f)}
.s .ti{font-weight:600}.s label{display:block;cursor:pointer}
.s.x .ti{text-decoration:line-through}.s .st{font-weight:700;color:#cf222e;font-size:.75rem;text-transform:uppercase}
.s .add{font-size:.75rem}
.tl .pl{display:none}.tl .o .pl{display:block}
#agenda-panel{position:sticky;bottom:0;background:var(--bg);border-top:2px solid var(--line);padding:.6rem 0;margin-top:1rem}
#agenda-panel input[type=url]{width:100%;max-width:40rem;font:inherit;padding:.2rem}
#agenda-panel a,#agenda-panel button{margin-right:.7rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
@media (max-width:44rem){
.tl{display:block}.tl .h,.tl .c{display:none}.tl .pl{display:block}
.s,.ad{margin-bottom:.35rem}
table,tbody{display:block}thead{display:none}
tr{display:grid;grid-template-columns:1fr auto;border-bottom:1px solid var(--line)}
td{border:0;padding:.25rem .3rem}td.act{grid-column:1/-1;padding-top:0}.ev{display:inline}
}
</style>
</head>
<body{{with .Base}} data-base="{{.}}"{{end}} data-programme="{{.ID}}">
<header>
<h1>{{.Name}}</h1>
<p class="dates">{{with .Dates}}{{.}} · {{end}}times in {{.Zone}}</p>
{{with .Description}}<p>{{.}}</p>{{end}}
<nav><a href="#calendars">Calendars</a><a href="#programme">Programme</a>{{if .Live}}<a href="#agenda-panel">Your agenda</a>{{end}}{{with .URL}}<a href="{{.}}">Programme website</a>{{end}}</nav>
</header>
<main>
<section id="calendars" aria-labelledby="calendars-h">
<h2 id="calendars-h">Calendars</h2>
<p class="mute">Subscribe once and the calendar follows every change to the programme. Download gives a copy that does not. Google Calendar: if its button does not add the calendar, copy the calendar's address and paste it on Google's <a href="{{.GoogleFromURL}}">From URL</a> page.</p>
{{range .Groups}}<details{{if .Open}} open{{end}}>
<summary>{{.Title}} <span class="mute">({{len .Feeds}})</span></summary>
<table>
<thead><tr><th scope="col">Calendar</th><th scope="col" class="n">Events</th><th scope="col" class="a">Add it</th></tr></thead>
<tbody>
{{range .Feeds}}<tr>
<td>{{with .Colour}}<span class="sw" style="--t:{{.}}"></span>{{end}}{{.Title}}</td>
<td class="n">{{.Events}}<span class="ev"> events</span></td>
<td class="act" data-feed="{{.Path}}" data-name="{{.Name}}"><a class="w"{{if $.Absolute}} href="{{.Links.Webcal}}"{{else}} hidden{{end}}>Subscribe</a><a class="g"{{if $.Absolute}} href="{{.Links.Google}}"{{else}} hidden{{end}}>Google Calendar</a><a class="o" title="Outlook on the web, personal account"{{if $.Absolute}} href="{{.Links.Outlook}}"{{else}} hidden{{end}}>Outlook.com</a><a class="ow" title="Outlook on the web, work or school account"{{if $.Absolute}} href="{{.Links.OutlookWork}}"{{else}} hidden{{end}}>Outlook 365</a><a class="d" href="{{.Links.Download}}" download>Download</a><a class="u"{{if $.Absolute}} href="{{.Links.HTTPS}}"{{else}} hidden{{end}}>Address</a></td>
</tr>
{{end}}</tbody>
</table>
</details>
{{end}}</section>
<section id="programme" aria-labelledby="programme-h">
<h2 id="programme-h">Programme</h2>
{{if .Live}}<p class="mute">Tick sessions to make your own calendar: one link you can subscribe to, which follows every change to those sessions.</p>
<form id="agenda" action="agenda.ics" method="get">{{end}}
{{range .Days}}<h3 id="d-{{.Date}}">{{.Title}}{{with .Feed}} <a class="mute" href="{{.}}" aria-label="Download the calendar of this day">.ics</a>{{end}}</h3>
<div class="wrap"><div class="tl" style="{{.Grid}}">
{{range .Columns}}<div class="c" style="{{.Pos}}">{{.Name}}{{with .Venue}}<small>{{.}}</small>{{end}}</div>
{{end}}{{if .AllDay}}<div class="h" style="grid-row:2;grid-column:1">All day</div>
{{range .AllDay}}<div class="ad" style="{{.Pos}}">{{range .Items}}{{template "session" (pair $.Live .)}}{{end}}</div>
{{end}}{{end}}{{range .Hours}}<div class="h" style="{{.Pos}}" aria-hidden="true">{{.Label}}</div>
{{end}}{{range .Items}}{{template "session" (pair $.Live .)}}{{end}}
</div></div>
{{else}}<p>The programme has no sessions yet.</p>
{{end}}{{if .Live}}<div id="agenda-panel" aria-live="polite" data-name="{{.AgendaName}}">
<p id="agenda-none">Your agenda: tick sessions above to build it.</p>
<div id="agenda-links" hidden>
<p><strong id="agenda-count"></strong></p>
<p><a id="agenda-webcal">Subscribe</a><a id="agenda-google">Google Calendar</a><a id="agenda-outlook" title="Outlook on the web, personal account">Outlook.com</a><a id="agenda-outlook-work" title="Outlook on the web, work or school account">Outlook 365</a><a id="agenda-download" download>Download</a><button type="button" id="agenda-clear">Clear</button></p>
<p><label for="agenda-url">Link to your agenda</label> <span class="mute">(to paste on Google's <a href="{{.GoogleFromURL}}">From URL</a> page if its button fails)</span><br><input type="url" id="agenda-url" readonly> <button type="button" id="agenda-copy">Copy</button> <span id="agenda-copied" role="status"></span></p>
</div>
<noscript><button type="submit">Download my agenda</button></noscript>
</div>
</form>{{end}}
</section>
</main>
<footer class="mute"><p>{{.Sessions}} sessions · <a href="feeds.json">feeds.json</a> · made with confcal</p></footer>
<script>
(function () {
  var base = document.body.dataset.base;
  var root = new URL(base ? base.replace(/\/*$/, "/") : ".", location.href);
  var live = /^https?:$/.test(root.protocol);
  // q escapes a query value as the server does (Go's url.QueryEscape),
  // so that a link reads the same whoever built it.
  function q(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); }).replace(/%20/g, "+");
  }
  function webcal(u) { return u.replace(/^https?:/, "webcal:"); }
  function google(u) { return "https://calendar.google.com/calendar/r?cid=" + q(webcal(u)); }
  function outlook(host, u, name) { return "https://" + host + "/calendar/0/addfromweb?url=" + q(u) + "&name=" + q(name); }
  function links(u, name) {
    return {w: webcal(u), g: google(u), o: outlook("outlook.live.com", u, name), ow: outlook("outlook.office.com", u, name), u: u};
  }
  if (live && !base) {
    document.querySelectorAll("td.act").forEach(function (td) {
      var l = links(new URL(td.dataset.feed, root).href, td.dataset.name);
      Object.keys(l).forEach(function (c) { var a = td.querySelector("a." + c); a.href = l[c]; a.hidden = false; });
    });
  }
  function copy(text, done, fallback) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else { fallback(); }
  }
  document.querySelectorAll("td.act a.u").forEach(function (a) {
    a.textContent = "Copy address";
    a.addEventListener("click", function (e) {
      e.preventDefault();
      copy(a.href, function () { a.textContent = "Copied"; }, function () { window.prompt("The calendar's address:", a.href); });
    });
  });
  var form = document.getElementById("agenda");
  if (!form) return;
  var key = "confcal:agenda:" + document.body.dataset.programme;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=session]"));
  var $ = function (id) { return document.getElementById(id); };
  function chosen() {
    var seen = {}, ids = [];
    boxes.forEach(function (b) { if (b.checked && !seen[b.value]) { seen[b.value] = true; ids.push(b.value); } });
    return ids.sort();
  }
  function update() {
    var ids = chosen();
    try { localStorage.setItem(key, ids.join(",")); } catch (e) {}
    $("agenda-none").hidden = ids.length > 0;
    $("agenda-links").hidden = ids.length === 0;
    if (!ids.length) return;
    var u = new URL("agenda.ics", root).href + "?session=" + ids.map(encodeURIComponent).join(",");
    $("agenda-count").textContent = ids.length + (ids.length === 1 ? " session" : " sessions");
    var l = links(u, $("agenda-panel").dataset.name);
    $("agenda-webcal").href = l.w;
    $("agenda-google").href = l.g;
    $("agenda-outlook").href = l.o;
    $("agenda-outlook-work").href = l.ow;
    $("agenda-download").href = u;
    $("agenda-url").value = u;
    $("agenda-copied").textContent = "";
  }
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name !== "session") return;
    boxes.forEach(function (b) { if (b.value === t.value) b.checked = t.checked; });
    update();
  });
  $("agenda-clear").addEventListener("click", function () { boxes.forEach(function (b) { b.checked = false; }); update(); });
  $("agenda-copy").addEventListener("click", function () {
    var input = $("agenda-url"), done = function () { $("agenda-copied").textContent = "Copied"; };
    copy(input.value, done, function () { input.select(); if (document.execCommand("copy")) done(); });
  });
  var saved = "";
  try { saved = localStorage.getItem(key) || ""; } catch (e) {}
  var want = {};
  saved.split(",").forEach(function (id) { if (id) want[id] = true; });
  boxes.forEach(function (b) { if (want[b.value]) b.checked = true; });
  update();
})();
</script>
</body>
</html>
{{define "session"}}{{$live := .Live}}{{with .S}}<div class="s{{if .Cancelled}} x{{end}}{{if .Elsewhere}} o{{end}}"{{with .Pos}} style="{{.}}"{{end}}>
{{if and $live (not .Ghost)}}<label><input type="checkbox" name="session" value="{{.ID}}"> <span class="ti">{{.Title}}</span></label>{{else}}<span class="ti">{{.Title}}</span>{{end}}
{{if .Cancelled}}<span class="st">Cancelled</span>{{else if .Tentative}}<span class="st">To be confirmed</span>{{end}}
<span class="w">{{.When}}</span>{{with .Subtitle}}<span class="sp">{{.}}</span>{{end}}{{with .Place}}<span class="pl">{{.}}</span>{{end}}{{with .Speakers}}<span class="sp">{{.}}</span>{{end}}{{with .Tracks}}<span class="tr">{{range .}}<i{{with .Colour}} style="--c:{{.}}"{{end}}>{{.Name}}</i>{{end}}</span>{{end}}
{{if not .Ghost}}<a class="add" href="{{.Link}}">Add to calendar</a>{{end}}
</div>
{{end}}{{end}}`))

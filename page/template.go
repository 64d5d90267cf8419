package page

import "html/template"

// sessionArgs are the arguments of the "session" template.
type sessionArgs struct {
	Live bool
	W    *words
	S    pageSession
}

// indexTemplate holds the discovery page ("index"), the notice a browser
// gets when an agenda cannot be made ("notice"), and the style they
// share ("style").
var indexTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"session": func(live bool, w *words, s pageSession) sessionArgs { return sessionArgs{live, w, s} },
}).Parse(styleTemplate + indexHTML + sessionHTML + noticeHTML))

const styleTemplate = `{{define "style"}}:root{color-scheme:light dark;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--bg:#fff;--card:#f6f8fa;--link:#0969da;--hi:#ddf4ff}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--bg:#0d1117;--card:#151b23;--link:#4493f8;--hi:#0c2d6b}}
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:90rem;color:var(--fg);background:var(--bg)}
a{color:var(--link)}h1{margin:0 0 .2rem}.mute,.dates{color:var(--mute)}
header nav a{margin-right:1rem;white-space:nowrap;display:inline-block}
{{end}}`

const indexHTML = `{{define "index"}}<!doctype html>
<html lang="{{.W.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="confcal">
<title>{{.Name}}: {{.W.TitleSuffix}}</title>
{{with .AllFeed}}<link rel="alternate" type="text/calendar" title="{{$.Name}}" href="{{.}}">
{{end}}<link rel="alternate" type="application/json" title="feeds.json" href="feeds.json">
<style>
{{template "style"}}.week{position:sticky;top:0;z-index:3;background:var(--bg);border-bottom:1px solid var(--line);margin:0 -1rem;padding:.4rem 1rem}
.week ol{display:flex;gap:.4rem;margin:0;padding:0 0 .1rem;list-style:none;overflow-x:auto;scrollbar-width:thin}
.week a{display:block;padding:.2rem .6rem;border:1px solid var(--line);border-radius:6px;text-decoration:none;white-space:nowrap;color:var(--fg)}
.week b{display:block;font-size:.9rem}.week .n{font-size:.78rem;color:var(--mute)}.week .nt{display:none}
.week a[aria-current]{background:var(--hi);border-color:var(--link)}
.tgt{display:block;scroll-margin-top:5rem}
.filter{display:flex;flex-wrap:wrap;gap:.3rem .45rem;align-items:center;margin:.7rem 0}
.filter a{padding:.05rem .6rem;border:1px solid var(--line);border-radius:999px;text-decoration:none;font-size:.9rem;color:var(--fg)}
.filter .sw{width:.7em;height:.7em}
.tgt:target~.filter .all{border-color:var(--line);background:none}.filter .all{border-color:var(--link);background:var(--hi)}
#now{border:1px solid var(--line);border-left:.3rem solid var(--link);border-radius:6px;padding:.3rem .8rem .5rem;margin:.7rem 0;background:var(--card)}
#now h3{font-size:.95rem;margin:.3rem 0 .1rem}#now ul{margin:0;padding-left:1.1rem}#now .w{color:var(--mute);font-size:.85rem}
.day{scroll-margin-top:5rem}.day h3:focus{outline:none}.day h3:focus-visible{outline:2px solid var(--link)}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;background:var(--t)}
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
#agenda-panel{position:sticky;bottom:0;z-index:3;background:var(--bg);border-top:2px solid var(--line);padding:.5rem 0;margin-top:1rem}
#agenda-panel p{margin:.3rem 0}
#agenda-panel input[type=url]{width:100%;max-width:40rem;font:inherit;padding:.2rem}
#agenda-panel a,#agenda-panel button{margin-right:.7rem}
#subscribe{margin-top:2rem}#subscribe details{border-top:1px solid var(--line)}
summary{cursor:pointer;font-weight:600;padding:.45rem 0}summary .mute{font-weight:400}
.feeds{list-style:none;margin:0 0 .7rem;padding:0}
.feeds li{display:grid;grid-template-columns:minmax(0,1fr) 8rem minmax(0,auto);gap:.1rem .8rem;padding:.3rem 0;border-top:1px solid var(--line);align-items:baseline}
.feeds .n{color:var(--mute);text-align:right;font-size:.9rem}
.act a{margin-right:.7rem;white-space:nowrap;display:inline-block}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
{{range .Tracks}}#only-{{.I}}:target~.week li:not(.k{{.I}}),#only-{{.I}}:target~* .s:not(.k{{.I}}),#only-{{.I}}:target~* .day:not(:has(.k{{.I}})){display:none}
#only-{{.I}}:target~.week .c{{.I}}{display:inline}#only-{{.I}}:target~.filter .f{{.I}}{border-color:var(--link);background:var(--hi)}
{{end}}.tgt:target~.week .na{display:none}
@media (max-width:44rem){
.tl{display:block}.tl .h,.tl .c{display:none}.tl .pl{display:block}
.s,.ad{margin-bottom:.35rem}
.feeds li{grid-template-columns:1fr auto}.feeds .act{grid-column:1/-1}
}
</style>
</head>
<body{{with .Base}} data-base="{{.}}"{{end}} data-programme="{{.ID}}" data-zone="{{.Zone}}" data-singular="{{.W.Session.One}}" data-plural="{{.W.Session.Other}}" data-copy="{{.W.CopyAddress}}" data-copied="{{.W.Copied}}" data-prompt="{{.W.AddressPrompt}}">
<header>
<h1>{{.Name}}</h1>
<p class="dates">{{with .Dates}}{{.}} · {{end}}{{.W.TimesIn}} {{.Zone}}</p>
{{with .Description}}<p>{{.}}</p>{{end}}
<nav><a href="#programme">{{.W.Programme}}</a><a href="#subscribe">{{.W.Subscribe}}</a>{{if .Live}}<a href="#agenda-panel">{{.W.YourAgenda}}</a>{{end}}{{with .URL}}<a href="{{.}}">{{$.W.Website}}</a>{{end}}</nav>
</header>
<main>
<section id="programme" aria-labelledby="programme-h">
<h2 id="programme-h">{{.W.Programme}}</h2>
{{range .Tracks}}<span class="tgt" id="only-{{.I}}"></span>{{end}}
{{if .Days}}<nav class="week" aria-label="{{.W.Days}}"><ol>
{{range .Days}}<li{{with .Keys}} class="{{.}}"{{end}}><a href="#d-{{.Date}}"><b>{{.Short}}</b> <span class="n na">{{.Count}}</span>{{range .Tracks}}<span class="n nt c{{.I}}">{{.Count}}</span>{{end}}</a></li>
{{end}}</ol></nav>
{{end}}{{if .Tracks}}<p class="filter"><span id="filter-h">{{.W.Tracks}}:</span> <a class="all" href="#programme" aria-describedby="filter-h">{{.W.AllTracks}}</a>
{{range .Tracks}}<a class="f{{.I}}" href="#only-{{.I}}" aria-describedby="filter-h">{{with .Colour}}<span class="sw" style="--t:{{.}}"></span>{{end}}{{.Name}}</a>
{{end}}</p>
{{end}}{{if .From}}<div id="now" data-from="{{.From}}" data-until="{{.Until}}" aria-live="polite" hidden>
<h3 id="now-h">{{.W.Now}}</h3><ul id="now-list"></ul>
<h3 id="next-h">{{.W.Next}}</h3><ul id="next-list"></ul>
</div>
{{end}}{{if .Live}}<p class="mute">{{.W.TickIntro}}</p>
<form id="agenda" action="agenda.ics" method="get">{{end}}
<div class="days">
{{range .Days}}<section class="day" id="d-{{.Date}}" aria-labelledby="h-{{.Date}}" data-short="{{.Short}}">
<h3 id="h-{{.Date}}" tabindex="-1">{{.Title}}{{with .Feed}} <a class="mute" href="{{.}}" aria-label="{{$.W.DayFeed}}">.ics</a>{{end}}</h3>
<div class="wrap"><div class="tl" style="{{.Grid}}">
{{range .Columns}}<div class="c" style="{{.Pos}}">{{.Name}}{{with .Venue}}<small>{{.}}</small>{{end}}</div>
{{end}}{{if .AllDay}}<div class="h" style="grid-row:2;grid-column:1">{{$.W.AllDay}}</div>
{{range .AllDay}}<div class="ad" style="{{.Pos}}">{{range .Items}}{{template "session" (session $.Live $.W .)}}{{end}}</div>
{{end}}{{end}}{{range .Hours}}<div class="h" style="{{.Pos}}" aria-hidden="true">{{.Label}}</div>
{{end}}{{range .Items}}{{template "session" (session $.Live $.W .)}}{{end}}
</div></div>
</section>
{{else}}<p>{{.W.NoSessions}}</p>
{{end}}</div>
{{if .Live}}<div id="agenda-panel" aria-live="polite" data-name="{{.AgendaName}}">
<p id="agenda-none">{{.W.AgendaNone}}</p>
<div id="agenda-links" hidden>
<p><strong id="agenda-count"></strong></p>
<p><a id="agenda-webcal">{{.W.Webcal}}</a><a id="agenda-google">{{.W.Google}}</a><a id="agenda-outlook" title="{{.W.OutlookTitle}}">{{.W.Outlook}}</a><a id="agenda-outlook-work" title="{{.W.OutlookWorkTitle}}">{{.W.OutlookWork}}</a><a id="agenda-download" download>{{.W.Download}}</a>{{if .SyncStart}}<a id="agenda-sync" data-start="{{.SyncStart}}" title="{{.W.SyncGoogleTitle}}">{{.W.SyncGoogle}}</a>{{end}}<button type="button" id="agenda-clear">{{.W.Clear}}</button></p>
<p><label for="agenda-url">{{.W.AgendaLink}}</label> <span class="mute">({{.W.AgendaFromURL}}<a href="{{.GoogleFromURL}}">{{.W.FromURL}}</a>{{.W.FromURLEnd}})</span><br><input type="url" id="agenda-url" readonly> <button type="button" id="agenda-copy">{{.W.Copy}}</button> <span id="agenda-copied" role="status"></span></p>
</div>
<noscript><button type="submit">{{.W.DownloadAgenda}}</button>{{if .SyncStart}} <button type="submit" formaction="{{.SyncStart}}" title="{{.W.SyncGoogleTitle}}">{{.W.SyncGoogle}}</button>{{end}}</noscript>
</div>
</form>{{end}}
</section>
<section id="subscribe" aria-labelledby="subscribe-h">
<h2 id="subscribe-h">{{.W.Subscribe}}</h2>
<p class="mute">{{.W.SubscribeIntro}} {{.W.GoogleHint}}<a href="{{.GoogleFromURL}}">{{.W.FromURL}}</a>{{.W.GoogleHintEnd}}</p>
{{range .Groups}}<details{{if .Open}} open{{end}}>
<summary>{{.Title}} <span class="mute">({{len .Feeds}})</span></summary>
<ul class="feeds">
{{range .Feeds}}<li><span>{{with .Colour}}<span class="sw" style="--t:{{.}}"></span>{{end}}{{.Title}}</span><span class="n">{{.Count}}</span>
<span class="act" data-feed="{{.Path}}" data-name="{{.Name}}"><a class="w"{{if $.Absolute}} href="{{.Links.Webcal}}"{{else}} hidden{{end}}>{{$.W.Webcal}}</a><a class="g"{{if $.Absolute}} href="{{.Links.Google}}"{{else}} hidden{{end}}>{{$.W.Google}}</a><a class="o" title="{{$.W.OutlookTitle}}"{{if $.Absolute}} href="{{.Links.Outlook}}"{{else}} hidden{{end}}>{{$.W.Outlook}}</a><a class="ow" title="{{$.W.OutlookWorkTitle}}"{{if $.Absolute}} href="{{.Links.OutlookWork}}"{{else}} hidden{{end}}>{{$.W.OutlookWork}}</a><a class="d" href="{{.Links.Download}}" download>{{$.W.Download}}</a><a class="u"{{if $.Absolute}} href="{{.Links.HTTPS}}"{{else}} hidden{{end}}>{{$.W.Address}}</a>{{if $.SyncStart}}<a class="sg" href="{{$.SyncStart}}?feed={{.Path}}" title="{{$.W.SyncGoogleTitle}}">{{$.W.SyncGoogle}}</a>{{end}}</span></li>
{{end}}</ul>
</details>
{{end}}</section>
</main>
<footer class="mute"><p>{{.Sessions}} · <a href="feeds.json">feeds.json</a> · {{.W.MadeWith}}</p></footer>
<script>
` + pageScript + `</script>
</body>
</html>
{{end}}`

const sessionHTML = `{{define "session"}}{{$live := .Live}}{{$w := .W}}{{with .S}}<div class="s{{with .Keys}} {{.}}{{end}}{{if .Cancelled}} x{{end}}{{if .Elsewhere}} o{{end}}"{{with .Pos}} style="{{.}}"{{end}} data-key="{{.Key}}" data-start="{{.Start}}" data-end="{{.End}}">
{{if and $live (not .Ghost)}}<label><input type="checkbox" name="session" value="{{.ID}}"> <span class="ti">{{.Title}}</span></label>{{else}}<span class="ti">{{.Title}}</span>{{end}}
{{if .Cancelled}}<span class="st">{{$w.Cancelled}}</span>{{else if .Tentative}}<span class="st">{{$w.Tentative}}</span>{{end}}
<span class="w">{{.When}}</span>{{with .Subtitle}}<span class="sp">{{.}}</span>{{end}}{{with .Place}}<span class="pl">{{.}}</span>{{end}}{{with .Speakers}}<span class="sp">{{.}}</span>{{end}}{{with .Tracks}}<span class="tr">{{range .}}<i{{with .Colour}} style="--c:{{.}}"{{end}}>{{.Name}}</i>{{end}}</span>{{end}}
{{if not .Ghost}}<a class="add" href="{{.Link}}">{{$w.AddToCalendar}}</a>{{end}}
</div>
{{end}}{{end}}`

const noticeHTML = `{{define "notice"}}<!doctype html>
<html lang="{{.W.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="confcal">
<title>{{.Heading}} · {{.Name}}</title>
<style>
{{template "style"}}main{max-width:40rem;margin:2rem 0}
</style>
</head>
<body>
<header><p class="dates">{{.Name}}</p></header>
<main>
<h1>{{.Heading}}</h1>
<p>{{.Message}}</p>
{{with .Detail}}<p class="mute">{{.}}</p>{{end}}
<p><a href="./#programme">{{.W.Back}}</a></p>
</main>
</body>
</html>
{{end}}`

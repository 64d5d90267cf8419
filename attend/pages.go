package attend

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
)

type sessionLine struct {
	ID, Title, When string
	Chosen          bool
}

type feedOption struct {
	Path, Title string
	Chosen      bool
}

type resultPage struct {
	Title, Name      string
	Choice           []sessionLine
	Manage, Calendar string
	Result           string
	Failed           bool
}

type managePage struct {
	Title          string
	Sub            *Subscription
	Status, Reason string
	LastSync       string
	Problem        string // the selection no longer fits
	Choice, All    []sessionLine
	Feed           string
	Feeds          []feedOption
	CSRF, Action   string
	Calendar       string
}

type deletedPage struct {
	Title string
	Notes []string
}

type failPage struct {
	Title, Message, Home string
}

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.mute{color:#59636e}ul{padding-left:1.2rem}button{font:inherit;padding:.3rem .8rem;margin:.2rem 0}
.warn{background:#fff8c5;padding:.5rem .8rem;border-radius:6px}code{word-break:break-all}
fieldset{border:1px solid #d1d9e0;border-radius:6px;margin:1rem 0}</style></head><body>
<h1>{{.Title}}</h1>{{end}}
{{define "fail"}}{{template "head" .}}<p id="message">{{.Message}}</p><p><a id="home" href="{{.Home}}">Back to the programme</a></p></body></html>{{end}}
{{define "result"}}{{template "head" .}}
{{if .Failed}}<p class="warn" id="message">Your calendar “{{.Name}}” is made; its first sync did not finish ({{.Result}}) and will be tried again within minutes.</p>
{{else}}<p id="message">Your Google calendar “{{.Name}}” holds these {{len .Choice}} sessions, and confcal keeps it current: a change of time or room reaches it within minutes.</p>{{end}}
<ul id="sessions">{{range .Choice}}<li>{{.When}}: {{.Title}}</li>{{end}}</ul>
<p><a id="calendar" href="{{.Calendar}}">Open it in Google Calendar</a></p>
<p><strong>Keep this link</strong>: it is the only way to change or stop the sync, and it is also in the calendar's description.<br>
<a id="manage" href="{{.Manage}}"><code>{{.Manage}}</code></a></p></body></html>{{end}}
{{define "manage"}}{{template "head" .}}
<p>Calendar “{{.Sub.CalendarName}}” <a href="{{.Calendar}}">in Google Calendar</a>. Status: <strong id="status">{{.Status}}</strong>{{with .Reason}} ({{.}}){{end}}</p>
{{if eq .Status "broken"}}<p class="warn">The sync is stopped until you reconnect. <a id="reconnect" href="{{.Action}}/reconnect">Reconnect with Google</a></p>{{end}}
<p>Last sync: <span id="last-sync">{{or .LastSync "not yet"}}</span>{{with .Sub.Sync.Result}}, <span id="last-result">{{.}}</span>{{end}}</p>
{{with .Problem}}<p class="warn">The selection no longer fits the programme: {{.}}</p>{{end}}
<h2>What is synced</h2><ul id="sessions">{{range .Choice}}<li>{{.When}}: {{.Title}}</li>{{end}}</ul>
<form method="post" action="{{.Action}}/sync"><input type="hidden" name="csrf" value="{{.CSRF}}"><button id="sync-now">Sync now</button></form>
<form method="post" action="{{.Action}}/selection"><input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>Change the selection</legend>
<p><label>A whole feed: <select name="feed"><option value="">(the sessions ticked below)</option>
{{range .Feeds}}<option value="{{.Path}}"{{if .Chosen}} selected{{end}}>{{.Title}}</option>{{end}}</select></label></p>
<ul>{{range .All}}<li><label><input type="checkbox" name="session" value="{{.ID}}"{{if .Chosen}} checked{{end}}> {{.When}}: {{.Title}}</label></li>{{end}}</ul>
<button id="change">Save the selection</button></fieldset></form>
{{if eq .Status "stopped"}}<form method="post" action="{{.Action}}/resume"><input type="hidden" name="csrf" value="{{.CSRF}}"><button id="resume">Resume the sync</button></form>
{{else}}<form method="post" action="{{.Action}}/stop"><input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>Stop syncing</legend><label><input type="radio" name="calendar" value="keep" checked> keep the calendar as it is</label><br>
<label><input type="radio" name="calendar" value="delete"> delete the calendar</label><br><button id="stop">Stop</button></fieldset></form>{{end}}
<form method="post" action="{{.Action}}/delete"><input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>Delete everything</legend><p class="mute">Deletes what this server stores about this sync and revokes its access to your Google account.</p>
<label><input type="checkbox" name="calendar" value="delete"> also delete the calendar</label><br><button id="delete">Delete everything</button></fieldset></form>
</body></html>{{end}}
{{define "deleted"}}{{template "head" .}}<p id="message">Everything this server stored about your sync is deleted, and its access to your Google account is revoked.</p>
{{range .Notes}}<p class="warn">{{.}}</p>{{end}}</body></html>{{end}}
`))

// page renders one of the attendee pages. They carry secrets (a manage
// link) or personal data: never cached, never sent as a referrer.
func (web *Web) page(w http.ResponseWriter, code int, name string, data any) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		web.log.Error("attendee page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// fail answers a page that says what went wrong and what to do.
func (web *Web) fail(w http.ResponseWriter, code int, title, message string) {
	web.page(w, code, "fail", failPage{Title: title, Message: message, Home: web.opts.BaseURL.String()})
}

package attend

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/confcal/confcal/sync/google"
)

// manage shows a subscription: its selection, its last sync, and the
// forms to change it.
func (web *Web) manage(w http.ResponseWriter, r *http.Request) {
	s, token, ok := web.subscription(w, r)
	if !ok {
		return
	}
	set := web.opts.Edition()
	d := managePage{Title: "Your Google Calendar sync", Sub: s, Status: string(s.Status), Reason: s.Reason,
		CSRF: web.csrf(s), Action: web.manageURL(token), Calendar: google.CalendarURL(s.Calendar)}
	if !s.Sync.At.IsZero() {
		d.LastSync = s.Sync.At.Format("Mon 2 Jan 2006 15:04 MST")
	}
	if set != nil {
		chosen := map[string]bool{}
		if c, err := ResolveStored(set, s.Selection); err == nil {
			d.Choice = web.describe(set, c)
			for _, l := range d.Choice {
				chosen[l.ID] = true
			}
		} else {
			d.Problem = err.Error()
		}
		q, _ := url.ParseQuery(s.Selection)
		d.Feed = q.Get("feed")
		for _, l := range web.describe(set, &Choice{Sessions: set.Programme.Sessions}) {
			l.Chosen = chosen[l.ID] && d.Feed == ""
			d.All = append(d.All, l)
		}
		for _, f := range set.Feeds {
			d.Feeds = append(d.Feeds, feedOption{Path: f.Slug + ".ics", Title: f.Title, Chosen: f.Slug+".ics" == d.Feed})
		}
	}
	web.page(w, http.StatusOK, "manage", d)
}

// csrf is the token the manage forms carry, made from the
// subscription's manage hash, so that only a page this server rendered
// for that link can post to it.
func (web *Web) csrf(s *Subscription) string {
	return web.opts.Keys.CSRFToken(hex.EncodeToString(s.ManageHash))
}

// act runs the action of a manage form: sync, selection, stop, resume,
// delete.
func (web *Web) act(w http.ResponseWriter, r *http.Request) {
	s, token, ok := web.subscription(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		web.fail(w, http.StatusBadRequest, "Form not understood", "The form could not be read: "+err.Error())
		return
	}
	if !web.opts.Keys.CheckCSRF(hex.EncodeToString(s.ManageHash), r.PostForm.Get("csrf")) {
		web.fail(w, http.StatusForbidden, "Form refused", "This form was not sent from your manage page: open the page again and use its buttons.")
		return
	}
	ctx := r.Context()
	back := web.manageURL(token)
	var err error
	switch r.PathValue("action") {
	case "sync":
		err = web.enqueue(r, s, true)
	case "selection":
		if !web.changeSelection(w, r, s) {
			return
		}
	case "stop":
		err = web.opts.Store.SetStatus(ctx, s.ID, Stopped, "You stopped the sync.")
		if err == nil && r.PostForm.Get("calendar") == "delete" {
			err = web.deleteCalendar(r, s)
		}
	case "resume":
		if err = web.opts.Store.SetStatus(ctx, s.ID, Active, ""); err == nil {
			err = web.enqueue(r, s, true)
		}
	case "delete":
		web.deleteAll(w, r, s)
		return
	default:
		web.fail(w, http.StatusNotFound, "No such action", "The manage page has no such button.")
		return
	}
	if err != nil {
		web.internal(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (web *Web) enqueue(r *http.Request, s *Subscription, force bool) error {
	if err := web.opts.Store.Enqueue(r.Context(), s.ID, web.opts.Now(), force); err != nil {
		return err
	}
	web.opts.Worker.Notify()
	return nil
}

// changeSelection replaces the selection with the form's: a feed, or the
// ticked sessions.
func (web *Web) changeSelection(w http.ResponseWriter, r *http.Request, s *Subscription) bool {
	q := url.Values{}
	if f := r.PostForm.Get("feed"); f != "" {
		q.Set("feed", f)
	} else {
		ids := slices.Clone(r.PostForm["session"])
		slices.Sort(ids)
		q.Set("session", strings.Join(slices.Compact(ids), ","))
	}
	set := web.opts.Edition()
	if set == nil {
		web.fail(w, http.StatusServiceUnavailable, "Not ready", "The programme is not loaded yet: try again in a moment.")
		return false
	}
	c, err := Resolve(set, q)
	if err != nil {
		web.fail(w, http.StatusBadRequest, "Selection not changed", "This selection does not fit the programme: "+err.Error()+".")
		return false
	}
	if err := web.opts.Store.SetSelection(r.Context(), s.ID, c.Selection, s.CalendarName); err != nil {
		web.internal(w, err)
		return false
	}
	if err := web.enqueue(r, s, false); err != nil {
		web.internal(w, err)
		return false
	}
	return true
}

// deleteCalendar deletes the attendee's calendar at Google.
func (web *Web) deleteCalendar(r *http.Request, s *Subscription) error {
	refresh, err := openToken(web.opts.Keys, s)
	if err != nil {
		return err
	}
	cal, err := web.opts.Google.calendar(r.Context(), refresh, s.Calendar, nil)
	if err != nil {
		return err
	}
	return cal.DeleteCalendar(r.Context())
}

// deleteAll deletes the calendar if asked, revokes the grant at Google,
// and deletes everything stored about the subscription.
func (web *Web) deleteAll(w http.ResponseWriter, r *http.Request, s *Subscription) {
	ctx := r.Context()
	var notes []string
	if r.PostForm.Get("calendar") == "delete" && s.Status != Broken {
		if err := web.deleteCalendar(r, s); err != nil {
			notes = append(notes, "The calendar could not be deleted ("+err.Error()+"): delete it in Google Calendar's settings.")
		}
	}
	if refresh, err := openToken(web.opts.Keys, s); err == nil {
		if err := web.opts.Google.Revoke(ctx, refresh); err != nil {
			web.log.Warn("attendee delete: revoke", "subscription", s.ID, "err", err)
			notes = append(notes, "Google did not confirm that the access was revoked: remove this site from your Google account's third-party access.")
		}
	}
	if err := web.opts.Store.Delete(ctx, s.ID); err != nil {
		web.internal(w, err)
		return
	}
	web.log.Info("attendee deleted", "subscription", s.ID)
	web.page(w, http.StatusOK, "deleted", deletedPage{Title: "Deleted", Notes: notes})
}

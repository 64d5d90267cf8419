package googletest

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"

	calendar "google.golang.org/api/calendar/v3"
)

// With RequireAuth, every Calendar API request needs a live access token
// (401 otherwise, as at Google) whose scopes allow the method (403
// insufficientPermissions otherwise). A token sees only its user's
// calendars, and with calendar.app.created alone only those its client
// created: the others answer 404, and calendarList leaves them out.

const scopePrefix = "https://www.googleapis.com/auth/"

// opScopes are the scopes that allow each API method.
var opScopes = map[string][]string{
	"calendars.insert":  {"calendar", "calendar.app.created"},
	"calendars.get":     {"calendar", "calendar.readonly", "calendar.app.created"},
	"calendars.delete":  {"calendar", "calendar.app.created"},
	"calendarList.list": {"calendar", "calendar.readonly", "calendar.calendarlist.readonly", "calendar.app.created"},
	"events.list":       {"calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly", "calendar.app.created"},
	"events.get":        {"calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly", "calendar.app.created"},
	"events.insert":     {"calendar", "calendar.events", "calendar.app.created"},
	"events.update":     {"calendar", "calendar.events", "calendar.app.created"},
	"events.patch":      {"calendar", "calendar.events", "calendar.app.created"},
	"events.delete":     {"calendar", "calendar.events", "calendar.app.created"},
}

// viewer is who a request acts as, in auth mode.
type viewer struct {
	key grantKey
	// appOnly: the token's only scope that allows the method is
	// calendar.app.created, so it sees only its client's calendars.
	appOnly bool
}

type viewerKey struct{}

func viewerOf(r *http.Request) *viewer {
	v, _ := r.Context().Value(viewerKey{}).(*viewer)
	return v
}

func (v *viewer) sees(c *fakeCalendar) bool {
	return c.owner == v.key.user && (!v.appOnly || c.app == v.key.client)
}

const realm = `Bearer realm="https://accounts.google.com/"`

// admit checks the access token of a request to API method op, with s.mu
// held, and returns the request carrying its viewer.
func (s *Server) admit(r *http.Request, op string) (*http.Request, *apiError) {
	if !s.auth.required {
		return r, nil
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || bearer == "" {
		e := errorf(http.StatusUnauthorized, "required", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		e.header = map[string]string{"WWW-Authenticate": realm}
		return nil, e
	}
	t, known := s.auth.access[bearer]
	if !known || t.revoked || !s.now().Before(t.expiry) {
		e := errorf(http.StatusUnauthorized, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		e.header = map[string]string{"WWW-Authenticate": realm + `, error="invalid_token"`}
		return nil, e
	}
	var allowing []string
	for _, sc := range opScopes[op] {
		if slices.Contains(t.scopes, scopePrefix+sc) {
			allowing = append(allowing, sc)
		}
	}
	if len(allowing) == 0 {
		e := errorf(http.StatusForbidden, "insufficientPermissions", "Request had insufficient authentication scopes.")
		e.header = map[string]string{"WWW-Authenticate": realm + `, error="insufficient_scope"`}
		return nil, e
	}
	v := &viewer{key: t.key, appOnly: len(allowing) == 1 && allowing[0] == "calendar.app.created"}
	return r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)), nil
}

// calendarAs returns calendar id as the request's viewer may see it, with
// s.mu held: "primary" is the viewer's own.
func (s *Server) calendarAs(r *http.Request, id string) (*fakeCalendar, *apiError) {
	v := viewerOf(r)
	if v == nil {
		return s.calendarFor(id)
	}
	if id == "primary" {
		id = v.key.user
	}
	c, ok := s.calendars[id]
	if !ok && id == v.key.user {
		c = s.newCalendar(id, id, "UTC")
		c.owner = id
	}
	if c == nil || !v.sees(c) {
		return nil, errorf(http.StatusNotFound, "notFound", "Not Found")
	}
	return c, nil
}

// listCalendars serves calendarList.list: the calendars the viewer sees.
func (s *Server) listCalendars(r *http.Request) (int, any, *apiError) {
	v := viewerOf(r)
	var items []*calendar.CalendarListEntry
	for _, c := range s.calendars {
		if v != nil && !v.sees(c) {
			continue
		}
		items = append(items, &calendar.CalendarListEntry{Kind: "calendar#calendarListEntry", Id: c.meta.Id,
			Summary: c.meta.Summary, Description: c.meta.Description, TimeZone: c.meta.TimeZone, Etag: c.meta.Etag,
			AccessRole: "owner", Primary: c.meta.Id == c.owner})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Id < items[j].Id })
	return http.StatusOK, &calendar.CalendarList{Kind: "calendar#calendarList", Etag: s.etag(), Items: items}, nil
}

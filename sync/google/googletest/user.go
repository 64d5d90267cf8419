package googletest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"time"

	calendar "google.golang.org/api/calendar/v3"
)

// AddCalendar creates a calendar, as a user would in the web interface,
// and returns its id.
func (s *Server) AddCalendar(summary, tz string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calSeq++
	return s.newCalendar(fmt.Sprintf("u%024d@group.calendar.google.com", s.calSeq), summary, tz).meta.Id
}

// AddCalendarFor creates a calendar of user, as the user would in the web
// interface, and returns its id.
func (s *Server) AddCalendarFor(user, summary, tz string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calSeq++
	c := s.newCalendar(fmt.Sprintf("u%024d@group.calendar.google.com", s.calSeq), summary, tz)
	c.owner = user
	return c.meta.Id
}

// CalendarOwner returns the user whose calendar id is and the OAuth
// client that created it ("" when a user or an unauthenticated request
// did).
func (s *Server) CalendarOwner(id string) (user, client string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[id]
	if !ok {
		return "", "", false
	}
	return c.owner, c.app, true
}

// RemoveCalendar deletes calendar id as its user would in the web
// interface; it reports whether there was one.
func (s *Server) RemoveCalendar(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.calendars[id]
	delete(s.calendars, id)
	return ok
}

// HasCalendar reports whether calendar id exists.
func (s *Server) HasCalendar(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.calendars[id]
	return ok || id == "primary" || id == Primary
}

// Calendars returns the ids of every calendar, sorted.
func (s *Server) Calendars() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.calendars {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// CalendarMeta returns calendar id's metadata.
func (s *Server) CalendarMeta(id string) (calendar.Calendar, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calendars[id]
	if !ok {
		return calendar.Calendar{}, false
	}
	return c.meta, true
}

// PutEvent stores ev in calendar cal as a user or another program would,
// without id rules: for foreign events. It returns the stored id.
func (s *Server) PutEvent(cal string, ev *calendar.Event) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.calendarFor(cal)
	if aerr != nil {
		return "", aerr
	}
	ev = copyEvent(ev)
	if ev.Id == "" {
		ev.Id = fmt.Sprintf("user%07d", s.seq+1)
	}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	ev.Kind = "calendar#event"
	if ev.Created == "" {
		ev.Created = s.stamp()
	}
	st, ok := c.events[ev.Id]
	if !ok {
		st = &stored{}
		c.events[ev.Id] = st
		c.order = append(c.order, ev.Id)
	}
	st.ev = ev
	s.touch(c, st)
	return ev.Id, nil
}

// EditEvent changes event id of calendar cal as a user would: edit may
// change any field; the event gets a new ETag.
func (s *Server) EditEvent(cal, id string, edit func(*calendar.Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.calendarFor(cal)
	if aerr != nil {
		return aerr
	}
	st, ok := c.events[id]
	if !ok {
		return fmt.Errorf("no event %s", id)
	}
	ev := copyEvent(st.ev)
	edit(ev)
	ev.Id = id
	st.ev = ev
	s.touch(c, st)
	return nil
}

// DeleteEvent deletes event id of calendar cal as a user would, leaving a
// tombstone.
func (s *Server) DeleteEvent(cal, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.calendarFor(cal)
	if aerr != nil {
		return aerr
	}
	st, ok := c.events[id]
	if !ok || st.ev.Status == "cancelled" {
		return fmt.Errorf("no live event %s", id)
	}
	s.tombstone(c, st)
	return nil
}

// Events returns copies of every event of calendar cal, tombstones
// included, in creation order.
func (s *Server) Events(cal string) []*calendar.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.calendarFor(cal)
	if aerr != nil {
		return nil
	}
	var out []*calendar.Event
	for _, id := range c.order {
		out = append(out, copyEvent(c.events[id].ev))
	}
	return out
}

// Snapshot returns the JSON of every event of calendar cal by id, to
// compare events byte for byte.
func (s *Server) Snapshot(cal string) map[string]string {
	out := map[string]string{}
	for _, ev := range s.Events(cal) {
		b, _ := json.Marshal(ev)
		out[ev.Id] = string(b)
	}
	return out
}

// ForceFullSync makes the next events.list with a sync token of calendar
// cal answer 410 fullSyncRequired.
func (s *Server) ForceFullSync(cal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := s.calendarFor(cal); err == nil {
		c.forceFull = true
	}
}

// state is the fake's persistent form.
type state struct {
	Seq       int64           `json:"seq"`
	CalSeq    int             `json:"cal_seq"`
	Calendars []calendarState `json:"calendars"`
	Requests  []Request       `json:"requests,omitempty"`
	Auth      *authState      `json:"auth,omitempty"`
}

// authState is the authorization server's persistent form: clients and
// live tokens (pending consents and codes are not kept).
type authState struct {
	Required bool                  `json:"required,omitempty"`
	User     string                `json:"user"`
	Lifetime time.Duration         `json:"lifetime"`
	Clients  []Client              `json:"clients"`
	Refresh  map[string]tokenState `json:"refresh,omitempty"`
	Access   map[string]tokenState `json:"access,omitempty"`
}

type tokenState struct {
	Client  string    `json:"client"`
	User    string    `json:"user"`
	Scopes  []string  `json:"scopes"`
	Expiry  time.Time `json:"expiry,omitzero"`
	Revoked bool      `json:"revoked,omitempty"`
}

// saveAuth returns the authorization server's state, nil when no client
// is registered, with s.mu held.
func (s *Server) saveAuth() *authState {
	a := &s.auth
	if len(a.clients) == 0 {
		return nil
	}
	st := &authState{Required: a.required, User: a.user, Lifetime: a.lifetime,
		Refresh: map[string]tokenState{}, Access: map[string]tokenState{}}
	for _, id := range slices.Sorted(maps.Keys(a.clients)) {
		st.Clients = append(st.Clients, *a.clients[id])
	}
	for tok, t := range a.refresh {
		st.Refresh[tok] = tokenState{Client: t.key.client, User: t.key.user, Scopes: t.scopes, Revoked: t.revoked}
	}
	for tok, t := range a.access {
		st.Access[tok] = tokenState{Client: t.key.client, User: t.key.user, Scopes: t.scopes, Expiry: t.expiry, Revoked: t.revoked}
	}
	return st
}

// loadAuth restores what saveAuth saved, with s.mu held.
func (s *Server) loadAuth(st *authState) {
	a := newOAuth()
	a.required, a.user, a.lifetime = st.Required, st.User, st.Lifetime
	for _, c := range st.Clients {
		a.clients[c.ID] = &c
	}
	for tok, t := range st.Refresh {
		a.refresh[tok] = &refreshToken{key: grantKey{t.Client, t.User}, scopes: t.Scopes, revoked: t.Revoked}
	}
	for tok, t := range st.Access {
		a.access[tok] = &accessToken{key: grantKey{t.Client, t.User}, scopes: t.Scopes, expiry: t.Expiry, revoked: t.Revoked}
	}
	s.auth = a
}

type calendarState struct {
	Meta   calendar.Calendar `json:"meta"`
	Owner  string            `json:"owner,omitempty"`
	App    string            `json:"app,omitempty"`
	Events []eventState      `json:"events"`
}

type eventState struct {
	Seq   int64           `json:"seq"`
	Event *calendar.Event `json:"event"`
}

// Save writes the fake's calendars, events, request log and, once a
// client is registered, the authorization server's clients and tokens to
// file, so that a later process can Load them: for command-line tests
// that run confcal several times against one calendar.
func (s *Server) Save(file string) error {
	s.mu.Lock()
	st := state{Seq: s.seq, CalSeq: s.calSeq, Requests: s.requests, Auth: s.saveAuth()}
	ids := make([]string, 0, len(s.calendars))
	for id := range s.calendars {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := s.calendars[id]
		cs := calendarState{Meta: c.meta, Owner: c.owner, App: c.app}
		for _, eid := range c.order {
			cs.Events = append(cs.Events, eventState{Seq: c.events[eid].seq, Event: c.events[eid].ev})
		}
		st.Calendars = append(st.Calendars, cs)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o600)
}

// Load replaces the fake's calendars, events, request log and
// authorization server with those saved in file. A missing file leaves
// the fake empty.
func (s *Server) Load(file string) error {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("load fake state %s: %w", file, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq, s.calSeq, s.requests = st.Seq, st.CalSeq, st.Requests
	if st.Auth != nil {
		s.loadAuth(st.Auth)
	}
	s.calendars = map[string]*fakeCalendar{}
	for _, cs := range st.Calendars {
		c := &fakeCalendar{meta: cs.Meta, events: map[string]*stored{}, owner: cs.Owner, app: cs.App}
		if c.owner == "" {
			c.owner = Primary
		}
		for _, es := range cs.Events {
			c.events[es.Event.Id] = &stored{ev: es.Event, seq: es.Seq}
			c.order = append(c.order, es.Event.Id)
		}
		s.calendars[cs.Meta.Id] = c
	}
	return nil
}

package googletest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	calendar "google.golang.org/api/calendar/v3"
)

// Primary is the id of the calendar every fake has from the start; the
// alias "primary" names it too.
const Primary = "user@example.com"

func (s *Server) calendarFor(id string) (*fakeCalendar, *apiError) {
	if id == "primary" {
		id = Primary
	}
	c, ok := s.calendars[id]
	if !ok {
		if id == Primary {
			c = s.newCalendar(Primary, "user@example.com", "UTC")
			return c, nil
		}
		return nil, errorf(http.StatusNotFound, "notFound", "Not Found")
	}
	return c, nil
}

func (s *Server) newCalendar(id, summary, tz string) *fakeCalendar {
	s.seq++
	c := &fakeCalendar{
		meta:   calendar.Calendar{Kind: "calendar#calendar", Id: id, Summary: summary, TimeZone: tz, Etag: s.etag()},
		events: map[string]*stored{},
	}
	c.owner = Primary
	s.calendars[id] = c
	return c
}

func (s *Server) etag() string { return fmt.Sprintf("\"%d\"", 3418937687470000+s.seq) }

func (s *Server) stamp() string { return s.now().UTC().Format("2006-01-02T15:04:05.000Z") }

func decode(r *http.Request, v any) *apiError {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errorf(http.StatusBadRequest, "parseError", "Parse Error")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errorf(http.StatusBadRequest, "parseError", "Parse Error")
	}
	return nil
}

func (s *Server) insertCalendar(r *http.Request) (int, any, *apiError) {
	var c calendar.Calendar
	if err := decode(r, &c); err != nil {
		return 0, nil, err
	}
	if c.Summary == "" {
		return 0, nil, errorf(http.StatusBadRequest, "required", "Missing title.")
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	} else if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid time zone definition for calendar.")
	}
	s.calSeq++
	fc := s.newCalendar(fmt.Sprintf("c%024d@group.calendar.google.com", s.calSeq), c.Summary, c.TimeZone)
	fc.meta.Description = c.Description
	if v := viewerOf(r); v != nil {
		fc.owner, fc.app = v.key.user, v.key.client
	}
	out := fc.meta
	return http.StatusOK, &out, nil
}

func (s *Server) getCalendar(r *http.Request) (int, any, *apiError) {
	c, err := s.calendarAs(r, r.PathValue("cal"))
	if err != nil {
		return 0, nil, err
	}
	out := c.meta
	return http.StatusOK, &out, nil
}

func (s *Server) deleteCalendar(r *http.Request) (int, any, *apiError) {
	id := r.PathValue("cal")
	if id == "primary" || id == Primary {
		return 0, nil, errorf(http.StatusBadRequest, "cannotDeletePrimaryCalendar", "Cannot delete primary calendar.")
	}
	if v := viewerOf(r); v != nil && id == v.key.user {
		return 0, nil, errorf(http.StatusBadRequest, "cannotDeletePrimaryCalendar", "Cannot delete primary calendar.")
	}
	c, err := s.calendarAs(r, id)
	if err != nil {
		return 0, nil, err
	}
	id = c.meta.Id
	delete(s.calendars, id)
	return http.StatusNoContent, nil, nil
}

// validID applies Google's rule for client-chosen ids: base32hex (a-v,
// 0-9), 5 to 1024 characters.
func validID(id string) bool {
	if len(id) < 5 || len(id) > 1024 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkTimes applies Google's rules for start and end.
func checkTimes(ev *calendar.Event) *apiError {
	if ev.Start == nil {
		return errorf(http.StatusBadRequest, "required", "Missing start time.")
	}
	if ev.End == nil {
		return errorf(http.StatusBadRequest, "required", "Missing end time.")
	}
	a, aok, err1 := instant(ev.Start)
	b, bok, err2 := instant(ev.End)
	if err1 != nil || err2 != nil {
		return errorf(http.StatusBadRequest, "invalid", "Invalid start or end time.")
	}
	if aok != bok {
		return errorf(http.StatusBadRequest, "invalid", "Start and end times must either both be date or both be dateTime.")
	}
	if b.Before(a) {
		return errorf(http.StatusBadRequest, "timeRangeEmpty", "The specified time range is empty.")
	}
	return nil
}

// instant parses an EventDateTime; timed says whether it has a clock time.
func instant(t *calendar.EventDateTime) (at time.Time, timed bool, err error) {
	switch {
	case t.DateTime != "":
		if t.TimeZone != "" {
			if _, err := time.LoadLocation(t.TimeZone); err != nil {
				return time.Time{}, true, err
			}
		}
		at, err = time.Parse(time.RFC3339, t.DateTime)
		if err != nil && t.TimeZone != "" {
			loc, _ := time.LoadLocation(t.TimeZone)
			at, err = time.ParseInLocation("2006-01-02T15:04:05", t.DateTime, loc)
		}
		return at, true, err
	case t.Date != "":
		at, err = time.Parse(time.DateOnly, t.Date)
		return at, false, err
	}
	return time.Time{}, false, fmt.Errorf("no time")
}

func (s *Server) touch(c *fakeCalendar, st *stored) {
	s.seq++
	st.seq = s.seq
	st.ev.Etag = s.etag()
	st.ev.Updated = s.stamp()
}

func (s *Server) insertEvent(r *http.Request) (int, any, *apiError) {
	c, aerr := s.calendarAs(r, r.PathValue("cal"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var ev calendar.Event
	if err := decode(r, &ev); err != nil {
		return 0, nil, err
	}
	if ev.Id == "" {
		ev.Id = fmt.Sprintf("gen%07d", s.seq+1)
	} else if !validID(ev.Id) {
		return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid resource id value.")
	}
	if _, taken := c.events[ev.Id]; taken {
		return 0, nil, errorf(http.StatusConflict, "duplicate", "The requested identifier already exists.")
	}
	if err := checkTimes(&ev); err != nil {
		return 0, nil, err
	}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	ev.Kind = "calendar#event"
	ev.Created = s.stamp()
	ev.ICalUID = ev.Id + "@google.com"
	ev.HtmlLink = "https://www.google.com/calendar/event?eid=" + base64.RawURLEncoding.EncodeToString([]byte(ev.Id))
	ev.Creator = &calendar.EventCreator{Email: c.owner}
	ev.Organizer = &calendar.EventOrganizer{Email: c.meta.Id, DisplayName: c.meta.Summary, Self: true}
	st := &stored{ev: &ev}
	c.events[ev.Id] = st
	c.order = append(c.order, ev.Id)
	s.touch(c, st)
	return http.StatusOK, copyEvent(&ev), nil
}

func copyEvent(ev *calendar.Event) *calendar.Event {
	b, _ := json.Marshal(ev)
	var out calendar.Event
	json.Unmarshal(b, &out)
	return &out
}

func (s *Server) findEvent(r *http.Request) (*fakeCalendar, *stored, *apiError) {
	c, aerr := s.calendarAs(r, r.PathValue("cal"))
	if aerr != nil {
		return nil, nil, aerr
	}
	st, ok := c.events[r.PathValue("id")]
	if !ok {
		return c, nil, errorf(http.StatusNotFound, "notFound", "Not Found")
	}
	return c, st, nil
}

func (s *Server) getEvent(r *http.Request) (int, any, *apiError) {
	_, st, aerr := s.findEvent(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if m := r.Header.Get("If-None-Match"); m != "" && m == st.ev.Etag {
		return 0, nil, &apiError{code: http.StatusNotModified, reason: "notModified", message: "Not Modified"}
	}
	return http.StatusOK, copyEvent(st.ev), nil
}

func checkIfMatch(r *http.Request, st *stored) *apiError {
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && m != st.ev.Etag {
		return errorf(http.StatusPreconditionFailed, "conditionNotMet", "Precondition Failed")
	}
	return nil
}

func (s *Server) updateEvent(r *http.Request) (int, any, *apiError) {
	c, st, aerr := s.findEvent(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if err := checkIfMatch(r, st); err != nil {
		return 0, nil, err
	}
	var ev calendar.Event
	if err := decode(r, &ev); err != nil {
		return 0, nil, err
	}
	if ev.Id != "" && ev.Id != st.ev.Id {
		return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid resource id value.")
	}
	if err := checkTimes(&ev); err != nil {
		return 0, nil, err
	}
	s.replace(c, st, &ev)
	return http.StatusOK, copyEvent(st.ev), nil
}

// replace puts ev in place of st's event, keeping what the server owns.
func (s *Server) replace(c *fakeCalendar, st *stored, ev *calendar.Event) {
	old := st.ev
	ev.Id, ev.Kind, ev.ICalUID, ev.HtmlLink = old.Id, "calendar#event", old.Id+"@google.com", "https://www.google.com/calendar/event?eid="+base64.RawURLEncoding.EncodeToString([]byte(old.Id))
	ev.Created = old.Created
	if ev.Created == "" {
		ev.Created = s.stamp()
	}
	ev.Creator = &calendar.EventCreator{Email: c.owner}
	ev.Organizer = &calendar.EventOrganizer{Email: c.meta.Id, DisplayName: c.meta.Summary, Self: true}
	if ev.Status == "" {
		ev.Status = "confirmed"
	}
	ev.Sequence = old.Sequence
	if !sameTimes(old, ev) {
		ev.Sequence++
	}
	st.ev = ev
	s.touch(c, st)
}

func sameTimes(a, b *calendar.Event) bool {
	ja, _ := json.Marshal([]any{a.Start, a.End})
	jb, _ := json.Marshal([]any{b.Start, b.End})
	return string(ja) == string(jb)
}

// patchEvent merges the body's top-level fields into the event; the
// private and shared extended properties are merged key by key.
func (s *Server) patchEvent(r *http.Request) (int, any, *apiError) {
	c, st, aerr := s.findEvent(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if err := checkIfMatch(r, st); err != nil {
		return 0, nil, err
	}
	var patch map[string]json.RawMessage
	if err := decode(r, &patch); err != nil {
		return 0, nil, err
	}
	cur := map[string]json.RawMessage{}
	b, _ := json.Marshal(st.ev)
	json.Unmarshal(b, &cur)
	for k, v := range patch {
		if k == "extendedProperties" {
			v = mergeProps(cur[k], v)
		}
		if string(v) == "null" {
			delete(cur, k)
			continue
		}
		cur[k] = v
	}
	b, _ = json.Marshal(cur)
	var ev calendar.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid value.")
	}
	if err := checkTimes(&ev); err != nil {
		return 0, nil, err
	}
	s.replace(c, st, &ev)
	return http.StatusOK, copyEvent(st.ev), nil
}

func mergeProps(cur, patch json.RawMessage) json.RawMessage {
	var a, b map[string]map[string]*string
	json.Unmarshal(cur, &a)
	json.Unmarshal(patch, &b)
	if a == nil {
		a = map[string]map[string]*string{}
	}
	for scope, kv := range b {
		if a[scope] == nil {
			a[scope] = map[string]*string{}
		}
		for k, v := range kv {
			if v == nil {
				delete(a[scope], k)
			} else {
				a[scope][k] = v
			}
		}
	}
	out, _ := json.Marshal(a)
	return out
}

func (s *Server) deleteEvent(r *http.Request) (int, any, *apiError) {
	c, st, aerr := s.findEvent(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if st.ev.Status == "cancelled" {
		return 0, nil, errorf(http.StatusGone, "deleted", "Resource has been deleted")
	}
	if err := checkIfMatch(r, st); err != nil {
		return 0, nil, err
	}
	s.tombstone(c, st)
	return http.StatusNoContent, nil, nil
}

func (s *Server) tombstone(c *fakeCalendar, st *stored) {
	if s.KeepTombstoneFields {
		st.ev = copyEvent(st.ev)
	} else {
		st.ev = &calendar.Event{Id: st.ev.Id, Kind: "calendar#event"}
	}
	st.ev.Status = "cancelled"
	s.touch(c, st)
}

// syncSince reads the syncToken of a list request: the sequence to list
// changes after, or -1 for a full list.
func (s *Server) syncSince(c *fakeCalendar, q url.Values) (int64, *apiError) {
	syncToken := q.Get("syncToken")
	if syncToken == "" {
		return -1, nil
	}
	for _, p := range []string{"privateExtendedProperty", "sharedExtendedProperty", "iCalUID", "orderBy", "q", "timeMin", "timeMax", "updatedMin"} {
		if q.Has(p) {
			return 0, errorf(http.StatusBadRequest, "invalid", "Sync token cannot be used with %s.", p)
		}
	}
	if q.Get("showDeleted") == "false" {
		return 0, errorf(http.StatusBadRequest, "invalid", "showDeleted must not be false with a sync token.")
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(syncToken, "sync"), 10, 64)
	if err != nil || !strings.HasPrefix(syncToken, "sync") || n < c.minSync || c.forceFull || n > s.seq {
		c.forceFull = false
		return 0, errorf(http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
	}
	return n, nil
}

// listEvents serves events.list: paging, showDeleted,
// privateExtendedProperty, sync tokens.
func (s *Server) listEvents(r *http.Request) (int, any, *apiError) {
	c, aerr := s.calendarAs(r, r.PathValue("cal"))
	if aerr != nil {
		return 0, nil, aerr
	}
	q := r.URL.Query()
	max := 250
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid value for: maxResults")
		}
		max = min(n, 2500)
	}
	since, aerr := s.syncSince(c, q)
	if aerr != nil {
		return 0, nil, aerr
	}
	showDeleted := q.Get("showDeleted") == "true" || since >= 0
	constraints := q["privateExtendedProperty"]
	for _, kv := range constraints {
		if !strings.Contains(kv, "=") {
			return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid value for: privateExtendedProperty")
		}
	}
	var match []*calendar.Event
	for _, id := range c.order {
		st, ok := c.events[id]
		if !ok {
			continue
		}
		switch {
		case since >= 0 && st.seq <= since:
			continue
		case st.ev.Status == "cancelled" && !showDeleted:
			continue
		case !hasProps(st.ev, constraints):
			continue
		}
		match = append(match, st.ev)
	}
	offset, empty := 0, false
	if t := q.Get("pageToken"); t != "" {
		var err error
		if offset, empty, err = parsePageToken(t); err != nil || offset > len(match) {
			return 0, nil, errorf(http.StatusBadRequest, "invalid", "Invalid page token value.")
		}
	}
	limit := max
	if s.PageLimit > 0 {
		limit = min(limit, s.PageLimit)
	}
	out := &calendar.Events{Kind: "calendar#events", Etag: s.etag(), Summary: c.meta.Summary, TimeZone: c.meta.TimeZone,
		Updated: s.stamp(), AccessRole: "owner", Items: []*calendar.Event{}}
	end := offset
	if !empty {
		end = min(offset+limit, len(match))
		out.Items = append(out.Items, match[offset:end]...)
	}
	switch {
	case end < len(match) && s.EmptyPages && !empty:
		out.NextPageToken = pageToken(end, true)
	case end < len(match):
		out.NextPageToken = pageToken(end, false)
	default:
		out.NextSyncToken = fmt.Sprintf("sync%d", s.seq)
	}
	// Encode now, under the lock: the items are the stored events.
	b, err := json.Marshal(out)
	if err != nil {
		return 0, nil, errorf(http.StatusInternalServerError, "backendError", "Backend Error")
	}
	return http.StatusOK, json.RawMessage(b), nil
}

func hasProps(ev *calendar.Event, constraints []string) bool {
	for _, kv := range constraints {
		k, v, _ := strings.Cut(kv, "=")
		if ev.ExtendedProperties == nil || ev.ExtendedProperties.Private == nil {
			return false
		}
		if got, ok := ev.ExtendedProperties.Private[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func pageToken(offset int, empty bool) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%t", offset, empty))
}

func parsePageToken(t string) (int, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return 0, false, err
	}
	o, e, _ := strings.Cut(string(b), ":")
	n, err := strconv.Atoi(o)
	return n, e == "true", err
}

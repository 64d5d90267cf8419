package caldav

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	calsync "github.com/confcal/confcal/sync"
)

// Calendar is one CalDAV calendar collection, as the sync engine's
// Calendar. It makes one request per call (two when a server leaves out
// an ETag or answers 412 for an object that is gone) and never retries:
// the engine does. It is safe for concurrent use.
type Calendar struct {
	c   *client
	url *url.URL // the collection; its path ends in "/"
	now func() time.Time
}

var _ calsync.Calendar = (*Calendar)(nil)

// New returns the Calendar at opts.URL. It sends nothing; Check does.
func New(opts Options) (*Calendar, error) {
	u, err := parseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	c, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Calendar{c: c, url: u, now: now}, nil
}

// URL returns the calendar's URL.
func (cal *Calendar) URL() string { return displayURL(cal.url) }

// ObjectURL returns the URL of the object that holds event id.
func (cal *Calendar) ObjectURL(id string) string { return cal.objectURL(id).String() }

func (cal *Calendar) objectURL(id string) *url.URL { return cal.url.JoinPath(id + ".ics") }

func (cal *Calendar) fail(op, id string, err error) error {
	return classify(op, id, err, cal.c.secrets())
}

// Info describes a calendar collection.
type Info struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
	// Components are the kinds of objects it accepts (VEVENT, VTODO, ...);
	// empty when the server does not say, which means all.
	Components []string `json:"components,omitempty"`
}

// AcceptsEvents reports whether the calendar takes VEVENTs.
func (i Info) AcceptsEvents() bool {
	return len(i.Components) == 0 || slices.Contains(i.Components, "VEVENT")
}

// Check makes sure that the URL names a calendar collection that accepts
// events, and that the credentials work, with one PROPFIND.
func (cal *Calendar) Check(ctx context.Context) (Info, error) {
	info := Info{URL: cal.URL()}
	h := http.Header{"Depth": {"0"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := cal.c.send(ctx, "PROPFIND", cal.url, h, []byte(collectionProps), maxObjectBody)
	if err != nil {
		if se := (*StatusError)(nil); errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusMethodNotAllowed) {
			return info, &calsync.Error{Kind: calsync.Permanent, Op: "check", Err: fmt.Errorf("no calendar at %s", cal.URL()),
				Hint: "Check the URL, or list your calendars with --discover."}
		}
		return info, cal.fail("check", "", err)
	}
	var ms multistatus
	if err := xml.Unmarshal(resp.body, &ms); err != nil || len(ms.Responses) == 0 {
		return info, &calsync.Error{Kind: calsync.Permanent, Op: "check", Err: fmt.Errorf("%s did not answer PROPFIND as a WebDAV server", cal.URL())}
	}
	p := ms.Responses[0].props()
	if p.DisplayName != nil {
		info.Name = strings.TrimSpace(*p.DisplayName)
	}
	info.Components = p.components()
	switch {
	case !p.isCalendar():
		return info, &calsync.Error{Kind: calsync.Permanent, Op: "check", Err: fmt.Errorf("%s is not a calendar", cal.URL()),
			Hint: "The URL must name one calendar collection; --discover lists yours."}
	case !info.AcceptsEvents():
		return info, &calsync.Error{Kind: calsync.Permanent, Op: "check",
			Err: fmt.Errorf("the calendar at %s holds only %s, not events", cal.URL(), strings.Join(info.Components, ", "))}
	}
	return info, nil
}

// List returns every event of the calendar, confcal's and others', with
// one REPORT. The owner does not narrow the query: the engine tells
// confcal's events from the rest.
func (cal *Calendar) List(ctx context.Context, _ calsync.Owner) ([]calsync.Remote, error) {
	h := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := cal.c.send(ctx, "REPORT", cal.url, h, []byte(listQuery), maxListBody)
	if err != nil {
		if se := (*StatusError)(nil); errors.As(err, &se) && se.Code == http.StatusNotFound {
			return nil, &calsync.Error{Kind: calsync.Permanent, Op: "list", Err: fmt.Errorf("no calendar at %s", cal.URL()),
				Hint: "Check the URL, or list your calendars with --discover."}
		}
		return nil, cal.fail("list", "", err)
	}
	return cal.readObjects(resp.body, "list")
}

// readObjects reads the objects of a REPORT answer.
func (cal *Calendar) readObjects(body []byte, op string) ([]calsync.Remote, error) {
	var ms multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, &calsync.Error{Kind: calsync.Permanent, Op: op, Err: fmt.Errorf("read the answer to REPORT: %w", err)}
	}
	var out []calsync.Remote
	for _, r := range ms.Responses {
		if len(r.Hrefs) == 0 {
			continue
		}
		name, ok := member(cal.url, r.Hrefs[0])
		if !ok {
			continue
		}
		p := r.props()
		if p.CalendarData == nil {
			continue // gone, or not readable: nothing confcal may touch
		}
		etag := ""
		if p.ETag != nil {
			etag = strings.TrimSpace(*p.ETag)
		}
		out = append(out, parseObject(idOf(name), etag, []byte(*p.CalendarData)))
	}
	slices.SortFunc(out, func(a, b calsync.Remote) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Get reads the object of event id.
func (cal *Calendar) Get(ctx context.Context, id string) (calsync.Remote, error) {
	u := cal.objectURL(id)
	resp, err := cal.c.send(ctx, http.MethodGet, u, http.Header{"Accept": {"text/calendar"}}, nil, maxObjectBody)
	if err != nil {
		return calsync.Remote{}, cal.fail("get", id, err)
	}
	etag := resp.header.Get("ETag")
	if etag == "" {
		return cal.multiget(ctx, id)
	}
	return parseObject(id, etag, resp.body), nil
}

// multiget reads the object of event id and its ETag in one REPORT, for
// servers that leave the ETag out of a GET.
func (cal *Calendar) multiget(ctx context.Context, id string) (calsync.Remote, error) {
	u := cal.objectURL(id)
	h := http.Header{"Depth": {"0"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := cal.c.send(ctx, "REPORT", cal.url, h, multiget(u.EscapedPath()), maxObjectBody)
	if err != nil {
		return calsync.Remote{}, cal.fail("get", id, err)
	}
	objs, err := cal.readObjects(resp.body, "get")
	if err != nil {
		return calsync.Remote{}, err
	}
	for _, o := range objs {
		if o.ID == id {
			return o, nil
		}
	}
	return calsync.Remote{}, &calsync.Error{Kind: calsync.NotFound, Op: "get", ID: id}
}

// Insert creates the object of it, on the condition that none exists
// (If-None-Match: *): a retried insert can never make a second copy.
func (cal *Calendar) Insert(ctx context.Context, it calsync.Item) (calsync.Remote, error) {
	if !calsync.ValidID(it.ID) {
		return calsync.Remote{}, &calsync.Error{Kind: calsync.Permanent, Op: "insert", ID: it.ID, Err: errors.New("not an event id of confcal's")}
	}
	data, err := encodeObject(it, "", cal.now(), nil)
	if err != nil {
		return calsync.Remote{}, &calsync.Error{Kind: calsync.Permanent, Op: "insert", ID: it.ID, Err: err}
	}
	return cal.put(ctx, "insert", it.ID, data, http.Header{"If-None-Match": {"*"}})
}

// Update rewrites the fields confcal manages in base's object and keeps
// the rest, on the condition that the object is still at base.Version
// (If-Match).
func (cal *Calendar) Update(ctx context.Context, it calsync.Item, base calsync.Remote) (calsync.Remote, error) {
	if base.Deleted {
		// CalDAV has no tombstones; bring the event back as new.
		r, err := cal.Insert(ctx, it)
		if calsync.IsKind(err, calsync.Exists) {
			err = &calsync.Error{Kind: calsync.Precondition, Op: "update", ID: it.ID, Err: errors.New("the event exists again")}
		}
		return r, err
	}
	if base.Version == "" {
		// Never write without a condition: the engine reads it again.
		return calsync.Remote{}, &calsync.Error{Kind: calsync.Precondition, Op: "update", ID: it.ID, Err: errors.New("no ETag to update against")}
	}
	raw, _ := base.Raw.([]byte)
	data, err := encodeObject(it, base.Notes, cal.now(), raw)
	if err != nil {
		return calsync.Remote{}, &calsync.Error{Kind: calsync.Permanent, Op: "update", ID: it.ID, Err: err}
	}
	r, err := cal.put(ctx, "update", it.ID, data, http.Header{"If-Match": {quoteETag(base.Version)}})
	if calsync.IsKind(err, calsync.Precondition) {
		return r, cal.goneOr(ctx, "update", it.ID, err)
	}
	return r, err
}

// Delete removes base's object on the condition that it is still at
// base.Version (If-Match). Only objects named like confcal's events are
// ever deleted.
func (cal *Calendar) Delete(ctx context.Context, base calsync.Remote) error {
	if !calsync.ValidID(base.ID) {
		return &calsync.Error{Kind: calsync.Permanent, Op: "delete", ID: base.ID, Err: errors.New("not an event id of confcal's; left alone")}
	}
	if base.Version == "" {
		return &calsync.Error{Kind: calsync.Precondition, Op: "delete", ID: base.ID, Err: errors.New("no ETag to delete against")}
	}
	_, err := cal.c.send(ctx, http.MethodDelete, cal.objectURL(base.ID), http.Header{"If-Match": {quoteETag(base.Version)}}, nil, maxObjectBody)
	if err == nil {
		return nil
	}
	err = cal.fail("delete", base.ID, err)
	if calsync.IsKind(err, calsync.Precondition) {
		return cal.goneOr(ctx, "delete", base.ID, err)
	}
	return err
}

// put sends data as the object of event id with the condition in cond.
func (cal *Calendar) put(ctx context.Context, op, id string, data []byte, cond http.Header) (calsync.Remote, error) {
	h := http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}
	for k, v := range cond {
		h[k] = v
	}
	resp, err := cal.c.send(ctx, http.MethodPut, cal.objectURL(id), h, data, maxObjectBody)
	if err != nil {
		return calsync.Remote{}, cal.fail(op, id, err)
	}
	etag := resp.header.Get("ETag")
	if etag == "" || strings.HasPrefix(etag, "W/") {
		// The server stored something other than what was sent (RFC 4791
		// §5.3.4) or does not say what: read back what it holds.
		r, err := cal.Get(ctx, id)
		if err != nil {
			return calsync.Remote{}, cal.fail(op, id, fmt.Errorf("read back after writing: %w", err))
		}
		return r, nil
	}
	return parseObject(id, etag, data), nil
}

// goneOr tells apart the two reasons for a 412 on an object: it changed
// (err), or it is gone (NotFound), with one HEAD.
func (cal *Calendar) goneOr(ctx context.Context, op, id string, err error) error {
	_, herr := cal.c.send(ctx, http.MethodHead, cal.objectURL(id), nil, nil, 0)
	if se := (*StatusError)(nil); errors.As(herr, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone) {
		return &calsync.Error{Kind: calsync.NotFound, Op: op, ID: id}
	}
	return err
}

// quoteETag makes v an entity tag as If-Match wants it: servers that
// report unquoted ETags in getetag still compare quoted ones.
func quoteETag(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `W/"`) {
		return v
	}
	return `"` + v + `"`
}

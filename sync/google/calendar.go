// Package google is confcal's Google Calendar backend: a sync.Calendar over
// the Calendar API v3 (google.golang.org/api/calendar/v3), OAuth 2.0 for
// installed apps with PKCE (RFC 7636) on a loopback redirect (RFC 8252),
// service accounts and Application Default Credentials, and the token
// store. It is the only package of confcal that imports the Google API
// client.
//
// Ownership marks are private extended properties (cc.owner, cc.src,
// cc.uid, cc.hash, cc.v, cc.gen); event ids are the engine's base32hex
// EventIDs, so that a retried insert answers 409 instead of creating a
// duplicate.
package google

import (
	"context"
	"errors"
	"fmt"
	stdsync "sync"

	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	calsync "github.com/confcal/confcal/sync"
)

// PageSize is the largest page events.list allows: a calendar of up to
// 2,500 events is read with one request.
const PageSize = 2500

// NewCalendar describes the dedicated calendar to create on first write.
type NewCalendar struct {
	Summary     string
	TimeZone    string
	Description string
}

// Options configure a Calendar.
type Options struct {
	// Client are the options of the API client: credentials, or an
	// endpoint without authentication for tests.
	Client []option.ClientOption
	// CalendarID is the calendar to sync; "" when the dedicated calendar
	// does not exist yet.
	CalendarID string
	// Create, with CalendarID "", describes the dedicated calendar to
	// create before the first write. Nil makes writes fail, as in a dry
	// run.
	Create *NewCalendar
	// OnCreate is called with the new calendar's id, to remember it.
	OnCreate func(id string) error
	// Shared says the calendar also holds events that are not confcal's
	// (primary, or any calendar the user chose): List then asks only for
	// events marked with the programme's key. A dedicated calendar is
	// read whole, tombstones included.
	Shared bool
	// MissingHint is added to the error of reading a calendar that does
	// not exist: how to fix it.
	MissingHint string
}

// Calendar is a Google calendar as a sync.Calendar.
type Calendar struct {
	svc  *calendar.Service
	opts Options

	mu stdsync.Mutex
	id string
}

var _ calsync.Calendar = (*Calendar)(nil)

// New returns the Calendar opts describe.
func New(ctx context.Context, opts Options) (*Calendar, error) {
	svc, err := calendar.NewService(ctx, opts.Client...)
	if err != nil {
		return nil, fmt.Errorf("google calendar client: %w", err)
	}
	return &Calendar{svc: svc, opts: opts, id: opts.CalendarID}, nil
}

// ID returns the calendar's id, "" before the dedicated calendar exists.
func (c *Calendar) ID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

// Create creates the dedicated calendar that Options.Create describes, if
// it does not exist yet, and returns its id.
func (c *Calendar) Create(ctx context.Context) (string, error) { return c.calendarID(ctx) }

// calendarID returns the id to write to, creating the dedicated calendar
// first if needed.
func (c *Calendar) calendarID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id != "" {
		return c.id, nil
	}
	if c.opts.Create == nil {
		return "", &calsync.Error{Kind: calsync.Permanent, Op: "create calendar", Err: errors.New("no calendar to write to")}
	}
	nc := c.opts.Create
	cal, err := c.svc.Calendars.Insert(&calendar.Calendar{Summary: nc.Summary, TimeZone: nc.TimeZone, Description: nc.Description}).Context(ctx).Do()
	if err != nil {
		return "", classify("create calendar", "", err)
	}
	c.id = cal.Id
	if c.opts.OnCreate != nil {
		if err := c.opts.OnCreate(cal.Id); err != nil {
			return "", fmt.Errorf("remember the new calendar %s: %w", cal.Id, err)
		}
	}
	return c.id, nil
}

// Describe returns the calendar's name and time zone.
func (c *Calendar) Describe(ctx context.Context) (summary, tz string, err error) {
	id := c.ID()
	if id == "" {
		return "", "", nil
	}
	cal, err := c.svc.Calendars.Get(id).Context(ctx).Do()
	if err != nil {
		return "", "", classify("get calendar", "", err)
	}
	return cal.Summary, cal.TimeZone, nil
}

// List reads the calendar: the whole of a dedicated calendar, tombstones
// included, or the events marked with owner's key in a shared one, with one
// request per 2,500 events.
func (c *Calendar) List(ctx context.Context, owner calsync.Owner) ([]calsync.Remote, error) {
	id := c.ID()
	if id == "" {
		return nil, nil
	}
	call := c.svc.Events.List(id).ShowDeleted(true).MaxResults(PageSize).Context(ctx)
	if c.opts.Shared {
		call = call.PrivateExtendedProperty(calsync.KeySource + "=" + owner.Source)
	}
	var out []calsync.Remote
	err := call.Pages(ctx, func(page *calendar.Events) error {
		for _, ev := range page.Items {
			out = append(out, toRemote(ev))
		}
		return nil
	})
	if err != nil {
		err = classify("list events", "", err)
		var ce *calsync.Error
		if errors.As(err, &ce) && ce.Kind == calsync.NotFound && c.opts.MissingHint != "" {
			ce.Kind, ce.Hint = calsync.Permanent, c.opts.MissingHint
		}
		return nil, err
	}
	return out, nil
}

// Get reads one event, live or deleted.
func (c *Calendar) Get(ctx context.Context, id string) (calsync.Remote, error) {
	cid := c.ID()
	if cid == "" {
		return calsync.Remote{}, &calsync.Error{Kind: calsync.NotFound, Op: "get event", ID: id}
	}
	ev, err := c.svc.Events.Get(cid, id).Context(ctx).Do()
	if err != nil {
		return calsync.Remote{}, classify("get event", id, err)
	}
	return toRemote(ev), nil
}

// Insert creates it with its own id, sending no notifications.
func (c *Calendar) Insert(ctx context.Context, it calsync.Item) (calsync.Remote, error) {
	cid, err := c.calendarID(ctx)
	if err != nil {
		return calsync.Remote{}, err
	}
	ev, err := c.svc.Events.Insert(cid, toEvent(it, nil)).SendUpdates("none").Context(ctx).Do()
	if err != nil {
		return calsync.Remote{}, classify("insert event", it.ID, err)
	}
	return toRemote(ev), nil
}

// Update writes it over base with If-Match on base's ETag, keeping the
// fields confcal does not manage.
func (c *Calendar) Update(ctx context.Context, it calsync.Item, base calsync.Remote) (calsync.Remote, error) {
	cid, err := c.calendarID(ctx)
	if err != nil {
		return calsync.Remote{}, err
	}
	raw, _ := base.Raw.(*calendar.Event)
	call := c.svc.Events.Update(cid, it.ID, toEvent(it, raw)).SendUpdates("none").Context(ctx)
	if base.Version != "" {
		call.Header().Set("If-Match", base.Version)
	}
	ev, err := call.Do()
	if err != nil {
		return calsync.Remote{}, classify("update event", it.ID, err)
	}
	return toRemote(ev), nil
}

// Delete deletes base with If-Match on its ETag, sending no
// notifications.
func (c *Calendar) Delete(ctx context.Context, base calsync.Remote) error {
	cid := c.ID()
	if cid == "" {
		return &calsync.Error{Kind: calsync.NotFound, Op: "delete event", ID: base.ID}
	}
	call := c.svc.Events.Delete(cid, base.ID).SendUpdates("none").Context(ctx)
	if base.Version != "" {
		call.Header().Set("If-Match", base.Version)
	}
	if err := call.Do(); err != nil {
		return classify("delete event", base.ID, err)
	}
	return nil
}

// DeleteCalendar deletes the whole calendar: the way to undo everything a
// dedicated calendar holds.
func (c *Calendar) DeleteCalendar(ctx context.Context) error {
	id := c.ID()
	if id == "" {
		return nil
	}
	if err := c.svc.Calendars.Delete(id).Context(ctx).Do(); err != nil {
		return classify("delete calendar", "", err)
	}
	return nil
}

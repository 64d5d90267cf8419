package caldav

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	calsync "github.com/confcal/confcal/sync"
)

// Discover finds the calendars of the user that opts authenticates, from
// opts.URL: any URL on the server. It asks for the current user's
// principal (RFC 5397) there, or, when that fails at the server's root, at
// /.well-known/caldav (RFC 6764); then for the principal's
// calendar-home-set and the calendars in it (RFC 4791 §6.2.1). The
// calendars come sorted by URL.
func Discover(ctx context.Context, opts Options) ([]Info, error) {
	u, err := parseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	c, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) error {
		if err.Error() == "webdav: unauthenticated" {
			return &calsync.Error{Kind: calsync.Auth, Op: "discover", Err: errors.New("the server did not accept the credentials"), Hint: hintAuth}
		}
		e := classify("discover", "", fmt.Errorf("%s: %w", what, err), c.secrets())
		if e.Kind == calsync.NotFound || e.Kind == calsync.Permanent && e.Hint == "" {
			e.Kind = calsync.Permanent
			e.Hint = "Give the server's address (its root, or the CalDAV address your provider documents) with --url."
		}
		return e
	}
	endpoint := displayURL(u)
	principal, err := findPrincipal(ctx, c, endpoint)
	if err != nil && (u.Path == "" || u.Path == "/") && !calsync.IsKind(classify("", "", err, nil), calsync.Auth) {
		wk := *u
		wk.Path = "/.well-known/caldav"
		if p, werr := findPrincipal(ctx, c, displayURL(&wk)); werr == nil {
			principal, err = p, nil
		}
	}
	if err != nil {
		return nil, fail("find the current user's principal", err)
	}
	dav, err := caldav.NewClient(c, endpoint)
	if err != nil {
		return nil, fail("find calendars", err)
	}
	home, err := dav.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return nil, fail("find the calendar home of "+principal, err)
	}
	cals, err := dav.FindCalendars(ctx, home)
	if err != nil {
		return nil, fail("list the calendars in "+home, err)
	}
	out := make([]Info, 0, len(cals))
	for _, cal := range cals {
		loc, err := u.Parse(cal.Path)
		if err != nil {
			continue
		}
		comps := make([]string, len(cal.SupportedComponentSet))
		for i, s := range cal.SupportedComponentSet {
			comps[i] = strings.ToUpper(s)
		}
		out = append(out, Info{URL: displayURL(loc), Name: strings.TrimSpace(cal.Name), Components: comps})
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

func findPrincipal(ctx context.Context, c *client, endpoint string) (string, error) {
	wc, err := webdav.NewClient(c, endpoint)
	if err != nil {
		return "", err
	}
	p, err := wc.FindCurrentUserPrincipal(ctx)
	if err == nil && p == "" {
		err = errors.New("the server did not name the current user's principal")
	}
	return p, err
}

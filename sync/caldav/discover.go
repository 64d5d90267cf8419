package caldav

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
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
//
// The calendar home may be on another host of the same site (iCloud sends
// each account to its own pNN-caldav.icloud.com); credentials go there
// only when it shares the last two labels of its name with opts.URL's host
// and keeps https.
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
	pu, err := u.Parse(principal)
	if err != nil {
		return nil, fail("find the current user's principal", err)
	}
	home, err := findHome(ctx, c, pu)
	if err != nil {
		return nil, fail("find the calendar home of "+displayURL(pu), err)
	}
	if !sameSite(u, home) {
		return nil, &calsync.Error{Kind: calsync.Permanent, Op: "discover",
			Err:  fmt.Errorf("the calendars are at %s, another site than %s: confcal does not send the credentials there", displayURL(home), u.Host),
			Hint: "If you trust that server, give its address with --url."}
	}
	origin := &url.URL{Scheme: home.Scheme, Host: home.Host, Path: "/"}
	dav, err := caldav.NewClient(c, origin.String())
	if err != nil {
		return nil, fail("list the calendars", err)
	}
	cals, err := dav.FindCalendars(ctx, home.Path)
	if err != nil {
		return nil, fail("list the calendars in "+displayURL(home), err)
	}
	out := make([]Info, 0, len(cals))
	for _, cal := range cals {
		loc, err := origin.Parse(cal.Path)
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

// findHome returns the calendar home of principal, host and all:
// go-webdav's FindCalendarHomeSet keeps only the path
// (emersion/go-webdav#61).
func findHome(ctx context.Context, c *client, principal *url.URL) (*url.URL, error) {
	h := http.Header{"Depth": {"0"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := c.send(ctx, "PROPFIND", principal, h, []byte(homeSetProp), maxObjectBody)
	if err != nil {
		return nil, err
	}
	var ms multistatus
	if err := xml.Unmarshal(resp.body, &ms); err != nil {
		return nil, fmt.Errorf("read the answer to PROPFIND: %w", err)
	}
	for _, r := range ms.Responses {
		if p := r.props(); p.HomeSet != nil && len(p.HomeSet.Hrefs) > 0 {
			return principal.Parse(strings.TrimSpace(p.HomeSet.Hrefs[0]))
		}
	}
	return nil, errors.New("the server did not name a calendar home")
}

// sameSite reports whether b may receive the credentials given for a:
// the same host, or, for names, one sharing their last two labels, with
// no downgrade from https.
func sameSite(a, b *url.URL) bool {
	if a.Scheme == "https" && b.Scheme != "https" {
		return false
	}
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if ha == hb {
		return true
	}
	if net.ParseIP(ha) != nil || net.ParseIP(hb) != nil {
		return false
	}
	la, lb := strings.Split(ha, "."), strings.Split(hb, ".")
	return len(la) >= 2 && len(lb) >= 2 && la[len(la)-2] == lb[len(lb)-2] && la[len(la)-1] == lb[len(lb)-1]
}

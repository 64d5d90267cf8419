package caldav

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a Calendar, or Discover.
type Options struct {
	// URL is the calendar collection (for Discover: any URL on the
	// server, usually its root).
	URL string
	// Username and Password authenticate with HTTP Basic; Token, instead,
	// is sent as a Bearer token. A URL with credentials in it is refused.
	Username string
	Password string
	Token    string
	// Insecure skips the verification of the server's HTTPS certificate.
	Insecure bool
	// HTTPClient sends the requests; nil uses a client with timeouts.
	// Insecure is ignored when it is set. Redirects are always handled
	// here, never by the client.
	HTTPClient *http.Client
	// UserAgent names the client to the server.
	UserAgent string
	// Now is the clock for DTSTAMP and LAST-MODIFIED; nil is time.Now.
	Now func() time.Time
}

// Limits on what the server may send.
const (
	maxListBody   = 256 << 20 // a REPORT of every event
	maxObjectBody = 16 << 20  // one object or a PROPFIND
	maxRedirects  = 5
)

// client sends requests with credentials, follows redirects that stay on
// the same origin for methods that change nothing, and turns every
// response that is not a success into a *StatusError. It implements
// go-webdav's HTTPClient, so discovery shares all of this.
type client struct {
	http      *http.Client
	username  string
	password  string
	token     string
	userAgent string
}

func newClient(opts Options) (*client, error) {
	if opts.Password != "" && opts.Token != "" {
		return nil, errors.New("caldav: give a password or a token, not both")
	}
	if opts.Username == "" && opts.Password != "" {
		return nil, errors.New("caldav: a password needs a user name")
	}
	if opts.Username != "" && opts.Password == "" && opts.Token == "" {
		return nil, fmt.Errorf("caldav: no password for user %q", opts.Username)
	}
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: opts.Insecure} //nolint:gosec // the user asked, and is warned
		tr.ResponseHeaderTimeout = 2 * time.Minute
		tr.MaxIdleConnsPerHost = 16
		hc.Transport = tr
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ua := opts.UserAgent
	if ua == "" {
		ua = "confcal"
	}
	return &client{http: &hc, username: opts.Username, password: opts.Password, token: opts.Token, userAgent: ua}, nil
}

// secrets are the strings no error may show: the password, the token,
// and the Basic credentials as they travel.
func (c *client) secrets() []string {
	out := []string{c.password, c.token}
	if c.password != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(c.username+":"+c.password)))
	}
	return out
}

// Do sends req and returns a successful response, following same-origin
// redirects of safe methods. The caller closes the body.
func (c *client) Do(req *http.Request) (*http.Response, error) {
	for hop := 0; ; hop++ {
		c.authorise(req)
		resp, err := c.http.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // its message repeats the URL in Go's words
			}
			return nil, &requestError{Method: req.Method, URL: displayURL(req.URL), Err: err}
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		next, ok := c.redirect(req, resp, hop)
		if !ok {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return nil, newStatusError(req, resp, body, c.secrets())
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		req = next
	}
}

func (c *client) authorise(req *http.Request) {
	switch {
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.username != "":
		req.SetBasicAuth(c.username, c.password)
	}
	req.Header.Set("User-Agent", c.userAgent)
}

// redirect returns the request that follows resp, when resp is a redirect
// worth following: a method that writes nothing, the same host, the same
// scheme or an upgrade to https, and a body that can be sent again.
// Credentials are never sent to another origin.
func (c *client) redirect(req *http.Request, resp *http.Response, hop int) (*http.Request, bool) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, "PROPFIND", "REPORT", http.MethodOptions:
	default:
		return nil, false
	}
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil || hop >= maxRedirects || loc.User != nil || !strings.EqualFold(loc.Host, req.URL.Host) ||
		!(loc.Scheme == req.URL.Scheme || req.URL.Scheme == "http" && loc.Scheme == "https") {
		return nil, false
	}
	var body io.ReadCloser
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, false
		}
		body = b
	} else if req.Body != nil && req.Body != http.NoBody {
		return nil, false
	}
	next := req.Clone(req.Context())
	next.URL, next.Host, next.Body = loc, "", body
	return next, true
}

// response is a successful response, read whole.
type response struct {
	header http.Header
	body   []byte
}

// send makes a request to u and reads the whole response, up to limit
// bytes.
func (c *client) send(ctx context.Context, method string, u *url.URL, header http.Header, body []byte, limit int64) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &truncatedError{err}
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s %s: the response is larger than %d MiB", method, displayURL(u), limit>>20)
	}
	return &response{header: resp.Header, body: data}, nil
}

// parseURL checks a calendar or server URL given by the user.
func parseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("caldav: no URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, credentials and all: keep only
		// its reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("caldav: the URL is not valid: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("caldav: the URL %s is not http or https", displayURL(u))
	case u.Host == "":
		return nil, fmt.Errorf("caldav: the URL %s has no host", displayURL(u))
	case u.User != nil:
		return nil, fmt.Errorf("caldav: the URL %s must not hold credentials: give the user name with --username and the password in a file (--password-file)", displayURL(u))
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("caldav: the URL %s must not have a query or a fragment", displayURL(u))
	}
	return u, nil
}

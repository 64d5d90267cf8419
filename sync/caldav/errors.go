package caldav

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	calsync "github.com/confcal/confcal/sync"
)

// StatusError is an HTTP response that is not a success.
type StatusError struct {
	Method string
	URL    string // the resource asked for
	Code   int
	// Condition is the WebDAV precondition the server named in its
	// error body (RFC 4918 §16), such as "no-uid-conflict".
	Condition string
	// Text is the start of a plain-text error body.
	Text string
	// RetryAfter is how long the server asked the client to wait.
	RetryAfter time.Duration
	// Location is where a redirect points.
	Location string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
	if e.Condition != "" {
		msg += " (" + e.Condition + ")"
	}
	if e.Location != "" {
		msg += ", redirected to " + e.Location
	}
	if e.Text != "" {
		msg += ": " + e.Text
	}
	return msg
}

// newStatusError reads what it can from a failed response whose body is
// body. The server's text is kept without secrets, however short.
func newStatusError(req *http.Request, resp *http.Response, body []byte, secrets []string) *StatusError {
	e := &StatusError{Method: req.Method, URL: displayURL(req.URL), Code: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		if u, err := req.URL.Parse(loc); err == nil {
			e.Location = displayURL(u)
		}
	}
	ctype := strings.ToLower(resp.Header.Get("Content-Type"))
	switch {
	case strings.Contains(ctype, "xml"):
		e.Condition = davCondition(body)
	case strings.HasPrefix(ctype, "text/plain"):
		e.Text = excerpt(replaceSecrets(string(body), secrets, 1), 200)
	}
	return e
}

// davCondition returns the local name of the first element inside a
// DAV:error body, or "".
func davCondition(body []byte) string {
	var doc struct {
		XMLName xml.Name
		Inner   []struct{ XMLName xml.Name } `xml:",any"`
	}
	if xml.Unmarshal(body, &doc) != nil || doc.XMLName.Local != "error" || len(doc.Inner) == 0 {
		return ""
	}
	return doc.Inner[0].XMLName.Local
}

// excerpt is s on one line, at most n bytes, cut on a rune boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// displayURL is u without user information, query or fragment: safe to
// print.
func displayURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User, c.RawQuery, c.Fragment, c.RawFragment = nil, "", "", ""
	c.ForceQuery = false
	return c.String()
}

// Hints printed with the errors that stop a run.
const (
	hintAuth = "The server refused the credentials: check --username and the password " +
		"(--password-file, CONFCAL_CALDAV_PASSWORD or caldav.password in the config) or the token " +
		"(CONFCAL_CALDAV_TOKEN or caldav.token). iCloud, Fastmail and most providers with two-step " +
		"sign-in want an app-specific password, not the account's password."
	hintForbidden = "The account may not change this calendar: check that it is your own calendar " +
		"and not a read-only share or a subscription (confcal sync caldav --discover lists yours)."
	hintCert = "The server's HTTPS certificate could not be verified. Fix the certificate, or add its " +
		"authority to the system's trust store; --insecure skips the check, and with it the " +
		"protection of the password against anyone on the network path."
	hintQuota = "The server has no room left for this account."
)

// classify turns an error of a request into a *calsync.Error the engine
// understands, with every secret removed from its message.
func classify(op, id string, err error, secrets []string) *calsync.Error {
	e := &calsync.Error{Op: op, ID: id, Err: redact(err, secrets)}
	var se *StatusError
	switch {
	case errors.As(err, &se):
		e.Kind, e.Hint = statusKind(se)
		e.RetryAfter = se.RetryAfter
		if op == "insert" && e.Kind == calsync.Precondition {
			e.Kind = calsync.Exists
		}
	case isCertError(err):
		e.Kind, e.Hint = calsync.Permanent, hintCert
	case isNetError(err):
		e.Kind = calsync.Transient
	default:
		e.Kind = calsync.Permanent
	}
	return e
}

// statusKind classifies an HTTP status.
func statusKind(se *StatusError) (calsync.Kind, string) {
	switch c := se.Code; {
	case c == http.StatusUnauthorized:
		return calsync.Auth, hintAuth
	case c == http.StatusForbidden && se.Condition == "":
		return calsync.Forbidden, hintForbidden
	case c == http.StatusNotFound:
		return calsync.NotFound, ""
	case c == http.StatusGone:
		return calsync.Gone, ""
	case c == http.StatusPreconditionFailed:
		return calsync.Precondition, ""
	case c == http.StatusConflict && se.Condition == "no-uid-conflict",
		c == http.StatusForbidden && se.Condition == "no-uid-conflict":
		return calsync.Permanent, "Another event in this calendar already has the session's UID, " +
			"perhaps an imported copy of the programme's feed: remove it, or sync into another calendar."
	case c == http.StatusTooManyRequests:
		return calsync.RateLimited, ""
	case c == http.StatusLocked, c == http.StatusRequestTimeout:
		return calsync.Transient, ""
	case c == http.StatusInsufficientStorage:
		return calsync.Quota, hintQuota
	case c/100 == 3:
		return calsync.Permanent, "Use the URL the server redirects to."
	case c/100 == 5:
		return calsync.Transient, ""
	default:
		return calsync.Permanent, ""
	}
}

func isCertError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// requestError is a request that got no answer: the connection failed.
type requestError struct {
	Method, URL string
	Err         error
}

func (e *requestError) Error() string { return e.Method + " " + e.URL + ": " + e.Err.Error() }
func (e *requestError) Unwrap() error { return e.Err }

// isNetError reports whether err is a failure of the connection rather
// than of the request: worth retrying.
func isNetError(err error) bool {
	var re *requestError
	var te *truncatedError
	return errors.As(err, &re) && !isCertError(err) || errors.As(err, &te)
}

// truncatedError is a response body that ended early.
type truncatedError struct{ err error }

func (e *truncatedError) Error() string { return "read the response: " + e.err.Error() }
func (e *truncatedError) Unwrap() error { return e.err }

// redacted is an error whose message had a secret removed. It does not
// unwrap: the original would print the secret.
type redacted struct{ msg string }

func (e *redacted) Error() string { return e.msg }

// redact returns err, or, when its message holds a secret, an error with
// the same message with every secret replaced. Messages are built from
// URLs without credentials and from server text already cleaned
// (newStatusError), so this is a second line of defence; it skips
// secrets shorter than 4 bytes, which would match ordinary words.
func redact(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if out := replaceSecrets(msg, secrets, 4); out != msg {
		return &redacted{msg: out}
	}
	return err
}

// replaceSecrets replaces every secret of at least min bytes in s.
func replaceSecrets(s string, secrets []string, min int) string {
	for _, sec := range secrets {
		if len(sec) >= min {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

package google

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	calsync "github.com/confcal/confcal/sync"
)

// Hints shown with errors that stop a run.
const (
	hintQuota = `Google's Calendar usage limits are exceeded: Google limits how many events an account
may create in a short time to stop abuse. Retrying now does not help: wait a few hours,
then run the same command again; it continues where it stopped.`
	hintAuth = `Google refused the saved authorisation: it expired or was revoked. Run 'confcal auth google'
to sign in again (OAuth clients in "Testing" mode get tokens that expire after 7 days).`
	hintForbidden = `confcal may not change this calendar. With --calendar, sign in for existing calendars
('confcal auth google --calendar ID'), or share the calendar with the service account.`
)

// classify turns a client error into a *calsync.Error. Messages are built
// from the status and Google's reason, never from credentials.
func classify(op, id string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &calsync.Error{Op: op, ID: id}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		e.Kind, e.Hint = calsync.Auth, hintAuth
		code := rerr.ErrorCode
		if code == "" {
			code = "token refresh failed"
		}
		status := 0
		if rerr.Response != nil {
			status = rerr.Response.StatusCode
		}
		if status >= 500 {
			e.Kind, e.Hint = calsync.Transient, ""
		}
		e.Err = fmt.Errorf("google sign-in: %s", code)
		return e
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		reason := ""
		if len(gerr.Errors) > 0 {
			reason = gerr.Errors[0].Reason
		}
		msg := gerr.Message
		if msg == "" {
			msg = http.StatusText(gerr.Code)
		}
		e.Err = fmt.Errorf("google calendar: %d %s", gerr.Code, msg)
		if reason != "" {
			e.Err = fmt.Errorf("google calendar: %d %s (%s)", gerr.Code, msg, reason)
		}
		e.RetryAfter = retryAfter(gerr.Header)
		e.Kind = kindOf(gerr.Code, reason)
		switch e.Kind {
		case calsync.Quota:
			e.Hint = hintQuota
		case calsync.Auth:
			e.Hint = hintAuth
		case calsync.Forbidden:
			e.Hint = hintForbidden
		}
		return e
	}
	var uerr *url.Error
	var nerr net.Error
	if errors.As(err, &uerr) || errors.As(err, &nerr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		e.Kind = calsync.Transient
		e.Err = fmt.Errorf("google calendar: %s", networkMessage(err))
		return e
	}
	e.Kind = calsync.Permanent
	e.Err = err
	return e
}

// networkMessage describes a transport error without the request URL.
func networkMessage(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Op + ": " + uerr.Err.Error()
	}
	return err.Error()
}

// kindOf maps an HTTP status and Google's reason to a Kind.
func kindOf(code int, reason string) calsync.Kind {
	switch code {
	case http.StatusUnauthorized:
		return calsync.Auth
	case http.StatusForbidden:
		switch reason {
		case "rateLimitExceeded", "userRateLimitExceeded":
			return calsync.RateLimited
		case "quotaExceeded", "dailyLimitExceeded":
			return calsync.Quota
		case "forbidden", "forbiddenForNonOrganizer", "requiredAccessLevel":
			return calsync.Permanent
		}
		return calsync.Forbidden
	case http.StatusNotFound:
		return calsync.NotFound
	case http.StatusConflict:
		return calsync.Exists
	case http.StatusGone:
		return calsync.Gone
	case http.StatusPreconditionFailed:
		return calsync.Precondition
	case http.StatusTooManyRequests:
		return calsync.RateLimited
	case http.StatusRequestTimeout:
		return calsync.Transient
	}
	if code >= 500 {
		return calsync.Transient
	}
	return calsync.Permanent
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

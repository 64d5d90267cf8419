package google

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	calsync "github.com/confcal/confcal/sync"
)

func TestClassify(t *testing.T) {
	gerr := func(code int, reason string, header http.Header) error {
		e := &googleapi.Error{Code: code, Message: http.StatusText(code), Header: header}
		if reason != "" {
			e.Errors = []googleapi.ErrorItem{{Reason: reason}}
		}
		return fmt.Errorf("wrapped: %w", e)
	}
	for _, tc := range []struct {
		err   error
		kind  calsync.Kind
		after time.Duration
		hint  string
	}{
		{gerr(400, "invalid", nil), calsync.Permanent, 0, ""},
		{gerr(401, "authError", nil), calsync.Auth, 0, "confcal auth google"},
		{gerr(403, "rateLimitExceeded", nil), calsync.RateLimited, 0, ""},
		{gerr(403, "userRateLimitExceeded", http.Header{"Retry-After": {"12"}}), calsync.RateLimited, 12 * time.Second, ""},
		{gerr(403, "quotaExceeded", nil), calsync.Quota, 0, "wait a few hours"},
		{gerr(403, "insufficientPermissions", nil), calsync.Forbidden, 0, "confcal auth google --calendar"},
		{gerr(403, "forbiddenForNonOrganizer", nil), calsync.Permanent, 0, ""},
		{gerr(404, "notFound", nil), calsync.NotFound, 0, ""},
		{gerr(409, "duplicate", nil), calsync.Exists, 0, ""},
		{gerr(410, "deleted", nil), calsync.Gone, 0, ""},
		{gerr(412, "conditionNotMet", nil), calsync.Precondition, 0, ""},
		{gerr(429, "rateLimitExceeded", http.Header{"Retry-After": {"3"}}), calsync.RateLimited, 3 * time.Second, ""},
		{gerr(500, "backendError", nil), calsync.Transient, 0, ""},
		{gerr(503, "", nil), calsync.Transient, 0, ""},
		{&url.Error{Op: "Post", URL: "https://x/?key=SECRET", Err: io.ErrUnexpectedEOF}, calsync.Transient, 0, ""},
		{&url.Error{Op: "Get", URL: "https://x", Err: &oauth2.RetrieveError{ErrorCode: "invalid_grant", Body: []byte("SECRET")}}, calsync.Auth, 0, "confcal auth google"},
		{errors.New("strange"), calsync.Permanent, 0, ""},
	} {
		err := classify("op", "id", tc.err)
		var ce *calsync.Error
		if !errors.As(err, &ce) {
			t.Errorf("%v: not classified", tc.err)
			continue
		}
		if ce.Kind != tc.kind || ce.RetryAfter != tc.after || !strings.Contains(ce.Hint, tc.hint) {
			t.Errorf("%v: kind %v after %v hint %q; want %v %v %q", tc.err, ce.Kind, ce.RetryAfter, ce.Hint, tc.kind, tc.after, tc.hint)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%v: the message shows a secret: %v", tc.err, err)
		}
	}
}

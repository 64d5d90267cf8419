package caldav_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/caldav"
	"github.com/confcal/confcal/sync/calendartest"
)

const calendarProps = `<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/cal/</d:href>
<d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname>
<c:supported-calendar-component-set><c:comp name="VEVENT"/><c:comp name="VTODO"/></c:supported-calendar-component-set></d:prop>
<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`

// fakeServer answers PROPFIND on /cal/ as a calendar, logs the requests
// it gets, and answers others with reply.
type fakeServer struct {
	mu    sync.Mutex
	log   []string
	auth  []string
	reply func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.Path+" "+r.Header.Get("If-Match")+r.Header.Get("If-None-Match"))
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.reply != nil {
		f.reply(w, r)
		return
	}
	serveCalendar(w, r)
}

// serveCalendar answers PROPFIND on /cal/ as a calendar would.
func serveCalendar(w http.ResponseWriter, r *http.Request) {
	if r.Method == "PROPFIND" && r.URL.Path == "/cal/" {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, calendarProps)
		return
	}
	http.NotFound(w, r)
}

func (f *fakeServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func TestCertificateErrors(t *testing.T) {
	fake := &fakeServer{}
	srv := httptest.NewUnstartedServer(fake)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()

	cal, err := caldav.New(caldav.Options{URL: srv.URL + "/cal/", Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cal.Check(ctx)
	var ce *calsync.Error
	if !errors.As(err, &ce) || ce.Kind.Retryable() || !strings.Contains(ce.Hint, "--insecure") {
		t.Fatalf("a certificate the system does not trust: got %v, want a permanent error with a hint", err)
	}

	insecure, err := caldav.New(caldav.Options{URL: srv.URL + "/cal/", Username: "u", Password: "p", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	info, err := insecure.Check(ctx)
	if err != nil || info.Name != "Work" || !info.AcceptsEvents() {
		t.Fatalf("with Insecure: %+v, %v", info, err)
	}
}

func TestRedirects(t *testing.T) {
	other := httptest.NewServer(&fakeServer{})
	defer other.Close()
	fake := &fakeServer{}
	fake.reply = func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/old/":
			http.Redirect(w, r, "/cal/", http.StatusMovedPermanently)
		case r.URL.Path == "/away/":
			http.Redirect(w, r, other.URL+"/cal/", http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, "/old/cc"):
			http.Redirect(w, r, "/cal/"+strings.TrimPrefix(r.URL.Path, "/old/"), http.StatusTemporaryRedirect)
		default:
			serveCalendar(w, r)
		}
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx := context.Background()
	opts := caldav.Options{Username: "u", Password: "p"}

	opts.URL = srv.URL + "/old/"
	cal, _ := caldav.New(opts)
	if _, err := cal.Check(ctx); err != nil {
		t.Fatalf("a PROPFIND redirected on the same server: %v", err)
	}
	opts.URL = srv.URL + "/away/"
	cal, _ = caldav.New(opts)
	if _, err := cal.Check(ctx); err == nil || !strings.Contains(err.Error(), "redirected to "+other.URL) {
		t.Fatalf("a redirect to another server: %v", err)
	}
	opts.URL = srv.URL + "/old/"
	cal, _ = caldav.New(opts)
	if err := cal.Delete(ctx, calsync.Remote{ID: calendartest.Item(1, "x").ID, Version: `"1"`}); calsync.KindOf(err) != calsync.Permanent {
		t.Fatalf("a DELETE redirected: %v", err)
	}
	for _, r := range fake.requests() {
		if strings.HasPrefix(r, "DELETE /cal/") {
			t.Fatalf("a write followed a redirect: %v", fake.requests())
		}
	}
}

func TestCredentials(t *testing.T) {
	fake := &fakeServer{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx := context.Background()

	cal, err := caldav.New(caldav.Options{URL: srv.URL + "/cal/", Token: "tok-123"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cal.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fake.auth[0]; got != "Bearer tok-123" {
		t.Fatalf("Authorization %q", got)
	}

	for _, opts := range []caldav.Options{
		{URL: srv.URL, Username: "u", Password: "p", Token: "t"},
		{URL: srv.URL, Password: "p"},
		{URL: srv.URL, Username: "u"},
		{URL: strings.Replace(srv.URL, "http://", "http://u:hunter2@", 1)},
		{URL: "ftp://example.org/cal/"},
		{URL: srv.URL + "/cal/?token=hunter2"},
	} {
		_, err := caldav.New(opts)
		if err == nil {
			t.Errorf("New(%+v) accepted", opts)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows a secret: %v", err)
		}
	}
	if _, err := caldav.New(caldav.Options{URL: "http://u:hunter2@exa mple.org/%zz"}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a malformed URL with a password: %v", err)
	}
}

// TestSecretsNeverShown has a server echo the credentials in its error
// body: the error must not show them.
func TestSecretsNeverShown(t *testing.T) {
	const password = "s3cret-Pa55"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		http.Error(w, fmt.Sprintf("bad request from %s with password %s (%s)", u, p, r.Header.Get("Authorization")), http.StatusBadRequest)
	}))
	defer srv.Close()
	cal, err := caldav.New(caldav.Options{URL: srv.URL + "/cal/", Username: "alice", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cal.List(context.Background(), calsync.Owner{})
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + password))
	if err == nil || strings.Contains(err.Error(), password) || strings.Contains(err.Error(), basic) ||
		!strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("error: %v", err)
	}
}

// TestStatuses checks how answers to writes are classified.
func TestStatuses(t *testing.T) {
	tests := []struct {
		name   string
		op     string // insert, update, delete
		status int
		header map[string]string
		body   string
		head   int // the answer to the HEAD after a 412
		kind   calsync.Kind
	}{
		{"unauthorised", "insert", 401, nil, "", 0, calsync.Auth},
		{"forbidden", "insert", 403, nil, "", 0, calsync.Forbidden},
		{"invalid data", "insert", 403, map[string]string{"Content-Type": "application/xml"},
			`<d:error xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:valid-calendar-data/></d:error>`, 0, calsync.Permanent},
		{"UID taken", "insert", 409, map[string]string{"Content-Type": "text/xml"},
			`<error xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:no-uid-conflict /></error>`, 0, calsync.Permanent},
		{"id taken", "insert", 412, nil, "", 0, calsync.Exists},
		{"changed", "update", 412, nil, "", 200, calsync.Precondition},
		{"gone meanwhile", "update", 412, nil, "", 404, calsync.NotFound},
		{"delete changed", "delete", 412, nil, "", 200, calsync.Precondition},
		{"delete gone", "delete", 404, nil, "", 0, calsync.NotFound},
		{"rate limited", "insert", 429, map[string]string{"Retry-After": "7"}, "", 0, calsync.RateLimited},
		{"server error", "update", 503, nil, "", 0, calsync.Transient},
		{"locked", "update", 423, nil, "", 0, calsync.Transient},
		{"full", "insert", 507, nil, "", 0, calsync.Quota},
		{"too large", "insert", 413, nil, "", 0, calsync.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead {
					w.WriteHeader(tt.head)
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			cal, _ := caldav.New(caldav.Options{URL: srv.URL + "/cal/", Username: "u", Password: "p"})
			it := calendartest.Item(1, "x")
			base := calsync.Remote{ID: it.ID, Version: `"v1"`, Marker: it.Marker}
			var err error
			switch tt.op {
			case "insert":
				_, err = cal.Insert(context.Background(), it)
			case "update":
				_, err = cal.Update(context.Background(), it, base)
			case "delete":
				err = cal.Delete(context.Background(), base)
			}
			if !calsync.IsKind(err, tt.kind) {
				t.Fatalf("got %v (%s), want kind %s", err, calsync.KindOf(err), tt.kind)
			}
			var ce *calsync.Error
			errors.As(err, &ce)
			if tt.header["Retry-After"] == "7" && ce.RetryAfter != 7*time.Second {
				t.Errorf("RetryAfter %v", ce.RetryAfter)
			}
			if tt.name == "UID taken" && !strings.Contains(ce.Hint, "UID") {
				t.Errorf("hint %q", ce.Hint)
			}
		})
	}
}

// TestConditions checks the conditions every write carries, and that a
// server that leaves the ETag out of its answer is read back.
func TestConditions(t *testing.T) {
	var mu sync.Mutex
	stored := map[string][]byte{}
	fake := &fakeServer{}
	fake.reply = func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			stored[r.URL.Path] = b
			w.WriteHeader(http.StatusCreated) // no ETag
		case http.MethodGet:
			b, ok := stored[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.Header().Set("ETag", fmt.Sprintf(`"%d"`, len(b)))
			w.Write(b)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cal, _ := caldav.New(caldav.Options{URL: srv.URL + "/cal", Username: "u", Password: "p"})
	ctx := context.Background()
	it := calendartest.Item(2, "Conditions")
	r, err := cal.Insert(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version == "" || r.Marker != it.Marker {
		t.Fatalf("insert returned %+v", r)
	}
	if _, err := cal.Update(ctx, it, r); err != nil {
		t.Fatal(err)
	}
	if err := cal.Delete(ctx, calsync.Remote{ID: it.ID, Version: "unquoted"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cal.Update(ctx, it, calsync.Remote{ID: it.ID}); !calsync.IsKind(err, calsync.Precondition) {
		t.Fatalf("an update without a version: %v", err)
	}
	if err := cal.Delete(ctx, calsync.Remote{ID: "dentist", Version: `"1"`}); calsync.KindOf(err) != calsync.Permanent {
		t.Fatalf("deleting an object not named like confcal's: %v", err)
	}
	path := "/cal/" + it.ID + ".ics"
	want := []string{
		"PUT " + path + " *",
		"GET " + path + " ",
		"PUT " + path + " " + r.Version,
		"GET " + path + " ",
		"DELETE " + path + ` "unquoted"`,
	}
	if got := fake.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

package attend_test

import (
	"context"
	"crypto/rand"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/internal/secret"
	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

func newTestKeys(t *testing.T) *secret.Key {
	raw := make([]byte, secret.KeySize)
	rand.Read(raw)
	k, err := secret.NewKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// site is the attendee pages of a feed server, the fake Google, and a
// browser with cookies.
type site struct {
	t       *testing.T
	fake    *googletest.Server
	web     *attend.Web
	handler atomic.Pointer[handlerBox]
	store   attend.Store
	worker  *attend.Worker
	set     atomic.Pointer[feed.Set]
	base    string
	browser *http.Client
}

// handlerBox holds the handler the site's server answers with.
type handlerBox struct{ http.Handler }

func newSite(t *testing.T, store attend.Store) *site {
	s := &site{t: t, fake: googletest.NewServer(), store: store}
	t.Cleanup(s.fake.Close)
	s.fake.RequireAuth()
	s.set.Store(feedtest.BuildSet(t, feedtest.ServerProgramme))
	mux := http.NewServeMux()
	s.handler.Store(&handlerBox{mux})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handler.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	s.base = srv.URL + "/"
	s.fake.AddClient(googletest.Client{ID: "web-client", Secret: "web-secret", Name: "Test Conference",
		RedirectURIs: []string{s.base + attend.CallbackPath}})
	g := &attend.Google{
		OAuth: &oauth2.Config{ClientID: "web-client", ClientSecret: "web-secret", RedirectURL: s.base + attend.CallbackPath,
			Endpoint: oauth2.Endpoint{AuthURL: s.fake.AuthURL(), TokenURL: s.fake.TokenURL()}, Scopes: []string{google.ScopeAppCreated}},
		Auth:   google.AuthServer{AuthURL: s.fake.AuthURL(), TokenURL: s.fake.TokenURL(), RevokeURL: s.fake.RevokeURL()},
		Client: []option.ClientOption{option.WithEndpoint(s.fake.Endpoint())},
	}
	keys := newTestKeys(t)
	s.worker = attend.NewWorker(attend.WorkerOptions{Store: store, Edition: s.set.Load, Connect: attend.GoogleConnector(keys, g),
		Rate: 1000, UserRate: 1000})
	base, _ := url.Parse(s.base)
	web, err := attend.NewWeb(attend.WebOptions{Store: store, Worker: s.worker, Edition: s.set.Load, Google: g, Keys: keys,
		BaseURL: base, StartRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	web.Register(mux, "/")
	s.web = web
	jar, _ := cookiejar.New(nil)
	s.browser = &http.Client{Jar: jar}
	return s
}

// get fetches u in the browser, following redirects.
func (s *site) get(u string) (int, string) {
	s.t.Helper()
	resp, err := s.browser.Get(u)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *site) post(u string, form url.Values) (int, string) {
	s.t.Helper()
	resp, err := s.browser.PostForm(u, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var consentRequest = regexp.MustCompile(`name="request" value="([^"]+)"`)

// consent answers the fake's consent page.
func (s *site) consent(page, decision string) (int, string) {
	s.t.Helper()
	m := consentRequest.FindStringSubmatch(page)
	if m == nil {
		s.t.Fatalf("not the consent page:\n%s", page)
	}
	return s.post(s.fake.URL()+"/o/oauth2/auth", url.Values{"request": {html.UnescapeString(m[1])}, "decision": {decision}})
}

// signUp runs the whole sign-up of query and returns the result page.
func (s *site) signUp(query string) string {
	s.t.Helper()
	code, page := s.get(s.base + attend.StartPath + "?" + query)
	if code != 200 {
		s.t.Fatalf("start: %d\n%s", code, page)
	}
	code, page = s.consent(page, "allow")
	if code != 200 {
		s.t.Fatalf("callback: %d\n%s", code, page)
	}
	return page
}

func (s *site) events() []string {
	var out []string
	for _, cal := range s.fake.Calendars() {
		for _, ev := range s.fake.Events(cal) {
			if ev.Status != "cancelled" {
				out = append(out, ev.Summary+" @ "+ev.Start.DateTime)
			}
		}
	}
	slices.Sort(out)
	return out
}

var manageLink = regexp.MustCompile(`id="manage" href="([^"]+)"`)

func TestSignUpSyncAndDelete(t *testing.T) {
	s := newSite(t, attend.NewMemory())
	page := s.signUp("session=opening,engines")
	for _, want := range []string{"Opening", "Analytical engines", "holds these 2 sessions"} {
		if !strings.Contains(page, want) {
			t.Errorf("the result page does not say %q:\n%s", want, page)
		}
	}
	want := []string{"Analytical engines @ 2025-03-10T10:00:00+01:00", "Opening @ 2025-03-10T09:00:00+01:00"}
	if got := s.events(); !slices.Equal(got, want) {
		t.Fatalf("the attendee's calendar holds %q, want %q", got, want)
	}
	m := manageLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no manage link:\n%s", page)
	}
	manage := html.UnescapeString(m[1])

	// Engines moves: the next edition reaches the calendar, no duplicate.
	moved := strings.Replace(feedtest.ServerProgramme, "start: 2025-03-10T10:00, end: 2025-03-10T11:00, venue: hall, room: a",
		"start: 2025-03-10T14:00, end: 2025-03-10T15:00, venue: hall, room: b", 1)
	set := feedtest.BuildSet(t, moved)
	s.set.Store(set)
	if n, err := s.worker.OnEdition(context.Background(), set); err != nil || n != 1 {
		t.Fatalf("OnEdition: %d, %v", n, err)
	}
	if _, err := s.worker.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	want = []string{"Analytical engines @ 2025-03-10T14:00:00+01:00", "Opening @ 2025-03-10T09:00:00+01:00"}
	if got := s.events(); !slices.Equal(got, want) {
		t.Errorf("after the move: %q, want %q", got, want)
	}

	code, mpage := s.get(manage)
	if code != 200 || !strings.Contains(mpage, `id="status">active<`) || !strings.Contains(mpage, "0 added, 1 changed, 0 removed") {
		t.Fatalf("manage page: %d\n%s", code, mpage)
	}
	if code, _ := s.post(manage+"/delete", url.Values{"csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("a delete without the page's CSRF token: %d, want 403", code)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(mpage)[1]
	code, gone := s.post(manage+"/delete", url.Values{"csrf": {csrf}, "calendar": {"delete"}})
	if code != 200 || !strings.Contains(gone, "deleted") {
		t.Fatalf("delete: %d\n%s", code, gone)
	}
	if n := s.fake.LiveRefreshTokens(googletest.Primary); n != 0 {
		t.Errorf("%d refresh tokens still live after delete", n)
	}
	if len(s.fake.Calendars()) != 0 {
		t.Errorf("the calendar was not deleted: %v", s.fake.Calendars())
	}
	if code, _ := s.get(manage); code != http.StatusNotFound {
		t.Errorf("the manage link after delete: %d, want 404", code)
	}
}

// Forged, replayed or tampered sign-ins get a 4xx page and store nothing.
func TestSignInRefusesForgeries(t *testing.T) {
	s := newSite(t, attend.NewMemory())
	stored := func() int {
		subs, _ := s.store.List(context.Background(), "conf")
		return len(subs)
	}
	// A selection with an unknown id never reaches Google.
	if code, page := s.get(s.base + attend.StartPath + "?session=opening,nope"); code != http.StatusBadRequest || !strings.Contains(page, "nope") {
		t.Errorf("unknown session: %d\n%s", code, page)
	}
	// A forged state: the callback of another sign-in.
	code, page := s.get(s.base + attend.StartPath + "?session=opening")
	if code != 200 {
		t.Fatal(page)
	}
	m := consentRequest.FindStringSubmatch(page)
	noFollow := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(s.fake.URL()+"/o/oauth2/auth", url.Values{"request": {html.UnescapeString(m[1])}, "decision": {"allow"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))
	q := callback.Query()
	forged := *callback
	fq := url.Values{"code": {q.Get("code")}, "state": {"forged"}}
	forged.RawQuery = fq.Encode()
	if code, _ := s.get(forged.String()); code != http.StatusBadRequest {
		t.Errorf("forged state: %d, want 400", code)
	}
	// A forged answer does not use the cookie up: the genuine one that
	// follows still signs in.
	if code, _ := s.get(callback.String()); code != http.StatusOK {
		t.Errorf("the genuine callback after a forged one: %d, want 200", code)
	}
	if stored() != 1 {
		t.Fatalf("%d subscriptions after one sign-up", stored())
	}
	// A tampered cookie is refused.
	u, _ := url.Parse(s.base)
	s.browser.Jar.SetCookies(u, []*http.Cookie{{Name: "confcal_signin", Value: "AAAA" + strings.Repeat("x", 40), Path: "/"}})
	if code, _ := s.get(callback.String()); code != http.StatusBadRequest {
		t.Errorf("tampered cookie: %d, want 400", code)
	}
	// A replayed code: the genuine code again, with a fresh cookie and
	// state.
	_, page = s.get(s.base + attend.StartPath + "?session=opening")
	m = consentRequest.FindStringSubmatch(page)
	resp, _ = noFollow.PostForm(s.fake.URL()+"/o/oauth2/auth", url.Values{"request": {html.UnescapeString(m[1])}, "decision": {"allow"}})
	resp.Body.Close()
	fresh, _ := url.Parse(resp.Header.Get("Location"))
	replay := *fresh
	rq := url.Values{"code": {q.Get("code")}, "state": {fresh.Query().Get("state")}}
	replay.RawQuery = rq.Encode()
	if code, _ := s.get(replay.String()); code != http.StatusBadRequest {
		t.Errorf("replayed code: %d, want 400", code)
	}
	// Declining at Google stores nothing either.
	_, page = s.get(s.base + attend.StartPath + "?session=opening")
	if code, _ := s.consent(page, "deny"); code != http.StatusForbidden {
		t.Errorf("declined: %d, want 403", code)
	}
	if stored() != 1 {
		t.Errorf("%d subscriptions, want the 1 genuine one", stored())
	}
	// Manage links of the wrong length or unknown.
	for _, bad := range []string{"short", strings.Repeat("A", secret.ManageTokenLen+1), strings.Repeat("A", secret.ManageTokenLen)} {
		if code, _ := s.get(s.base + attend.ManagePath + bad); code != http.StatusNotFound {
			t.Errorf("manage link %q: %d, want 404", bad, code)
		}
	}
}

// A grant the attendee revokes at Google marks the subscription broken;
// its manage page says so and offers to reconnect, which resumes it.
func TestRevokedGrantAndReconnect(t *testing.T) {
	s := newSite(t, attend.NewMemory())
	page := s.signUp("feed=track/art.ics")
	manage := html.UnescapeString(manageLink.FindStringSubmatch(page)[1])
	s.fake.RevokeUser(googletest.Primary)
	s.fake.ExpireAccessTokens()
	set := feedtest.BuildSet(t, strings.Replace(feedtest.ServerProgramme, "title: Painting with numbers", "title: Painting by numbers", 1))
	s.set.Store(set)
	s.worker.OnEdition(context.Background(), set)
	s.worker.Drain(context.Background())
	_, mpage := s.get(manage)
	if !strings.Contains(mpage, `id="status">broken<`) || !strings.Contains(mpage, `id="reconnect"`) {
		t.Fatalf("after the grant was revoked:\n%s", mpage)
	}
	code, consentPage := s.get(manage + "/reconnect")
	if code != 200 {
		t.Fatalf("reconnect: %d\n%s", code, consentPage)
	}
	if code, mpage = s.consent(consentPage, "allow"); code != 200 || !strings.Contains(mpage, `id="status">active<`) {
		t.Fatalf("after reconnecting: %d\n%s", code, mpage)
	}
	s.worker.Drain(context.Background())
	if got := s.events(); !slices.Equal(got, []string{"Painting by numbers @ 2025-03-10T10:30:00+01:00"}) {
		t.Errorf("after reconnecting: %q", got)
	}
}

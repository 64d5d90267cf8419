package attend

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	stdsync "sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/internal/secret"
	"github.com/confcal/confcal/sync/google"
)

// The paths of the attendee pages, under the server's base URL.
const (
	StartPath    = "sync/google/start"
	CallbackPath = "auth/google/callback"
	ManagePath   = "manage/"
)

// signinCookie is the name of the short-lived cookie of a sign-in.
const signinCookie = "confcal_signin"

// DefaultStartRate is the sign-ins a client address may start per
// second: one every ten seconds, after a burst of five.
const DefaultStartRate = 0.1

// SigninTTL is how long a sign-in may take, from the button to Google's
// answer.
const SigninTTL = 10 * time.Minute

// WebOptions configure the attendee pages.
type WebOptions struct {
	Store  Store
	Worker *Worker
	// Edition returns the feed set being served.
	Edition func() *feed.Set
	Google  *Google
	Keys    Keys
	// BaseURL is the public address of the server, ending in "/".
	BaseURL *url.URL
	// StartRate bounds the sign-ins one client address may start, per
	// second; a burst of five is allowed, and all addresses together may
	// start a hundred times as many (at least 20 a second). Zero means
	// DefaultStartRate.
	StartRate float64
	Now       func() time.Time
	Log       *slog.Logger
}

// Web serves the attendee pages: the start of the sign-in, Google's
// callback, the result page and the manage pages.
type Web struct {
	opts   WebOptions
	log    *slog.Logger
	secure bool

	mu       stdsync.Mutex
	limiters map[string]*rate.Limiter
	all      *rate.Limiter
}

// NewWeb returns the attendee pages of opts.
func NewWeb(opts WebOptions) (*Web, error) {
	if opts.Store == nil || opts.Worker == nil || opts.Edition == nil || opts.Google == nil || opts.Keys == nil || opts.BaseURL == nil {
		return nil, errors.New("attendee pages: incomplete options")
	}
	if opts.StartRate <= 0 {
		opts.StartRate = DefaultStartRate
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Web{opts: opts, log: log, secure: secret.SecureCookies(opts.BaseURL),
		limiters: map[string]*rate.Limiter{}, all: rate.NewLimiter(rate.Limit(max(20, 100*opts.StartRate)), 50)}, nil
}

// Register adds the attendee routes to mux, under prefix (the path of the
// base URL, "/" or "/conf/").
func (web *Web) Register(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("GET "+prefix+StartPath, web.start)
	mux.HandleFunc("GET "+prefix+CallbackPath, web.callback)
	mux.HandleFunc("GET "+prefix+ManagePath+"{token}", web.manage)
	mux.HandleFunc("GET "+prefix+ManagePath+"{token}/reconnect", web.reconnect)
	mux.HandleFunc("POST "+prefix+ManagePath+"{token}/{action}", web.act)
}

// allow applies the sign-in rate limits: per client address, and in all.
func (web *Web) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	web.mu.Lock()
	defer web.mu.Unlock()
	if len(web.limiters) > 10000 {
		clear(web.limiters) // a flood of addresses: start afresh
	}
	l := web.limiters[host]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(web.opts.StartRate), 5)
		web.limiters[host] = l
	}
	return l.Allow() && web.all.Allow()
}

// start checks the selection and sends the attendee to Google's consent
// page, with a state and a PKCE verifier kept in a sealed cookie.
func (web *Web) start(w http.ResponseWriter, r *http.Request) {
	if !web.allow(r) {
		w.Header().Set("Retry-After", "10")
		web.fail(w, http.StatusTooManyRequests, "Too many sign-ins", "Too many sign-ins were started from here: wait a few seconds and try again.")
		return
	}
	set := web.opts.Edition()
	if set == nil {
		web.fail(w, http.StatusServiceUnavailable, "Not ready", "The programme is not loaded yet: try again in a moment.")
		return
	}
	c, err := Resolve(set, r.URL.Query())
	if err != nil {
		web.fail(w, http.StatusBadRequest, "Nothing to sync", "This selection does not fit the programme: "+err.Error()+".")
		return
	}
	web.redirectToGoogle(w, r, signinState{Selection: c.Selection})
}

// reconnect starts a sign-in that gives a broken subscription a new
// grant.
func (web *Web) reconnect(w http.ResponseWriter, r *http.Request) {
	s, token, ok := web.subscription(w, r)
	if !ok {
		return
	}
	if !web.allow(r) {
		web.fail(w, http.StatusTooManyRequests, "Too many sign-ins", "Too many sign-ins were started from here: wait a few seconds and try again.")
		return
	}
	web.redirectToGoogle(w, r, signinState{Selection: s.Selection, Reconnect: token})
}

func (web *Web) redirectToGoogle(w http.ResponseWriter, r *http.Request, st signinState) {
	st.State, st.Verifier, st.Expires = randomID(), oauth2.GenerateVerifier(), web.opts.Now().Add(SigninTTL)
	value, err := sealValue(web.opts.Keys, purposeCookie, st)
	if err != nil {
		web.internal(w, err)
		return
	}
	http.SetCookie(w, web.cookie(value, int(SigninTTL/time.Second)))
	u := web.opts.Google.OAuth.AuthCodeURL(st.State, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(st.Verifier),
		oauth2.SetAuthURLParam("prompt", "consent"))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (web *Web) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: signinCookie, Value: value, Path: web.opts.BaseURL.Path, MaxAge: maxAge,
		HttpOnly: true, Secure: web.secure, SameSite: http.SameSiteLaxMode}
}

// callback is where Google sends the attendee back: it checks the state
// against the cookie, exchanges the code with the verifier, creates the
// calendar, stores the subscription and runs the first sync.
func (web *Web) callback(w http.ResponseWriter, r *http.Request) {
	st, ok := web.signin(w, r)
	if !ok {
		return
	}
	http.SetCookie(w, web.cookie("", -1)) // one use
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		web.fail(w, http.StatusForbidden, "Not connected", "Google says: "+e+". Nothing was stored; you can start again from the programme page.")
		return
	}
	ctx := web.opts.Google.oauthContext(r.Context())
	tok, err := web.opts.Google.OAuth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		web.log.Warn("attendee sign-in: code exchange failed", "err", err)
		web.fail(w, http.StatusBadRequest, "Sign-in failed", "Google did not accept this sign-in (it may have been used already, or have expired). Nothing was stored: start again from the programme page.")
		return
	}
	if tok.RefreshToken == "" {
		web.fail(w, http.StatusBadGateway, "No lasting access", "Google gave no lasting access, so the calendar could not be kept current. Remove this site from your Google account's third-party access, then start again.")
		return
	}
	if st.Reconnect != "" {
		web.reconnected(w, r, st, tok.RefreshToken)
		return
	}
	web.subscribe(w, r, st, tok.RefreshToken)
}

// signin reads the sign-in cookie and checks Google's state against it.
func (web *Web) signin(w http.ResponseWriter, r *http.Request) (signinState, bool) {
	var st signinState
	c, err := r.Cookie(signinCookie)
	if err != nil {
		web.fail(w, http.StatusBadRequest, "Sign-in not recognised", "This sign-in was not started here, or in another browser: start again from the programme page.")
		return st, false
	}
	if err := openValue(web.opts.Keys, purposeCookie, c.Value, &st); err != nil {
		web.fail(w, http.StatusBadRequest, "Sign-in not recognised", "The sign-in cookie was not made by this server: start again from the programme page.")
		return st, false
	}
	if web.opts.Now().After(st.Expires) {
		web.fail(w, http.StatusBadRequest, "Sign-in expired", "The sign-in took longer than ten minutes: start again from the programme page.")
		return st, false
	}
	if state := r.URL.Query().Get("state"); state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(st.State)) != 1 {
		web.fail(w, http.StatusBadRequest, "Sign-in not recognised", "The answer from Google does not belong to the sign-in started in this browser. Nothing was stored: start again from the programme page.")
		return st, false
	}
	return st, true
}

// subscribe creates the attendee's calendar and subscription, runs the
// first sync and shows what it added.
func (web *Web) subscribe(w http.ResponseWriter, r *http.Request, st signinState, refresh string) {
	ctx := r.Context()
	set := web.opts.Edition()
	c, err := ResolveStored(set, st.Selection)
	if err != nil {
		web.fail(w, http.StatusBadRequest, "Nothing to sync", "This selection no longer fits the programme: "+err.Error()+".")
		return
	}
	token, hash := newManageToken()
	manage := web.manageURL(token)
	name := c.Title
	cal, err := web.opts.Google.calendar(ctx, refresh, "", &google.NewCalendar{Summary: name, TimeZone: set.Programme.TimeZone,
		Description: fmt.Sprintf("Sessions of %s chosen on %s, kept up to date by confcal. To change or stop: %s",
			name, web.opts.BaseURL, manage)})
	if err == nil {
		_, err = cal.Create(ctx)
	}
	if err != nil {
		web.log.Error("attendee sign-in: create the calendar", "err", err)
		web.fail(w, http.StatusBadGateway, "Calendar not created", "Google did not let confcal create your calendar: "+err.Error())
		return
	}
	s := &Subscription{ID: randomID(), Programme: set.Programme.ID, Selection: c.Selection, Calendar: cal.ID(),
		CalendarName: name, ManageHash: hash, Status: Active, Created: web.opts.Now().UTC()}
	if s.Token, err = web.opts.Keys.Seal([]byte(refresh), []byte(s.ID)); err != nil {
		web.internal(w, err)
		return
	}
	if err := web.opts.Store.Create(ctx, s); err != nil {
		web.internal(w, err)
		return
	}
	rec, err := web.opts.Worker.Sync(ctx, s, true)
	if err != nil {
		web.log.Warn("attendee first sync failed; queued", "subscription", s.ID, "err", err)
		if qerr := web.opts.Store.Enqueue(ctx, s.ID, web.opts.Now().Add(time.Minute), true); qerr != nil {
			web.log.Error("attendee sync: enqueue", "err", qerr)
		}
	}
	web.log.Info("attendee subscribed", "subscription", s.ID, "sessions", len(c.Sessions))
	web.page(w, http.StatusOK, "result", resultPage{Title: "Your calendar is ready", Name: name, Choice: web.describe(set, c),
		Manage: manage, Calendar: google.CalendarURL(s.Calendar), Result: rec.Result, Failed: err != nil})
}

// reconnected gives a broken subscription its new grant and syncs it.
func (web *Web) reconnected(w http.ResponseWriter, r *http.Request, st signinState, refresh string) {
	ctx := r.Context()
	hash, _ := parseManageToken(st.Reconnect)
	s, err := web.opts.Store.ByManageHash(ctx, hash)
	if err != nil {
		web.fail(w, http.StatusNotFound, "No such sync", "The sync to reconnect no longer exists.")
		return
	}
	sealed, err := web.opts.Keys.Seal([]byte(refresh), []byte(s.ID))
	if err == nil {
		err = web.opts.Store.SetToken(ctx, s.ID, sealed)
	}
	if err == nil {
		err = web.opts.Store.Enqueue(ctx, s.ID, web.opts.Now(), true)
	}
	if err != nil {
		web.internal(w, err)
		return
	}
	web.opts.Worker.Notify()
	http.Redirect(w, r, web.manageURL(st.Reconnect), http.StatusSeeOther)
}

func (web *Web) manageURL(token string) string {
	return web.opts.BaseURL.JoinPath(ManagePath + token).String()
}

func (web *Web) internal(w http.ResponseWriter, err error) {
	web.log.Error("attendee pages", "err", err)
	web.fail(w, http.StatusInternalServerError, "Something went wrong", "The server could not finish this: try again in a moment.")
}

// subscription finds the subscription of the manage link in the path.
func (web *Web) subscription(w http.ResponseWriter, r *http.Request) (*Subscription, string, bool) {
	token := r.PathValue("token")
	hash, ok := parseManageToken(token)
	if !ok {
		web.fail(w, http.StatusNotFound, "Not a manage link", "This address is not a manage link: check that it was copied whole.")
		return nil, "", false
	}
	s, err := web.opts.Store.ByManageHash(r.Context(), hash)
	if errors.Is(err, ErrNotFound) {
		web.fail(w, http.StatusNotFound, "No such sync", "No sync is kept under this link: it may have been deleted.")
		return nil, "", false
	}
	if err != nil {
		web.internal(w, err)
		return nil, "", false
	}
	return s, token, true
}

// describe lists the sessions of a choice for a page.
func (web *Web) describe(set *feed.Set, c *Choice) []sessionLine {
	lines := make([]sessionLine, 0, len(c.Sessions))
	p := set.Programme
	for _, s := range c.Sessions {
		when := ""
		if s.AllDay {
			when = s.StartDate.String()
		} else {
			when = s.Start.In(s.Zone(p)).Format("Mon 2 Jan 15:04")
		}
		lines = append(lines, sessionLine{ID: s.ID, Title: set.Text(s.Title), When: when})
	}
	return lines
}

package googletest

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// consentPage is the fake's consent screen. Its element ids are stable for
// browser tests: #account (the signed-in email), #client, #scopes, and the
// buttons #allow and #deny of one form.
var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Sign in - Google Accounts (fake)</title>
<h1><span id="client">{{.Client}}</span> wants to access your Google Account</h1>
<p>Signed in as <span id="account">{{.Account}}</span></p>
<p>This will allow <b>{{.Client}}</b> to:</p>
<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="/o/oauth2/auth">
<input type="hidden" name="request" value="{{.Request}}">
<button id="deny" type="submit" name="decision" value="deny">Cancel</button>
<button id="allow" type="submit" name="decision" value="allow">Allow</button>
</form>
`))

// errorPage is Google's "Authorization Error" page: the error code in
// #error, what is wrong in #description.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Authorization Error (fake)</title>
<h1>Access blocked: this app's request is invalid</h1>
<p>Error {{.Status}}: <span id="error">{{.Error}}</span></p>
<p id="description">{{.Description}}</p>
`))

func authError(w http.ResponseWriter, status int, kind, description string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	errorPage.Execute(w, map[string]any{"Status": status, "Error": kind, "Description": description})
}

// authorize serves GET /o/oauth2/auth: it checks the request as Google
// does, then shows the consent page for the signed-in user.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.counts["authorize"]++
	c, ok := s.auth.clients[q.Get("client_id")]
	if !ok {
		authError(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		authError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: redirect_uri")
		return
	}
	if !c.allows(redirect) {
		authError(w, http.StatusBadRequest, "redirect_uri_mismatch",
			"The redirect URI in the request, "+redirect+", does not match the ones authorized for the OAuth client.")
		return
	}
	req, kind, desc := s.checkAuthRequest(q)
	if kind != "" {
		authError(w, http.StatusBadRequest, kind, desc)
		return
	}
	req.key = grantKey{client: c.ID, user: s.auth.user}
	if hint := q.Get("login_hint"); hint != "" {
		req.key.user = hint
	}
	req.redirect = redirect
	id := randomToken("req-")
	s.auth.pending[id] = req
	var scopes []string
	for _, sc := range req.scopes {
		scopes = append(scopes, knownScopes[sc])
	}
	name := c.Name
	if name == "" {
		name = c.ID
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	consentPage.Execute(w, map[string]any{"Client": name, "Account": req.key.user, "Scopes": scopes, "Request": id})
}

// checkAuthRequest checks the parameters of an authorisation request
// after the client and redirect URI: it returns the request, or an error
// code and description.
func (s *Server) checkAuthRequest(q url.Values) (*authRequest, string, string) {
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return nil, "invalid_request", "Missing required parameter: response_type"
	default:
		return nil, "unsupported_response_type", "Invalid response_type: " + rt + " (the fake serves the code flow only)"
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		return nil, "invalid_request", "Missing required parameter: scope"
	}
	for _, sc := range scopes {
		if _, ok := knownScopes[sc]; !ok {
			return nil, "invalid_scope", "Some requested scopes were invalid. {invalid=[" + sc + "]}"
		}
	}
	if q.Get("state") == "" {
		return nil, "invalid_request", "Missing required parameter: state (the fake insists on one)"
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "":
		return nil, "invalid_request", "Missing required parameter: code_challenge (the fake insists on PKCE)"
	case method != "S256":
		return nil, "invalid_request", fmt.Sprintf("Invalid code_challenge_method: %q (the fake accepts only S256)", method)
	case len(challenge) != 43:
		return nil, "invalid_request", "Invalid code_challenge: an S256 challenge is 43 characters of base64url"
	}
	access := q.Get("access_type")
	if access != "" && access != "online" && access != "offline" {
		return nil, "invalid_request", "Invalid access_type: " + access
	}
	prompts := strings.Fields(q.Get("prompt"))
	for _, p := range prompts {
		if p != "none" && p != "consent" && p != "select_account" {
			return nil, "invalid_request", "Invalid prompt: " + p
		}
	}
	return &authRequest{state: q.Get("state"), challenge: challenge, scopes: scopes,
		offline: access == "offline", consent: slices.Contains(prompts, "consent")}, "", ""
}

// consent serves the consent form: Allow redirects with a code and the
// state, Cancel with error=access_denied.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		authError(w, http.StatusBadRequest, "invalid_request", "Could not parse the form.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PostForm.Get("request")
	req, ok := s.auth.pending[id]
	if !ok {
		authError(w, http.StatusBadRequest, "invalid_request", "This sign-in request expired or was already answered.")
		return
	}
	delete(s.auth.pending, id)
	answer := url.Values{"state": {req.state}}
	if r.PostForm.Get("decision") == "allow" {
		code := randomToken("4/fake-")
		s.auth.codes[code] = &authCode{authRequest: *req, expiry: s.now().Add(codeLifetime)}
		answer.Set("code", code)
		answer.Set("scope", strings.Join(req.scopes, " "))
	} else {
		answer.Set("error", "access_denied")
	}
	http.Redirect(w, r, withQuery(req.redirect, answer), http.StatusFound)
}

// withQuery adds v to the query of the redirect URI u.
func withQuery(u string, v url.Values) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := parsed.Query()
	for k, vs := range v {
		q[k] = vs
	}
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/sync/google"
)

type authGoogleOptions struct {
	noBrowser bool
	status    bool
	revoke    bool
	localOnly bool
}

func newAuthCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign in to calendar services for sync",
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAuthGoogleCmd(a))
	return cmd
}

func newAuthGoogleCmd(a *app) *cobra.Command {
	opts := &authGoogleOptions{}
	cmd := &cobra.Command{
		Use:   "google",
		Short: "Sign in to Google Calendar, show or remove the saved sign-in",
		Long: `Auth google signs in to Google Calendar with your own OAuth client, so that
'confcal sync google' can write to your calendars.

Create the client once in the Google Cloud console: enable the Google
Calendar API, configure the OAuth consent screen, and create an OAuth client
ID of type "Desktop app"; download its JSON and pass it with
--client-secrets (or set google.client_secrets in the config).

confcal then listens on 127.0.0.1 on a random port, opens the browser on
Google's consent page (--no-browser prints the address instead), and, when
Google sends the browser back, checks the random state, exchanges the code
with its PKCE verifier and saves the token with mode 0600 as
$XDG_CONFIG_HOME/confcal/google-token.json (or google.token). The token is
refreshed automatically and the file rewritten when it is.

Scopes: confcal asks for the narrowest that does the job. By default that is
calendar.app.created: confcal may create calendars and change events in the
calendars it created, and nothing else. To sync into an existing calendar
(--calendar ID, or google.calendar in the config), sign in with --calendar
to grant calendar.events instead. confcal also asks for your email address
(openid, email), only to show whose sign-in it is.

While the consent screen of your OAuth client is in "Testing", Google lets
tokens expire after 7 days: sign in again then, or publish the app.

--status shows whose sign-in it is, its scopes and when the access token
expires. --revoke revokes the grant at Google and removes the token
(--local-only removes only the file). No token or secret is ever printed.

For tests, CONFCAL_GOOGLE_AUTH_URL, CONFCAL_GOOGLE_TOKEN_URL and
CONFCAL_GOOGLE_REVOKE_URL replace Google's endpoints (and those of the client
file) with another authorization server's.`,
		Example: `  confcal auth google --client-secrets client_secret.json
  confcal auth google --client-secrets client_secret.json --no-browser
  confcal auth google --client-secrets client_secret.json --calendar primary
  confcal auth google --status
  confcal auth google --revoke`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuthGoogle(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	config.Flag(f, "google.client_secrets", "OAuth client `FILE` (JSON, \"Desktop app\") from the Google Cloud console")
	config.Flag(f, "google.calendar", "grant access to existing calendars, for sync --calendar `ID`")
	f.BoolVar(&opts.noBrowser, "no-browser", false, "print the sign-in address instead of opening a browser")
	f.BoolVar(&opts.status, "status", false, "show the saved sign-in")
	f.BoolVar(&opts.revoke, "revoke", false, "revoke the saved sign-in and remove the token")
	f.BoolVar(&opts.localOnly, "local-only", false, "with --revoke: only remove the token file")
	return cmd
}

func runAuthGoogle(ctx context.Context, a *app, opts *authGoogleOptions) error {
	if opts.status && opts.revoke {
		return usagef("--status and --revoke exclude each other")
	}
	tokens, err := a.tokenFile()
	if err != nil {
		return err
	}
	switch {
	case opts.status:
		return authStatus(a, tokens)
	case opts.revoke:
		return authRevoke(ctx, a, tokens, opts.localOnly)
	case opts.localOnly:
		return usagef("--local-only goes with --revoke")
	}
	g := a.cfg.Config.Google
	if g.ClientSecrets == "" {
		return usagef("sign-in needs your OAuth client: --client-secrets FILE (see 'confcal auth google --help')")
	}
	server, err := google.AuthServerFromEnv(a.env)
	if err != nil {
		return err
	}
	cfg, err := google.LoadClientSecrets(g.ClientSecrets, google.Scopes(g.Calendar != ""))
	if err != nil {
		return err
	}
	cfg.Endpoint = server.Endpoint()
	lopts := google.LoginOptions{Config: cfg, Out: a.stderr}
	if !opts.noBrowser {
		lopts.Open = openBrowser
	}
	tok, err := google.Login(ctx, lopts)
	if err != nil {
		return err
	}
	if err := tokens.Save(tok); err != nil {
		return err
	}
	who := tok.Account
	if who == "" {
		who = "your Google account"
	}
	fmt.Fprintf(a.stdout, "Signed in as %s (%s); the token is saved in %s.\n", who, scopeNames(tok.Scopes), tokens.Path)
	return nil
}

func authStatus(a *app, tokens *google.TokenFile) error {
	tok, err := tokens.Load()
	if err != nil {
		return err
	}
	who := tok.Account
	if who == "" {
		who = "unknown account"
	}
	fmt.Fprintf(a.stdout, "account:   %s\n", who)
	fmt.Fprintf(a.stdout, "scopes:    %s\n", scopeNames(tok.Scopes))
	fmt.Fprintf(a.stdout, "client:    %s\n", tok.ClientID)
	switch exp := tok.Token.Expiry; {
	case exp.IsZero():
		fmt.Fprintln(a.stdout, "access:    does not expire")
	case exp.Before(a.now()):
		fmt.Fprintf(a.stdout, "access:    expired %s (refreshed on the next sync)\n", exp.UTC().Format(time.RFC3339))
	default:
		fmt.Fprintf(a.stdout, "access:    expires %s\n", exp.UTC().Format(time.RFC3339))
	}
	refresh := "yes"
	if tok.Token.RefreshToken == "" {
		refresh = "no: sign in again when the access token expires"
	}
	fmt.Fprintf(a.stdout, "refresh:   %s\n", refresh)
	if !tok.Saved.IsZero() {
		fmt.Fprintf(a.stdout, "saved:     %s\n", tok.Saved.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "file:      %s\n", tokens.Path)
	return nil
}

func authRevoke(ctx context.Context, a *app, tokens *google.TokenFile, localOnly bool) error {
	tok, err := tokens.Load()
	if errors.Is(err, google.ErrNoToken) {
		fmt.Fprintln(a.stdout, "Not signed in: nothing to revoke.")
		return nil
	}
	if err != nil {
		return err
	}
	if !localOnly {
		server, err := google.AuthServerFromEnv(a.env)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := google.Revoke(ctx, nil, server, tok); err != nil {
			fmt.Fprintf(a.stderr, "confcal: warning: %v; the grant stays listed at https://myaccount.google.com/permissions until you remove it there\n", err)
		}
	}
	if err := tokens.Remove(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Signed out: removed %s.\n", tokens.Path)
	return nil
}

// scopeNames shortens scope URLs to their last part.
func scopeNames(scopes []string) string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = s[strings.LastIndex(s, "/")+1:]
	}
	return strings.Join(out, ", ")
}

// openBrowser opens url in the user's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

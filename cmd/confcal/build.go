package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/page"
)

type buildOptions struct {
	feedFlags
	feedsOnly bool
}

func newBuildCmd(a *app) *cobra.Command {
	opts := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Write every feed, feeds.json and an index page to a directory",
		Long: `Build writes the complete feed set of the programme to a directory that any
web host can serve: all.ics, day/DATE.ics, track/ID.ics, venue/ID.ics,
room/VENUE-ROOM.ics, speaker/ID.ics and session/ID.ics, a feeds.json manifest
and an index.html page with download and subscribe links. With --feeds-only,
the feeds and feeds.json alone, for a site that has its own pages.

Every file is written atomically, and nothing is written unless the whole set
built: a failed build leaves the previous output as it was. Files an earlier
build wrote that this one does not (feeds that no longer exist, or the
session calendars and page when --feeds-only is added) are removed, unless
they were changed since; other files in the directory are left alone.

Between builds a small state file remembers each session, so that a changed
session gets a higher SEQUENCE and a removed one stays in the feeds as
cancelled until the programme is over.`,
		Example: `  confcal build --out public
  confcal build programme.yaml --out public --base-url https://example.org/cal --alarm 10m
  confcal build --lang fr --out public-fr --state fr.state.json
  confcal build --feeds-only --out static/calendars`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBuild(cmd.Context(), a, opts)
		},
	}
	config.FlagP(cmd.Flags(), "out", "o", "output `DIR`")
	config.Flag(cmd.Flags(), "base_url", "public `URL` the directory is served under, for absolute links")
	cmd.Flags().BoolVar(&opts.feedsOnly, "feeds-only", false, "write the feeds and feeds.json alone: no session/ calendars and no index.html")
	addFeedFlags(cmd, &opts.feedFlags)
	return cmd
}

func runBuild(ctx context.Context, a *app, opts *buildOptions) error {
	out := a.cfg.Config.Out
	if err := checkOutDir(out); err != nil {
		return err
	}
	a.collectSooner()
	p, err := a.loadProgramme(ctx)
	if err != nil {
		return err
	}
	set, store, err := a.buildSet(p, &opts.feedFlags)
	if err != nil {
		return err
	}
	res, err := feed.Export(out, set, feed.ExportOptions{FeedsOnly: opts.feedsOnly,
		Page: func() ([]byte, error) { return page.Render(set, page.Options{}) }})
	if err != nil {
		return err
	}
	if store != nil {
		if err := store.Save(); err != nil {
			return err
		}
	}
	if !a.quiet {
		fmt.Fprintf(a.stdout, "wrote %d feeds (%d events) to %s", len(set.Feeds), len(set.Events), out)
		if res.Removed > 0 {
			fmt.Fprintf(a.stdout, ", removed %d stale", res.Removed)
		}
		fmt.Fprintln(a.stdout)
	}
	return nil
}

// checkOutDir refuses an --out that cannot be the directory build writes:
// '-', or something that exists and is not a directory.
func checkOutDir(out string) error {
	if out == stdoutName {
		return usagef("build --out takes a directory; '-' (standard output) holds one file: use 'confcal agenda -o -' for one calendar")
	}
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return usagef("build --out %s: %s is not a directory", out, out)
	}
	return nil
}

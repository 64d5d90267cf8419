package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/programme"
)

type listOptions struct {
	sel  *selectionFlags
	json bool
	lang string
}

func newListCmd(a *app) *cobra.Command {
	opts := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sessions as a table grouped by day",
		Long: `List prints the programme's sessions, grouped by day, as an aligned table:
time, session id (for --session, --exclude and agenda files), title, venue
and room, tracks. Times are in the programme's zone. With no selection flag
it lists every session.

` + selectionHelp,
		Example: `  confcal list
  confcal list programme.yaml
  confcal list --day 2025-02-11 --track business
  confcal list --venue grandpalais --json
  confcal list --text macron --not-type dinner
  confcal list --agenda examples/agendas/summit-week.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := opts.sel.applyAgenda(a); err != nil {
				return err
			}
			opts.lang = a.cfg.Config.Lang
			return runList(cmd.Context(), a, opts)
		},
	}
	opts.sel = addSelectionFlags(cmd)
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "print as JSON")
	config.Flag(f, "lang", "show texts in `LANG`")
	return cmd
}

func runList(ctx context.Context, a *app, opts *listOptions) error {
	sel, err := opts.sel.selection()
	if err != nil {
		return err
	}
	p, err := a.loadProgramme(ctx)
	if err != nil {
		return err
	}
	sessions := p.Sessions
	if !sel.IsZero() {
		if sessions, err = opts.sel.choose(p, sel); err != nil {
			return err
		}
	}
	lang := opts.lang
	if lang == "" {
		lang = p.Lang()
	}
	if opts.json {
		return writeSessionsJSON(a.stdout, p, sessions, lang, nil)
	}
	writeSessionTable(a.stdout, p, sessions, lang)
	return nil
}

// timeRange formats a session's time in loc for people: 09:00–10:30,
// "all day", or "from 17:30" when the end is not published.
func timeRange(p *programme.Programme, s *programme.Session, loc *time.Location) string {
	if s.AllDay {
		if s.EndDate != s.StartDate {
			return "until " + s.EndDate.String()[5:]
		}
		return "all day"
	}
	start := s.Start.In(loc)
	if s.End.IsZero() {
		return "from " + start.Format("15:04")
	}
	end := s.End.In(loc)
	r := start.Format("15:04") + "–" + end.Format("15:04")
	if programme.DateOf(end) != programme.DateOf(start) {
		r += " (+1)"
	}
	return r
}

func placeOf(s *programme.Session, lang string, prefs []string) string {
	var parts []string
	if s.Venue != nil {
		parts = append(parts, s.Venue.Name.In(lang, prefs...))
	}
	if s.Room != nil {
		parts = append(parts, s.Room.Name.In(lang, prefs...))
	}
	if len(parts) == 0 && s.Location != "" {
		parts = append(parts, s.Location)
	}
	return strings.Join(parts, ", ")
}

func writeSessionTable(w io.Writer, p *programme.Programme, sessions []*programme.Session, lang string) {
	if len(sessions) == 0 {
		fmt.Fprintln(w, "no sessions")
		return
	}
	var rows [][]string
	var days []programme.Date
	for _, s := range sessions {
		title := truncate(s.Title.In(lang, p.Languages...), 56)
		if s.Status == programme.Cancelled {
			title = "CANCELLED: " + title
		} else if s.Status == programme.Tentative {
			title += " (tentative)"
		}
		var tracks []string
		for _, t := range s.Tracks {
			tracks = append(tracks, t.ID)
		}
		rows = append(rows, []string{timeRange(p, s, p.Location), s.ID, title, truncate(placeOf(s, lang, p.Languages), 40), strings.Join(tracks, ",")})
		days = append(days, s.Day(p))
	}
	widths := columnWidths(rows)
	for i, row := range rows {
		if i == 0 || days[i] != days[i-1] {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, days[i].In(time.UTC).Format("Monday 2 January 2006"))
		}
		fmt.Fprintln(w, "  "+formatRow(row, widths))
	}
}

// columnWidths returns the width in runes of each column of rows.
func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

// formatRow pads each cell but the last to its column's width.
func formatRow(row []string, widths []int) string {
	var b strings.Builder
	for i, cell := range row {
		b.WriteString(cell)
		if i < len(row)-1 {
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+2))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

type sessionJSON struct {
	ID        string   `json:"id"`
	UID       string   `json:"uid"`
	Title     string   `json:"title"`
	Day       string   `json:"day"`
	Start     string   `json:"start,omitempty"`
	End       string   `json:"end,omitempty"`
	AllDay    bool     `json:"all_day,omitempty"`
	StartDate string   `json:"start_date,omitempty"`
	EndDate   string   `json:"end_date,omitempty"`
	Venue     string   `json:"venue,omitempty"`
	Room      string   `json:"room,omitempty"`
	Location  string   `json:"location,omitempty"`
	Tracks    []string `json:"tracks,omitempty"`
	Speakers  []string `json:"speakers,omitempty"`
	Type      string   `json:"type,omitempty"`
	Status    string   `json:"status"`
	URL       string   `json:"url,omitempty"`
}

// toJSON describes s for scripts; times are in loc, or in the session's
// own zone when loc is nil.
func toJSON(p *programme.Programme, s *programme.Session, lang string, loc *time.Location) sessionJSON {
	j := sessionJSON{ID: s.ID, UID: p.ID + "-" + s.UIDKey + "@" + p.Domain, Title: s.Title.In(lang, p.Languages...),
		Day: s.Day(p).String(), AllDay: s.AllDay, Location: s.Location, Type: s.Type, Status: string(s.Status), URL: s.URL}
	if loc == nil {
		loc = s.Start.Location()
	}
	if s.AllDay {
		j.StartDate, j.EndDate = s.StartDate.String(), s.EndDate.String()
	} else {
		j.Start = s.Start.In(loc).Format(time.RFC3339)
		if !s.End.IsZero() {
			j.End = s.End.In(loc).Format(time.RFC3339)
		}
	}
	if s.Venue != nil {
		j.Venue = s.Venue.ID
	}
	if s.Room != nil {
		j.Room = s.Room.ID
	}
	for _, t := range s.Tracks {
		j.Tracks = append(j.Tracks, t.ID)
	}
	for _, sp := range s.Speakers {
		j.Speakers = append(j.Speakers, sp.Name)
	}
	return j
}

func writeSessionsJSON(w io.Writer, p *programme.Programme, sessions []*programme.Session, lang string, loc *time.Location) error {
	out := make([]sessionJSON, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, toJSON(p, s, lang, loc))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

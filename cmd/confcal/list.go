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

	"github.com/confcal/confcal/programme"
)

type listOptions struct {
	days, tracks, venues []string
	json                 bool
	lang                 string
}

func newListCmd(a *app) *cobra.Command {
	opts := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sessions as a table grouped by day",
		Long: `List prints the programme's sessions, grouped by day, as an aligned table:
time, title, venue and room, tracks. Times are in the programme's zone.
Filters of one kind are OR-ed, different kinds AND-ed.`,
		Example: `  confcal list
  confcal list --day 2025-02-11 --track business
  confcal list --venue grandpalais --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.lang = a.cfg.Config.Lang
			return runList(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.days, "day", nil, "only sessions on `DATE` (YYYY-MM-DD; repeatable)")
	f.StringSliceVar(&opts.tracks, "track", nil, "only sessions in track `ID` (repeatable)")
	f.StringSliceVar(&opts.venues, "venue", nil, "only sessions at venue `ID` (repeatable)")
	f.BoolVar(&opts.json, "json", false, "print as JSON")
	f.String("lang", "", "show texts in `LANG`")
	return cmd
}

func runList(ctx context.Context, a *app, opts *listOptions) error {
	p, err := a.loadProgramme(ctx)
	if err != nil {
		return err
	}
	sessions, err := filterSessions(p, opts)
	if err != nil {
		return err
	}
	lang := opts.lang
	if lang == "" {
		lang = p.Lang()
	}
	if opts.json {
		return writeSessionsJSON(a.stdout, p, sessions, lang)
	}
	writeSessionTable(a.stdout, p, sessions, lang)
	return nil
}

func filterSessions(p *programme.Programme, opts *listOptions) ([]*programme.Session, error) {
	days := map[programme.Date]bool{}
	for _, d := range opts.days {
		date, err := programme.ParseDate(d)
		if err != nil {
			return nil, usagef("--day: %v", err)
		}
		days[date] = true
	}
	for _, t := range opts.tracks {
		if p.Track(t) == nil {
			return nil, usagef("--track: unknown track %q%s", t, suggestion(t, trackIDs(p)))
		}
	}
	for _, v := range opts.venues {
		if p.Venue(v) == nil {
			return nil, usagef("--venue: unknown venue %q%s", v, suggestion(v, venueIDs(p)))
		}
	}
	var out []*programme.Session
	for _, s := range p.Sessions {
		if len(days) > 0 && !anyDay(s.Days(p), days) {
			continue
		}
		if len(opts.tracks) > 0 && !inTracks(s, opts.tracks) {
			continue
		}
		if len(opts.venues) > 0 && (s.Venue == nil || !contains(opts.venues, s.Venue.ID)) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func anyDay(ds []programme.Date, want map[programme.Date]bool) bool {
	for _, d := range ds {
		if want[d] {
			return true
		}
	}
	return false
}

func inTracks(s *programme.Session, ids []string) bool {
	for _, t := range s.Tracks {
		if contains(ids, t.ID) {
			return true
		}
	}
	return false
}

func suggestion(s string, candidates []string) string {
	if m := programme.Suggest(s, candidates); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

func trackIDs(p *programme.Programme) []string {
	var out []string
	for _, t := range p.Tracks {
		out = append(out, t.ID)
	}
	return out
}

func venueIDs(p *programme.Programme) []string {
	var out []string
	for _, v := range p.Venues {
		out = append(out, v.ID)
	}
	return out
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
		title := truncate(s.Title.In(lang, p.Languages...), 70)
		if s.Status == programme.Cancelled {
			title = "CANCELLED: " + title
		} else if s.Status == programme.Tentative {
			title += " (tentative)"
		}
		var tracks []string
		for _, t := range s.Tracks {
			tracks = append(tracks, t.ID)
		}
		rows = append(rows, []string{timeRange(p, s, p.Location), title, truncate(placeOf(s, lang, p.Languages), 50), strings.Join(tracks, ",")})
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

func toJSON(p *programme.Programme, s *programme.Session, lang string) sessionJSON {
	j := sessionJSON{ID: s.ID, UID: p.ID + "-" + s.UIDKey + "@" + p.Domain, Title: s.Title.In(lang, p.Languages...),
		Day: s.Day(p).String(), AllDay: s.AllDay, Location: s.Location, Type: s.Type, Status: string(s.Status), URL: s.URL}
	if s.AllDay {
		j.StartDate, j.EndDate = s.StartDate.String(), s.EndDate.String()
	} else {
		j.Start = s.Start.Format(time.RFC3339)
		if !s.End.IsZero() {
			j.End = s.End.Format(time.RFC3339)
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

func writeSessionsJSON(w io.Writer, p *programme.Programme, sessions []*programme.Session, lang string) error {
	out := make([]sessionJSON, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, toJSON(p, s, lang))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

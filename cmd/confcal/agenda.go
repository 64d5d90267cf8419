package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcal/confcal/config"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/page"
	"github.com/confcal/confcal/programme"
)

type agendaOptions struct {
	feedFlags
	sel       *selectionFlags
	output    string
	save      string
	name      string
	tz        string
	json      bool
	conflicts bool
	printURL  bool
}

func newAgendaCmd(a *app) *cobra.Command {
	opts := &agendaOptions{}
	cmd := &cobra.Command{
		Use:   "agenda",
		Short: "Choose sessions for a personal agenda: show, export, save, subscribe",
		Long: `Agenda chooses the sessions a person attends and shows them day by day:
time, title, venue and room, in the programme's zone (--tz shows another).

  -o FILE.ics    writes them as an iCalendar file with the same UIDs as the
                 public feeds, so a client that has both never shows an event
                 twice; --alarm adds a reminder to each timed session. -o -
                 writes it to standard output.
  --save FILE    writes the choice as an agenda file (programme, selection,
                 alarm, language), which --agenda FILE reads back; flags given
                 with --agenda extend the file's selection.
  --print-url    prints the live subscription URL of the agenda on the feed
                 server, <base-url>/agenda.ics?<selection>, and its webcal://
                 form.
  --json         prints sessions, problems and the query for scripts.

Problems are reported on standard error: chosen sessions that overlap; two
sessions in a row at venues too far apart for the time between them (the
straight-line distance between the venues, times 1.3 for streets, at
--travel-speed km/h, and at least --min-gap to change venues); and cancelled
sessions. A session with no published end counts as an instant: travel
from it is timed from its start. A session with no published times (shown
"all day") happens sometime that day: with another session that day at
another venue it is a possible overlap, a note that is never a problem,
unless both have no times and the venues are more than half a day's travel
apart. --conflicts prints only the problems and notes, and exits with 2
when there are problems.

Settings of an agenda file (programme, alarm, lang, tz) apply unless a flag
sets them.

` + selectionHelp,
		Example: `  confcal agenda --track summit --track business
  confcal agenda --day 2025-02-11 --not-venue roquelaure --tz America/New_York
  confcal agenda --text macron --exclude elysee-dinner -o macron.ics --alarm 15m
  confcal agenda programme.yaml --track keynotes -o - | less
  confcal agenda --track summit --session stationf-business-day-opening --save my-agenda.yaml
  confcal agenda --agenda my-agenda.yaml --conflicts --travel-speed 5
  confcal agenda --agenda my-agenda.yaml --print-url --base-url https://cal.example.org`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAgenda(cmd.Context(), a, opts)
		},
	}
	opts.sel = addSelectionFlags(cmd)
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", "write the agenda as an iCalendar `FILE` (.ics; '-' for standard output)")
	f.StringVar(&opts.save, "save", "", "write the programme, selection and options to agenda `FILE` (YAML)")
	f.StringVar(&opts.name, "name", "", "the agenda's `NAME`, its calendar name in clients (default: the programme's name and \"my agenda\")")
	f.StringVar(&opts.tz, "tz", "", "show times in `ZONE`, e.g. America/New_York (default: the programme's zone)")
	f.BoolVar(&opts.json, "json", false, "print sessions and problems as JSON")
	f.BoolVar(&opts.conflicts, "conflicts", false, "print only the problems and possible overlaps; exit 2 when there are problems")
	f.BoolVar(&opts.printURL, "print-url", false, "print the subscription URL on the feed server at --base-url")
	config.Flag(f, "base_url", "public `URL` of the feed server, for --print-url")
	config.Flag(f, "agenda.travel_speed", "door-to-door speed between venues in `KM/H`, for travel warnings")
	config.Flag(f, "agenda.min_gap", "least `DURATION` it takes to change venues, however close")
	addFeedFlags(cmd, &opts.feedFlags)
	return cmd
}

// agendaRun is one agenda being shown, written or saved.
type agendaRun struct {
	a         *app
	opts      *agendaOptions
	p         *programme.Programme
	file      *programme.AgendaFile
	sel       programme.Selection
	sessions  []*programme.Session
	conflicts []programme.Conflict
	notes     []programme.Conflict // possible overlaps
	cancelled []*programme.Session
	loc       *time.Location
	lang      string
}

func runAgenda(ctx context.Context, a *app, opts *agendaOptions) error {
	file, err := opts.sel.applyAgenda(a)
	if err != nil {
		return err
	}
	c := a.cfg.Config
	if c.Agenda.TravelSpeed <= 0 || math.IsNaN(c.Agenda.TravelSpeed) || math.IsInf(c.Agenda.TravelSpeed, 0) {
		return usagef("--travel-speed must be a positive number of km/h")
	}
	if c.Agenda.MinGap < 0 {
		return usagef("--min-gap must not be negative")
	}
	if opts.printURL && c.BaseURL == "" {
		return usagef("--print-url needs the feed server's URL: --base-url https://... (or base_url in the config)")
	}
	if opts.save != "" && c.Programme == "-" {
		return usagef("--save: a programme read from standard input cannot be recorded in an agenda file; give its file or URL")
	}
	tz := opts.tz
	if tz == "" && file != nil {
		tz = file.TimeZone
	}
	var loc *time.Location
	if tz != "" {
		if loc, err = programme.LoadLocation(tz); err != nil {
			return usagef("--tz: unknown time zone %q", tz)
		}
	}
	sel, err := opts.sel.selection()
	if err != nil {
		return err
	}
	p, err := a.loadProgramme(ctx)
	if err != nil {
		return err
	}
	sessions, err := opts.sel.choose(p, sel)
	if err != nil {
		return err
	}
	if loc == nil {
		loc = p.Location
	}
	r := &agendaRun{a: a, opts: opts, p: p, file: file, sel: sel, sessions: sessions, loc: loc, lang: c.Lang}
	if r.lang == "" {
		r.lang = p.Lang()
	}
	for _, cf := range programme.Conflicts(p, sessions, programme.ConflictOptions{TravelSpeed: c.Agenda.TravelSpeed, MinGap: c.Agenda.MinGap}) {
		if cf.Possible() {
			r.notes = append(r.notes, cf)
		} else {
			r.conflicts = append(r.conflicts, cf)
		}
	}
	for _, s := range sessions {
		if s.Status == programme.Cancelled {
			r.cancelled = append(r.cancelled, s)
		}
	}
	return r.run()
}

func (r *agendaRun) run() error {
	opts := r.opts
	if opts.conflicts {
		return r.reportProblems()
	}
	acted := false
	if opts.save != "" {
		if err := r.saveFile(); err != nil {
			return err
		}
		acted = true
	}
	if opts.output != "" {
		if err := r.writeICS(); err != nil {
			return err
		}
		acted = true
	}
	if opts.printURL {
		r.printURL()
		acted = true
	}
	switch {
	case opts.json:
		return r.writeJSON()
	case !acted:
		r.writeTable()
	}
	if len(r.sessions) == 0 {
		fmt.Fprintln(r.a.stderr, "confcal: warning: the selection matches no session")
	}
	if !opts.json {
		r.warn()
	}
	return nil
}

// title is the agenda's calendar name.
func (r *agendaRun) title() string {
	if r.opts.name != "" {
		return r.opts.name
	}
	if r.file != nil && r.file.Name != "" {
		return r.file.Name
	}
	return feed.AgendaTitle(r.p, r.lang)
}

// writeICS writes the chosen sessions as one calendar, made of the same
// events as the public feeds. The state is saved as build saves it, so
// that SEQUENCE agrees with the public feeds.
func (r *agendaRun) writeICS() error {
	// A written file is not the subscription: it gets no URL of its own.
	r.a.cfg.Config.BaseURL = ""
	set, store, err := r.a.buildSet(r.p, &r.opts.feedFlags)
	if err != nil {
		return err
	}
	events := set.EventsOf(r.sessions)
	f := set.Render(feed.KindAgenda, r.sel.Query().Encode(), "agenda", r.title(), "", events)
	where, err := r.a.writeOutput(r.opts.output, f.Bytes())
	if err != nil {
		return fmt.Errorf("write agenda %s: %w", r.opts.output, err)
	}
	if store != nil {
		if err := store.Save(); err != nil {
			return err
		}
	}
	if !r.a.quiet && !r.opts.json {
		fmt.Fprintf(r.a.summary(r.opts.output), "wrote %d session%s to %s\n", len(events), plural(len(events)), where)
	}
	return nil
}

func (r *agendaRun) saveFile() error {
	// Personal options come from flags or the agenda file read, not from
	// the config file or the environment, which are not personal.
	c := r.a.cfg.Config
	af := &programme.AgendaFile{Programme: c.Programme, ProgrammeID: r.p.ID, Name: r.opts.name, Selection: r.sel,
		TimeZone: r.opts.tz}
	if r.file != nil {
		af.Alarm, af.Lang = r.file.Alarm, r.file.Lang
		if af.Name == "" {
			af.Name = r.file.Name
		}
		if af.TimeZone == "" {
			af.TimeZone = r.file.TimeZone
		}
	}
	if r.a.cfg.FromCommandLine("alarm") {
		af.Alarm = c.Alarm
	}
	if r.a.cfg.FromCommandLine("lang") {
		af.Lang = c.Lang
	}
	if err := af.Save(r.opts.save); err != nil {
		return err
	}
	if !r.a.quiet && !r.opts.json {
		fmt.Fprintf(r.a.stdout, "saved agenda (%d session%s) to %s\n", len(r.sessions), plural(len(r.sessions)), r.opts.save)
	}
	return nil
}

// subscriptionURL is the agenda's URL on the feed server.
func (r *agendaRun) subscriptionURL() string {
	base := r.a.cfg.Config.BaseURL
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/agenda.ics?" + readableQuery(r.sel.Query())
}

// readableQuery encodes q canonically, leaving the colons of times and
// the slashes of rooms as they are: both may stand unescaped in a query
// (RFC 3986, section 3.4), and people read and type these URLs.
func readableQuery(q url.Values) string {
	return strings.NewReplacer("%3A", ":", "%2F", "/").Replace(q.Encode())
}

func (r *agendaRun) printURL() {
	if r.opts.json {
		return // the JSON holds it
	}
	u := r.subscriptionURL()
	fmt.Fprintln(r.a.stdout, u)
	if w := page.WebcalURL(u); w != u {
		fmt.Fprintln(r.a.stdout, w)
	}
}

// days groups the sessions by the day they are on in r.loc; an all-day
// session is on each of its days.
func (r *agendaRun) days() ([]programme.Date, map[programme.Date][]*programme.Session) {
	by := map[programme.Date][]*programme.Session{}
	var order []programme.Date
	add := func(d programme.Date, s *programme.Session) {
		if _, ok := by[d]; !ok {
			order = append(order, d)
		}
		by[d] = append(by[d], s)
	}
	for _, s := range r.sessions {
		if s.AllDay {
			for _, d := range s.Days(r.p) {
				add(d, s)
			}
			continue
		}
		add(programme.DateOf(s.Start.In(r.loc)), s)
	}
	slices.SortFunc(order, programme.Date.Compare)
	for _, d := range order {
		// All-day sessions first, then the rest in programme order.
		ss := by[d]
		sort.SliceStable(ss, func(i, j int) bool {
			if ss[i].AllDay != ss[j].AllDay {
				return ss[i].AllDay
			}
			return programme.Less(r.p, ss[i], ss[j])
		})
	}
	return order, by
}

func (r *agendaRun) writeTable() {
	w := r.a.stdout
	if len(r.sessions) == 0 {
		fmt.Fprintln(w, "no sessions")
		return
	}
	order, by := r.days()
	var rows [][]string
	var heads []string // the day heading before each row, or ""
	for _, d := range order {
		head := d.In(time.UTC).Format("Monday 2 January 2006")
		for _, s := range by[d] {
			rows = append(rows, r.row(s, d))
			heads = append(heads, head)
			head = ""
		}
	}
	fmt.Fprintf(w, "%s: %d session%s, times in %s\n", r.title(), len(r.sessions), plural(len(r.sessions)), r.loc)
	widths := columnWidths(rows)
	for i, row := range rows {
		if heads[i] != "" {
			fmt.Fprintln(w)
			fmt.Fprintln(w, heads[i])
		}
		fmt.Fprintln(w, "  "+formatRow(row, widths))
	}
}

// row is one line of the agenda: time, title, venue, room.
func (r *agendaRun) row(s *programme.Session, d programme.Date) []string {
	when := timeRange(r.p, s, r.loc)
	if s.AllDay {
		when = "all day"
		if n := len(s.Days(r.p)); n > 1 {
			when = fmt.Sprintf("all day (%d/%d)", int(d.In(time.UTC).Sub(s.StartDate.In(time.UTC)).Hours()/24)+1, n)
		}
	}
	title := truncate(s.Title.In(r.lang, r.p.Languages...), 60)
	switch s.Status {
	case programme.Cancelled:
		title = "CANCELLED: " + title
	case programme.Tentative:
		title += " (tentative)"
	}
	venue, room := "", ""
	if s.Venue != nil {
		venue = s.Venue.Name.In(r.lang, r.p.Languages...)
	} else {
		venue = s.Location
	}
	if s.Room != nil {
		room = s.Room.Name.In(r.lang, r.p.Languages...)
	}
	return []string{when, title, truncate(venue, 40), truncate(room, 30)}
}

// warn reports problems on standard error: cancellations always, the
// others unless --quiet.
func (r *agendaRun) warn() {
	w := r.a.stderr
	for _, s := range r.cancelled {
		fmt.Fprintf(w, "confcal: CANCELLED: %s\n", r.cancelLine(s))
	}
	if r.a.quiet {
		return
	}
	for _, c := range r.conflicts {
		fmt.Fprintf(w, "confcal: warning: %s: %s\n", r.dayLabel(r.conflictDay(c)), r.describe(c))
	}
	for _, c := range r.notes {
		fmt.Fprintf(w, "confcal: note: %s: %s\n", r.dayLabel(r.conflictDay(c)), r.describe(c))
	}
}

// reportProblems prints only the problems, for --conflicts.
func (r *agendaRun) reportProblems() error {
	n := len(r.cancelled) + len(r.conflicts)
	if r.opts.json {
		if err := r.writeJSON(); err != nil {
			return err
		}
	} else {
		var rows [][]string
		for _, s := range r.cancelled {
			rows = append(rows, []string{r.dayLabel(s.Day(r.p)), "cancelled", r.cancelLine(s)})
		}
		for _, c := range r.conflicts {
			rows = append(rows, []string{r.dayLabel(r.conflictDay(c)), string(c.Kind), r.describe(c)})
		}
		for _, c := range r.notes {
			rows = append(rows, []string{r.dayLabel(r.conflictDay(c)), "possible overlap", r.describe(c)})
		}
		widths := columnWidths(rows)
		for _, row := range rows {
			fmt.Fprintln(r.a.stdout, formatRow(row, widths))
		}
	}
	if n > 0 {
		return &reportedError{msg: fmt.Sprintf("%d problem%s in this agenda of %d session%s", n, plural(n), len(r.sessions), plural(len(r.sessions)))}
	}
	if !r.a.quiet && !r.opts.json {
		fmt.Fprintf(r.a.stdout, "no problems in %d session%s", len(r.sessions), plural(len(r.sessions)))
		if n := len(r.notes); n > 0 {
			fmt.Fprintf(r.a.stdout, "; %d possible overlap%s of sessions without published times", n, plural(n))
		}
		fmt.Fprintln(r.a.stdout)
	}
	return nil
}

// conflictDay is the day of c in the zone times are shown in.
func (r *agendaRun) conflictDay(c programme.Conflict) programme.Date {
	if c.Kind == programme.ConflictSameDay || c.Possible() {
		return c.Day
	}
	return programme.DateOf(c.B.Start.In(r.loc))
}

func (r *agendaRun) dayLabel(d programme.Date) string {
	return d.In(time.UTC).Format("Mon 2 Jan")
}

// label names a session in a message: its title, shortened, in quotes.
func (r *agendaRun) label(s *programme.Session) string {
	return fmt.Sprintf("%q", truncate(s.Title.In(r.lang, r.p.Languages...), 48))
}

func (r *agendaRun) place(s *programme.Session) string {
	if s.Venue != nil {
		return s.Venue.Name.In(r.lang, r.p.Languages...)
	}
	if s.Location != "" {
		return s.Location
	}
	return "no venue"
}

func (r *agendaRun) cancelLine(s *programme.Session) string {
	when := timeRange(r.p, s, r.loc)
	if s.AllDay {
		when = "all day"
	}
	return fmt.Sprintf("%s (%s %s, %s) will not take place", r.label(s), r.dayLabel(s.Day(r.p)), when, r.place(s))
}

// describe says what is wrong between the two sessions of c.
func (r *agendaRun) describe(c programme.Conflict) string {
	a, b := c.A, c.B
	switch c.Kind {
	case programme.ConflictOverlap:
		msg := fmt.Sprintf("%s (%s, %s) overlaps %s (%s, %s)", r.label(a), timeRange(r.p, a, r.loc), r.place(a),
			r.label(b), timeRange(r.p, b, r.loc), r.place(b))
		if c.Gap > 0 {
			msg += fmt.Sprintf(" by %s", formatMinutes(c.Gap))
		}
		return msg
	case programme.ConflictTravel:
		from := "ends at " + a.End.In(r.loc).Format("15:04")
		if c.OpenEnd {
			from = "starts at " + a.Start.In(r.loc).Format("15:04") + " with no published end"
		}
		return fmt.Sprintf("%s at %s %s, %s at %s starts at %s: %s, %s between them",
			r.label(a), r.place(a), from, r.label(b), r.place(b), b.Start.In(r.loc).Format("15:04"),
			r.journey(c), formatMinutes(c.Gap))
	case programme.ConflictPossibleOverlap:
		return r.describePossible(c)
	default:
		return fmt.Sprintf("%s at %s and %s at %s have no published times, at venues %.1f km apart: about %s to get there, more than half a day",
			r.label(a), r.place(a), r.label(b), r.place(b), c.Distance, formatMinutes(c.Travel))
	}
}

// describePossible says why the sessions of a possible overlap may clash.
func (r *agendaRun) describePossible(c programme.Conflict) string {
	apart := "different venues"
	if c.Distance > 0 {
		apart = fmt.Sprintf("venues %.1f km apart, about %s to get there", c.Distance, formatMinutes(c.Travel))
	}
	timed, untimed := c.A, c.B
	switch {
	case c.A.AllDay && c.B.AllDay:
		return fmt.Sprintf("%s at %s and %s at %s have no published times and may overlap: %s",
			r.label(c.A), r.place(c.A), r.label(c.B), r.place(c.B), apart)
	case c.A.AllDay:
		timed, untimed = c.B, c.A
	}
	return fmt.Sprintf("%s at %s (%s) may overlap %s at %s, which has no published time: %s",
		r.label(timed), r.place(timed), timeRange(r.p, timed, r.loc), r.label(untimed), r.place(untimed), apart)
}

// journey describes the estimated trip between the venues of c: the
// distance and the time at the travel speed, or the least time to change
// venues when that is longer or the venues have no position.
func (r *agendaRun) journey(c programme.Conflict) string {
	if c.Distance == 0 {
		return "at least " + formatMinutes(c.Travel) + " to change venues"
	}
	if est := programme.TravelTime(c.Distance, r.a.cfg.Config.Agenda.TravelSpeed); c.Travel > est {
		return fmt.Sprintf("%.1f km, and at least %s to change venues", c.Distance, formatMinutes(c.Travel))
	}
	return fmt.Sprintf("%.1f km, about %s to get there", c.Distance, formatMinutes(c.Travel))
}

// formatMinutes formats d for people: 45 min, 1 h 20 min.
func formatMinutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

type agendaJSON struct {
	Programme string         `json:"programme"`
	Name      string         `json:"name"`
	TimeZone  string         `json:"timezone"`
	Query     string         `json:"query"`
	URL       string         `json:"url,omitempty"`
	Sessions  []sessionJSON  `json:"sessions"`
	Cancelled []string       `json:"cancelled"`
	Conflicts []conflictJSON `json:"conflicts"`
	Notes     []conflictJSON `json:"notes"`
	Options   agendaJSONOpts `json:"options"`
}

type agendaJSONOpts struct {
	TravelSpeed float64 `json:"travel_speed_kmh"`
	MinGap      float64 `json:"min_gap_minutes"`
}

type conflictJSON struct {
	Kind       string  `json:"kind"`
	Day        string  `json:"day"`
	A          string  `json:"a"`
	B          string  `json:"b"`
	Gap        float64 `json:"gap_minutes"`
	DistanceKM float64 `json:"distance_km,omitempty"`
	Travel     float64 `json:"travel_minutes,omitempty"`
	OpenEnd    bool    `json:"open_end,omitempty"`
	Message    string  `json:"message"`
}

func (r *agendaRun) writeJSON() error {
	c := r.a.cfg.Config.Agenda
	out := agendaJSON{Programme: r.p.ID, Name: r.title(), TimeZone: r.loc.String(), Query: readableQuery(r.sel.Query()),
		URL: r.subscriptionURL(), Sessions: []sessionJSON{}, Cancelled: []string{}, Conflicts: []conflictJSON{}, Notes: []conflictJSON{},
		Options: agendaJSONOpts{TravelSpeed: c.TravelSpeed, MinGap: c.MinGap.Minutes()}}
	for _, s := range r.sessions {
		out.Sessions = append(out.Sessions, toJSON(r.p, s, r.lang, r.loc))
	}
	for _, s := range r.cancelled {
		out.Cancelled = append(out.Cancelled, s.ID)
	}
	for _, cf := range r.conflicts {
		out.Conflicts = append(out.Conflicts, r.conflictJSON(cf))
	}
	for _, cf := range r.notes {
		out.Notes = append(out.Notes, r.conflictJSON(cf))
	}
	enc := json.NewEncoder(r.a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func (r *agendaRun) conflictJSON(c programme.Conflict) conflictJSON {
	return conflictJSON{Kind: string(c.Kind), Day: r.conflictDay(c).String(), A: c.A.ID, B: c.B.ID,
		Gap: c.Gap.Minutes(), DistanceKM: math.Round(c.Distance*10) / 10, Travel: c.Travel.Minutes(), OpenEnd: c.OpenEnd,
		Message: r.describe(c)}
}

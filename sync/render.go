package sync

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// RenderOptions shape the text of a plan.
type RenderOptions struct {
	// Location is the zone times are shown in (the programme's).
	Location *time.Location
	// TitleWidth bounds the title column (default 44).
	TitleWidth int
}

var symbols = map[Action]string{Add: "+", Change: "~", Remove: "-", Keep: " "}

// Render writes plan as aligned text, terraform style: one line per
// session, sorted by time, with its action and reason, then a summary.
func Render(w io.Writer, plan *Plan, opts RenderOptions) error {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	width := opts.TitleWidth
	if width <= 0 {
		width = 44
	}
	var b strings.Builder
	for _, s := range plan.Steps {
		title := truncate(s.Title, width)
		fmt.Fprintf(&b, "%s %-6s  %-18s  %s  %s\n", symbols[s.Action], s.Action, when(s, loc),
			title+strings.Repeat(" ", width-utf8.RuneCountInString(title)), s.Reason)
	}
	b.WriteString(Summary(plan))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the plan's last line.
func Summary(plan *Plan) string {
	c := plan.Counts()
	var s string
	if !plan.Pending() {
		s = fmt.Sprintf("No changes: the calendar is up to date (%d event%s).", c.Keep, plural(c.Keep))
	} else {
		s = fmt.Sprintf("Plan: %d to add, %d to change, %d to remove, %d to keep.", c.Add, c.Change, c.Remove, c.Keep)
	}
	if plan.Foreign > 0 {
		s += fmt.Sprintf(" %d other event%s in the calendar %s not confcal's and stay%s untouched.",
			plan.Foreign, plural(plan.Foreign), isAre(plan.Foreign), verbS(plan.Foreign))
	}
	return s
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func when(s Step, loc *time.Location) string {
	if s.Start.IsZero() {
		return "-"
	}
	if s.AllDay {
		return s.Start.Format("Mon 2 Jan") + " all day"
	}
	return s.Start.In(loc).Format("Mon 2 Jan 15:04")
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// RenderResult writes what Apply did: a line for every step that did not
// simply succeed, then a summary line.
func RenderResult(w io.Writer, res *Result) error {
	var b strings.Builder
	for _, o := range res.Outcomes {
		if o.Status == Done && o.Detail == "" {
			continue
		}
		detail := ""
		if o.Detail != "" {
			detail = ": " + o.Detail
		}
		fmt.Fprintf(&b, "  %-7s %s %q%s\n", o.Status, o.Action, o.Title, detail)
	}
	fmt.Fprintf(&b, "Applied: %d done", res.Done)
	if res.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", res.Skipped)
	}
	if res.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", res.Failed)
	}
	if res.NotRun > 0 {
		fmt.Fprintf(&b, ", %d not run", res.NotRun)
	}
	b.WriteString(".\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Report is the JSON document of a sync: the plan, and the result when it
// was applied.
type Report struct {
	Calendar string  `json:"calendar,omitempty"`
	DryRun   bool    `json:"dry_run"`
	Plan     *Plan   `json:"plan"`
	Result   *Result `json:"result,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// MarshalJSON adds the counts and whether anything is pending.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	steps := p.Steps
	if steps == nil {
		steps = []Step{}
	}
	return json.Marshal(struct {
		*plain
		Steps   []Step `json:"steps"`
		Counts  Counts `json:"counts"`
		Pending bool   `json:"pending"`
	}{(*plain)(p), steps, p.Counts(), p.Pending()})
}

// RenderJSON writes r as indented JSON.
func RenderJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

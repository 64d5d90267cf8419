package programme

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Selection chooses sessions of a programme. It is the one selection
// language of confcal: CLI flags, the query parameters of /agenda.ics, sync
// and agenda files all read into a Selection.
//
// Values of one kind are OR-ed and different kinds are AND-ed; exclusions
// then remove sessions; sessions named in Sessions are always included,
// and sessions named in Exclude are always left out. docs/selection.md
// explains it with examples.
type Selection struct {
	Sessions []string // ids, always included

	Tracks, Days, Venues, Rooms, Speakers, Types, Tags []string

	// Text is free text, case- and accent-insensitive, over title,
	// subtitle, description and speaker names. A value matches when
	// every word of it begins a word there.
	Text []string

	// From and Until bound a time window: "2025-02-10T14:00" (programme
	// zone), RFC 3339, or a date. A date in Until includes that day.
	From, Until string

	// Exclusions; Exclude is session ids.
	NotTracks, NotVenues, NotTypes, NotTags, Exclude []string
}

// ErrEmptySelection is returned by Select for a selection that names
// nothing at all: an empty agenda is never produced silently. Callers that
// want the whole programme for an empty selection (confcal list) test
// IsZero first.
var ErrEmptySelection = errors.New("nothing chosen: name sessions, or choose by track, day, venue, room, speaker, type, tag, text or time window")

// SelectionError is a value of a selection that does not fit the
// programme: an unknown id (Err nil, Suggestion the closest known value,
// if any is close) or a malformed value (Err says why).
type SelectionError struct {
	Field      string // the query parameter, which is also the flag: track, day, not-venue, ...
	Value      string
	Suggestion string
	Err        error
}

func (e *SelectionError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s %q: %v", e.Field, e.Value, e.Err)
	}
	msg := fmt.Sprintf("unknown %s %q", fieldNoun(e.Field), e.Value)
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return msg
}

func (e *SelectionError) Unwrap() error { return e.Err }

// fieldNoun names what a field holds: "not-track" holds a track.
func fieldNoun(field string) string {
	switch field {
	case "exclude":
		return "session"
	case "q":
		return "text"
	}
	return strings.TrimPrefix(field, "not-")
}

// queryField ties a query parameter to the list of a Selection it fills.
type queryField struct {
	name string
	list func(*Selection) *[]string
}

// queryFields are the query parameters in the order people read them.
var queryFields = []queryField{
	{"session", func(s *Selection) *[]string { return &s.Sessions }},
	{"track", func(s *Selection) *[]string { return &s.Tracks }},
	{"day", func(s *Selection) *[]string { return &s.Days }},
	{"venue", func(s *Selection) *[]string { return &s.Venues }},
	{"room", func(s *Selection) *[]string { return &s.Rooms }},
	{"speaker", func(s *Selection) *[]string { return &s.Speakers }},
	{"type", func(s *Selection) *[]string { return &s.Types }},
	{"tag", func(s *Selection) *[]string { return &s.Tags }},
	{"q", func(s *Selection) *[]string { return &s.Text }},
	{"not-track", func(s *Selection) *[]string { return &s.NotTracks }},
	{"not-venue", func(s *Selection) *[]string { return &s.NotVenues }},
	{"not-type", func(s *Selection) *[]string { return &s.NotTypes }},
	{"not-tag", func(s *Selection) *[]string { return &s.NotTags }},
	{"exclude", func(s *Selection) *[]string { return &s.Exclude }},
}

// QueryParams returns the query parameters ParseQuery reads, sorted. A
// server that adds parameters of its own (lang, alarm) removes them before
// calling ParseQuery.
func QueryParams() []string {
	out := []string{"from", "until"}
	for _, f := range queryFields {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// IsZero reports whether sel chooses nothing at all.
func (sel Selection) IsZero() bool {
	if sel.From != "" || sel.Until != "" {
		return false
	}
	for _, f := range queryFields {
		if len(*f.list(&sel)) > 0 {
			return false
		}
	}
	return true
}

// Merge returns sel extended by more: the lists are joined, and a time
// bound of more replaces the one of sel.
func (sel Selection) Merge(more Selection) Selection {
	out := sel
	for _, f := range queryFields {
		dst := f.list(&out)
		*dst = append(append([]string(nil), *dst...), *f.list(&more)...)
	}
	if more.From != "" {
		out.From = more.From
	}
	if more.Until != "" {
		out.Until = more.Until
	}
	return out
}

// ParseQuery reads a selection from URL query parameters: session, track,
// day, venue, room, speaker, type, tag, q, from, until, not-track,
// not-venue, not-type, not-tag and exclude, the twins of the CLI flags.
// Each list parameter may be repeated and may hold comma-separated values.
// Unknown parameters, and from or until given twice, are errors.
func ParseQuery(q url.Values) (Selection, error) {
	var sel Selection
	byName := map[string]queryField{}
	for _, f := range queryFields {
		byName[f.name] = f
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vs := q[k]
		switch k {
		case "from", "until":
			var vals []string
			for _, v := range vs {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, v)
				}
			}
			if len(vals) > 1 {
				return Selection{}, &SelectionError{Field: k, Value: strings.Join(vals, ","), Err: errors.New("given more than once")}
			}
			if len(vals) == 1 {
				if k == "from" {
					sel.From = vals[0]
				} else {
					sel.Until = vals[0]
				}
			}
			continue
		}
		f, ok := byName[k]
		if !ok {
			return Selection{}, &SelectionError{Field: "parameter", Value: k, Suggestion: suggest(k, QueryParams())}
		}
		dst := f.list(&sel)
		for _, v := range vs {
			*dst = append(*dst, splitList(v)...)
		}
	}
	return sel, nil
}

// splitList splits a comma-separated value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Query returns sel as query parameters in canonical form: values sorted
// and de-duplicated, free text reduced to its words. Equal selections give
// equal queries, so Query().Encode() serves as a cache key and as the
// query of an agenda's URL.
func (sel Selection) Query() url.Values {
	q := url.Values{}
	for _, f := range queryFields {
		var vals []string
		for _, v := range *f.list(&sel) {
			if f.name == "q" {
				v = strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }), " ")
			} else {
				v = strings.TrimSpace(v)
			}
			if v != "" {
				vals = append(vals, v)
			}
		}
		if vals = sortedUnique(vals); len(vals) > 0 {
			q[f.name] = vals
		}
	}
	if v := strings.TrimSpace(sel.From); v != "" {
		q.Set("from", v)
	}
	if v := strings.TrimSpace(sel.Until); v != "" {
		q.Set("until", v)
	}
	return q
}

func sortedUnique(vs []string) []string {
	if len(vs) == 0 {
		return nil
	}
	out := append([]string(nil), vs...)
	sort.Strings(out)
	n := 1
	for _, v := range out[1:] {
		if v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// Select returns the sessions sel chooses, in programme order.
//
// The filters (tracks, days, venues, rooms, speakers, types, tags, text
// and the time window) each match a session when any of their values does,
// and a session must match every filter given. When no filter is given
// the base is every session when only exclusions are given, and none
// otherwise.
// Exclusions (not-track, not-venue, not-type, not-tag) then remove
// sessions. Sessions named in Sessions are added whatever the filters and
// exclusions say, and sessions named in Exclude are removed whatever else
// says. A zero selection is ErrEmptySelection.
//
// Every value must name something the programme has: an unknown id,
// track, day, venue, room, speaker, type or tag is a *SelectionError that
// names it and suggests the closest known value.
func (p *Programme) Select(sel Selection) ([]*Session, error) {
	if sel.IsZero() {
		return nil, ErrEmptySelection
	}
	m, err := compile(p, sel)
	if err != nil {
		return nil, err
	}
	if !m.filtered && !m.excluding && len(m.include) == 0 && len(m.exclude) == 0 {
		return nil, ErrEmptySelection // only blank values
	}
	var out []*Session
	for _, s := range p.Sessions {
		if m.chosen(s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// matcher is a Selection checked against a programme and ready to test
// sessions.
type matcher struct {
	p                              *Programme
	include, exclude               map[string]bool // session ids or UID keys
	tracks, venues, types, tags    set
	rooms                          map[roomKey]bool
	days                           map[Date]bool
	speakers                       set
	text                           [][]string // folded words of each value
	from, until                    time.Time
	notTracks, notVenues, notTypes set
	notTags                        set
	filtered, excluding            bool
	// everything: only exclusions were given, so they start from the
	// whole programme.
	everything bool
}

type set map[string]bool

type roomKey struct{ venue, room string }

func compile(p *Programme, sel Selection) (*matcher, error) {
	k := newKnown(p)
	m := &matcher{p: p}
	var err error
	if m.include, err = k.sessions("session", sel.Sessions); err != nil {
		return nil, err
	}
	if m.exclude, err = k.sessions("exclude", sel.Exclude); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		field string
		vals  []string
		known []string
		fold  bool
		dst   *set
	}{
		{"track", sel.Tracks, k.tracks, false, &m.tracks},
		{"venue", sel.Venues, k.venues, false, &m.venues},
		{"speaker", sel.Speakers, k.speakers, false, &m.speakers},
		{"type", sel.Types, k.types, true, &m.types},
		{"tag", sel.Tags, k.tags, true, &m.tags},
		{"not-track", sel.NotTracks, k.tracks, false, &m.notTracks},
		{"not-venue", sel.NotVenues, k.venues, false, &m.notVenues},
		{"not-type", sel.NotTypes, k.types, true, &m.notTypes},
		{"not-tag", sel.NotTags, k.tags, true, &m.notTags},
	} {
		if *c.dst, err = lookup(c.field, c.vals, c.known, c.fold); err != nil {
			return nil, err
		}
	}
	if m.rooms, err = k.roomSet(sel.Rooms); err != nil {
		return nil, err
	}
	if m.days, err = k.daySet(sel.Days); err != nil {
		return nil, err
	}
	for _, v := range sel.Text {
		if words := strings.Fields(foldText(v)); len(words) > 0 {
			m.text = append(m.text, words)
		}
	}
	if m.from, m.until, err = Window(p, sel.From, sel.Until); err != nil {
		return nil, err
	}
	m.filtered = len(m.tracks)+len(m.venues)+len(m.speakers)+len(m.types)+len(m.tags)+len(m.rooms)+len(m.days)+len(m.text) > 0 ||
		!m.from.IsZero() || !m.until.IsZero()
	m.excluding = len(m.notTracks)+len(m.notVenues)+len(m.notTypes)+len(m.notTags) > 0
	m.everything = !m.filtered && len(m.include) == 0 && (m.excluding || len(m.exclude) > 0)
	return m, nil
}

// chosen applies the precedence: Exclude, then Sessions, then the
// exclusions, then the filters.
func (m *matcher) chosen(s *Session) bool {
	if m.exclude[s.ID] || m.exclude[s.UIDKey] {
		return false
	}
	if m.include[s.ID] || m.include[s.UIDKey] {
		return true
	}
	if m.excluded(s) {
		return false
	}
	if !m.filtered {
		return m.everything
	}
	return m.matches(s)
}

func (m *matcher) excluded(s *Session) bool {
	for _, t := range s.Tracks {
		if m.notTracks[t.ID] {
			return true
		}
	}
	if s.Venue != nil && m.notVenues[s.Venue.ID] {
		return true
	}
	if s.Type != "" && m.notTypes[foldKey(s.Type)] {
		return true
	}
	for _, t := range s.Tags {
		if m.notTags[foldKey(t)] {
			return true
		}
	}
	return false
}

func (m *matcher) matches(s *Session) bool {
	if len(m.tracks) > 0 && !anyTrack(s, m.tracks) {
		return false
	}
	if len(m.venues) > 0 && (s.Venue == nil || !m.venues[s.Venue.ID]) {
		return false
	}
	if len(m.rooms) > 0 && !m.inRoom(s) {
		return false
	}
	if len(m.speakers) > 0 && !anySpeaker(s, m.speakers) {
		return false
	}
	if len(m.types) > 0 && (s.Type == "" || !m.types[foldKey(s.Type)]) {
		return false
	}
	if len(m.tags) > 0 && !anyTag(s, m.tags) {
		return false
	}
	if len(m.days) > 0 && !m.onDay(s) {
		return false
	}
	if len(m.text) > 0 && !m.textMatch(s) {
		return false
	}
	return m.inWindow(s)
}

func anyTrack(s *Session, want set) bool {
	for _, t := range s.Tracks {
		if want[t.ID] {
			return true
		}
	}
	return false
}

func anySpeaker(s *Session, want set) bool {
	for _, sp := range s.Speakers {
		if want[sp.ID] {
			return true
		}
	}
	return false
}

func anyTag(s *Session, want set) bool {
	for _, t := range s.Tags {
		if want[foldKey(t)] {
			return true
		}
	}
	return false
}

func (m *matcher) inRoom(s *Session) bool {
	if s.Room == nil {
		return false
	}
	venue := ""
	if s.Venue != nil {
		venue = s.Venue.ID
	}
	return m.rooms[roomKey{venue, s.Room.ID}]
}

func (m *matcher) onDay(s *Session) bool {
	for _, d := range s.Days(m.p) {
		if m.days[d] {
			return true
		}
	}
	return false
}

// inWindow reports whether s overlaps [from, until). A session with no
// published end is an instant and must start inside the window.
func (m *matcher) inWindow(s *Session) bool {
	start, end := s.Interval(m.p)
	if !m.until.IsZero() && !start.Before(m.until) {
		return false
	}
	if !m.from.IsZero() {
		if end.Equal(start) {
			return !start.Before(m.from)
		}
		return end.After(m.from)
	}
	return true
}

func (m *matcher) textMatch(s *Session) bool {
	hay := haystack(s)
	for _, words := range m.text {
		all := true
		for _, w := range words {
			// Words match at the start of a word: "summ" finds
			// "Summit", "eric" finds "Éric" but not "Frédéric".
			if !strings.Contains(hay, " "+w) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// haystack is everything free text searches in s, folded, in every
// language the programme gives.
func haystack(s *Session) string {
	var b strings.Builder
	add := func(t string) {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	for _, t := range []Text{s.Title, s.Subtitle, s.Description} {
		for _, k := range sortedTextKeys(t) {
			add(t[k])
		}
	}
	for _, sp := range s.Speakers {
		add(sp.Name)
	}
	return " " + strings.Join(strings.Fields(foldText(b.String())), " ")
}

func sortedTextKeys(t Text) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// foldText lowercases s, strips accents and turns punctuation into spaces,
// so that "Éric" finds "eric" and "compar:ia" finds "Compar:IA".
func foldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			switch r {
			case 'ß':
				b.WriteString("ss")
			case 'æ', 'Æ':
				b.WriteString("ae")
			case 'œ', 'Œ':
				b.WriteString("oe")
			case 'ø', 'Ø':
				b.WriteString("o")
			default:
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// foldKey is how types and tags compare: case- and accent-insensitive.
func foldKey(s string) string { return strings.Join(strings.Fields(foldText(s)), "-") }

// Window parses the bounds of a time window in p's zone. From is an
// instant: a local time, an RFC 3339 time, or a date (its midnight).
// Until is exclusive, except that a date includes that whole day. Either
// may be empty; a zero time is no bound.
func Window(p *Programme, from, until string) (start, end time.Time, err error) {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	if from = strings.TrimSpace(from); from != "" {
		if start, err = parseBound(from, loc, false); err != nil {
			return time.Time{}, time.Time{}, &SelectionError{Field: "from", Value: from, Err: err}
		}
	}
	if until = strings.TrimSpace(until); until != "" {
		if end, err = parseBound(until, loc, true); err != nil {
			return time.Time{}, time.Time{}, &SelectionError{Field: "until", Value: until, Err: err}
		}
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return time.Time{}, time.Time{}, &SelectionError{Field: "until", Value: until, Err: fmt.Errorf("not after from %q", from)}
	}
	return start, end, nil
}

func parseBound(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	if len(s) == 10 {
		d, err := ParseDate(s)
		if err != nil {
			return time.Time{}, errors.New("not a real date: write YYYY-MM-DD")
		}
		if endOfDay {
			d = d.AddDays(1)
		}
		t, _ := WallClock(d, 0, 0, 0, loc)
		return t, nil
	}
	t, local, err := parseDateTime(s, loc)
	if err != nil {
		return time.Time{}, errors.New("not a time: write 2025-02-10T14:00 (programme zone), 2025-02-10T14:00+01:00 or 2025-02-10")
	}
	if !local {
		return t, nil
	}
	u, status := WallClock(DateOf(t), t.Hour(), t.Minute(), t.Second(), loc)
	if status == WallSkipped {
		return time.Time{}, fmt.Errorf("does not exist in %s (the clocks go forward then)", loc)
	}
	return u, nil
}

// known holds what a programme has, for checking and suggesting.
type known struct {
	p                                     *Programme
	sessionIDs                            map[string]bool
	sessionList                           []string
	tracks, venues, speakers, types, tags []string
}

func newKnown(p *Programme) *known {
	k := &known{p: p, sessionIDs: map[string]bool{}, tracks: trackIDs(p), venues: venueIDs(p), speakers: speakerIDs(p)}
	types, tags := set{}, set{}
	for _, s := range p.Sessions {
		for _, id := range []string{s.ID, s.UIDKey} {
			if id != "" && !k.sessionIDs[id] {
				k.sessionIDs[id] = true
				k.sessionList = append(k.sessionList, id)
			}
		}
		if s.Type != "" && !types[s.Type] {
			types[s.Type] = true
			k.types = append(k.types, s.Type)
		}
		for _, t := range s.Tags {
			if !tags[t] {
				tags[t] = true
				k.tags = append(k.tags, t)
			}
		}
	}
	sort.Strings(k.types)
	sort.Strings(k.tags)
	return k
}

func (k *known) sessions(field string, vals []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !k.sessionIDs[v] {
			return nil, &SelectionError{Field: field, Value: v, Suggestion: suggest(v, k.sessionList)}
		}
		out[v] = true
	}
	return out, nil
}

// lookup checks vals against known values. With fold, values compare
// case- and accent-insensitively and the set holds folded keys.
func lookup(field string, vals, knownVals []string, fold bool) (set, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	index := map[string]string{}
	for _, kv := range knownVals {
		key := kv
		if fold {
			key = foldKey(kv)
		}
		index[key] = kv
	}
	out := set{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		key := v
		if fold {
			key = foldKey(v)
		}
		if _, ok := index[key]; !ok {
			return nil, &SelectionError{Field: field, Value: v, Suggestion: suggest(v, knownVals)}
		}
		out[key] = true
	}
	return out, nil
}

// roomSet reads rooms given as ROOM, or VENUE/ROOM when room ids repeat
// across venues. A bare ROOM names that room in every venue that has it.
func (k *known) roomSet(vals []string) (map[roomKey]bool, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	var names []string
	byRoom := map[string][]roomKey{}
	for _, v := range k.p.Venues {
		for _, r := range v.Rooms {
			key := roomKey{v.ID, r.ID}
			byRoom[r.ID] = append(byRoom[r.ID], key)
			byRoom[v.ID+"/"+r.ID] = []roomKey{key}
			names = append(names, r.ID, v.ID+"/"+r.ID)
		}
	}
	sort.Strings(names)
	out := map[roomKey]bool{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		keys, ok := byRoom[v]
		if !ok {
			return nil, &SelectionError{Field: "room", Value: v, Suggestion: suggest(v, names)}
		}
		for _, key := range keys {
			out[key] = true
		}
	}
	return out, nil
}

// daySet reads dates, each of which must be a day the programme has
// sessions on.
func (k *known) daySet(vals []string) (map[Date]bool, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	days := k.p.Days()
	have := map[Date]bool{}
	names := make([]string, len(days))
	for i, d := range days {
		have[d] = true
		names[i] = d.String()
	}
	out := map[Date]bool{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		d, err := ParseDate(v)
		if err != nil {
			return nil, &SelectionError{Field: "day", Value: v, Err: errors.New("not a date: write YYYY-MM-DD")}
		}
		if !have[d] {
			return nil, &SelectionError{Field: "day", Value: v, Suggestion: nearestDay(d, days)}
		}
		out[d] = true
	}
	return out, nil
}

// nearestDay returns the programme day closest to d, the earlier on a tie.
func nearestDay(d Date, days []Date) string {
	best, bestGap := "", 0
	for _, c := range days {
		gap := int(c.In(time.UTC).Sub(d.In(time.UTC)).Hours() / 24)
		if gap < 0 {
			gap = -gap
		}
		if best == "" || gap < bestGap {
			best, bestGap = c.String(), gap
		}
	}
	return best
}

// suggest is Suggest, falling back to the shortest candidate that holds s
// ("business-day" suggests "stationf-business-day").
func suggest(s string, candidates []string) string {
	if m := Suggest(s, candidates); m != "" {
		return m
	}
	ls := strings.ToLower(s)
	best := ""
	for _, c := range candidates {
		if len(ls) >= 3 && strings.Contains(strings.ToLower(c), ls) && (best == "" || len(c) < len(best) || len(c) == len(best) && c < best) {
			best = c
		}
	}
	return best
}

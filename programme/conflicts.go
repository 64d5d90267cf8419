package programme

import (
	"math"
	"slices"
	"sort"
	"time"
)

// ConflictKind says what is wrong with two sessions of an agenda.
type ConflictKind string

// The kinds of conflict.
const (
	// ConflictOverlap: the two sessions run at the same time.
	ConflictOverlap ConflictKind = "overlap"
	// ConflictTravel: the second starts too soon after the first for
	// anyone to get from one venue to the other.
	ConflictTravel ConflictKind = "travel"
	// ConflictSameDay: two sessions without published times on the same
	// day at venues more than DayReach apart; nobody gets to both.
	ConflictSameDay ConflictKind = "same-day"
	// ConflictPossibleOverlap is a note, not a conflict: a session
	// without published times (modelled all-day) and another session on
	// the same day at another venue, which may or may not overlap.
	ConflictPossibleOverlap ConflictKind = "possible-overlap"
)

// Defaults of ConflictOptions, also the defaults of the agenda.travel_speed
// and agenda.min_gap configuration keys.
const (
	DefaultTravelSpeed = 15.0 // km/h: a bicycle, or the metro door to door
	DefaultMinGap      = 5 * time.Minute
	// DetourFactor turns a straight-line distance into a street distance.
	DetourFactor = 1.3
	// DayReach is the longest trip between the venues of two sessions
	// without published times on one day that still leaves time to attend
	// both "sometime that day": half a day.
	DayReach = 12 * time.Hour
)

// ConflictOptions tune Conflicts.
type ConflictOptions struct {
	// TravelSpeed is the door-to-door speed between venues, in km/h;
	// zero or less means DefaultTravelSpeed.
	TravelSpeed float64
	// MinGap is the least time it takes to change venues, however close
	// they are; zero means none.
	MinGap time.Duration
}

// Conflict is a problem between two sessions of an agenda.
type Conflict struct {
	Kind ConflictKind
	// A comes before B in programme order.
	A, B *Session
	// Day is the programme-local day of the conflict.
	Day Date
	// Gap is, for a travel conflict, the time from the end of A (its
	// start when A has no published end) to the start of B; for an
	// overlap, how long both run (zero when either has no published end).
	Gap time.Duration
	// Distance is the straight-line distance between the venues in km;
	// zero when a venue has no position.
	Distance float64
	// Travel is the time needed to get from A's venue to B's: the street
	// distance at TravelSpeed, and at least MinGap.
	Travel time.Duration
	// OpenEnd is set when A has no published end, so that Gap counts
	// from its start.
	OpenEnd bool
}

// Possible reports whether c is a note (ConflictPossibleOverlap) rather
// than a conflict.
func (c Conflict) Possible() bool { return c.Kind == ConflictPossibleOverlap }

// Conflicts finds the problems of an agenda: sessions that overlap, timed
// sessions in a row at venues too far apart for the time between them,
// and sessions without published times on the same day at venues too far
// apart to reach (more than DayReach). It also notes, as
// ConflictPossibleOverlap, a session without published times and another
// on the same day at another venue: "sometime that day" may or may not
// clash, so these never count as conflicts. Cancelled sessions take no
// time and are left out. Conflicts come in programme order of A, then of
// B.
//
// Sessions with no published end are instants: one overlaps a session
// running when it starts, or another instant at the same time, and the
// time to reach the next venue counts from its start, so that a warning
// means the next session cannot be reached even by leaving at once.
// Sessions with no venue are never too far from anything. Travel between
// venues with no position takes MinGap.
func Conflicts(p *Programme, sessions []*Session, opts ConflictOptions) []Conflict {
	if opts.TravelSpeed <= 0 {
		opts.TravelSpeed = DefaultTravelSpeed
	}
	if opts.MinGap < 0 {
		opts.MinGap = 0
	}
	var live []*Session
	for _, s := range sessions {
		if s.Status != Cancelled {
			live = append(live, s)
		}
	}
	sort.SliceStable(live, func(i, j int) bool { return Less(p, live[i], live[j]) })
	var out []Conflict
	for i, a := range live {
		for _, b := range live[i+1:] {
			if c, ok := conflict(p, a, b, opts); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

func conflict(p *Programme, a, b *Session, opts ConflictOptions) (Conflict, bool) {
	if a.AllDay || b.AllDay {
		return sameDay(p, a, b, opts)
	}
	c := Conflict{A: a, B: b, Day: b.Day(p)}
	if d, ok := overlap(a, b); ok {
		c.Kind, c.Gap = ConflictOverlap, d
		return c, true
	}
	if !differentVenues(a, b) {
		return Conflict{}, false
	}
	from := a.End
	if a.End.IsZero() {
		from, c.OpenEnd = a.Start, true
	}
	if b.Start.Before(from) {
		return Conflict{}, false
	}
	c.Gap = b.Start.Sub(from)
	c.Distance, c.Travel = travel(a.Venue, b.Venue, opts)
	if c.Gap >= c.Travel {
		return Conflict{}, false
	}
	c.Kind = ConflictTravel
	return c, true
}

// overlap reports whether two timed sessions run at once, a starting no
// later than b, and for how long. A session with no published end is an
// instant, which overlaps what runs at that instant.
func overlap(a, b *Session) (time.Duration, bool) {
	aOpen, bOpen := a.End.IsZero(), b.End.IsZero()
	switch {
	case aOpen && bOpen:
		return 0, a.Start.Equal(b.Start)
	case aOpen:
		return 0, !a.Start.Before(b.Start) && a.Start.Before(b.End)
	case bOpen:
		return 0, !b.Start.Before(a.Start) && b.Start.Before(a.End)
	}
	start, end := b.Start, a.End
	if a.Start.After(start) {
		start = a.Start
	}
	if b.End.Before(end) {
		end = b.End
	}
	if !start.Before(end) {
		return 0, false
	}
	return end.Sub(start), true
}

func differentVenues(a, b *Session) bool {
	return a.Venue != nil && b.Venue != nil && a.Venue.ID != b.Venue.ID
}

// sameDay compares two sessions of which at least one has no published
// times: on a shared day at different venues, they may overlap, and are a
// conflict when both are untimed and the venues are more than DayReach
// apart.
func sameDay(p *Programme, a, b *Session, opts ConflictOptions) (Conflict, bool) {
	if !differentVenues(a, b) {
		return Conflict{}, false
	}
	aDays, bDays := a.Days(p), b.Days(p)
	i := slices.IndexFunc(aDays, func(d Date) bool { return slices.Contains(bDays, d) })
	if i < 0 {
		return Conflict{}, false
	}
	c := Conflict{Kind: ConflictPossibleOverlap, A: a, B: b, Day: aDays[i]}
	c.Distance, c.Travel = travel(a.Venue, b.Venue, opts)
	if a.AllDay && b.AllDay && c.Travel > DayReach {
		c.Kind = ConflictSameDay
	}
	return c, true
}

// travel estimates the distance between two venues and the time to get
// from one to the other.
func travel(a, b *Venue, opts ConflictOptions) (km float64, d time.Duration) {
	d = opts.MinGap
	if a.Geo == nil || b.Geo == nil {
		return 0, d
	}
	km = Distance(*a.Geo, *b.Geo)
	if t := TravelTime(km, opts.TravelSpeed); t > d {
		d = t
	}
	return km, d
}

// TravelTime estimates how long it takes to cover a straight-line distance
// of km at speed km/h through streets (DetourFactor), rounded up to the
// minute.
func TravelTime(km, speed float64) time.Duration {
	if speed <= 0 {
		speed = DefaultTravelSpeed
	}
	minutes := math.Ceil(km * DetourFactor / speed * 60)
	return time.Duration(minutes) * time.Minute
}

// Distance returns the great-circle distance between two positions in
// kilometres (the haversine formula).
func Distance(a, b Geo) float64 {
	const earthRadius = 6371.0088 // km, the mean radius
	rad := func(deg float64) float64 { return deg * math.Pi / 180 }
	dLat, dLon := rad(b.Lat-a.Lat), rad(b.Lon-a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

package lenient

import (
	"fmt"
	"strings"
	"time"
)

// Clock is a wall-clock time of day.
type Clock struct{ H, M, S int }

// ClockOf returns the time of day of t, in t's location.
func ClockOf(t time.Time) Clock { return Clock{t.Hour(), t.Minute(), t.Second()} }

// Less reports whether c comes before d in the day.
func (c Clock) Less(d Clock) bool {
	return c.H*3600+c.M*60+c.S < d.H*3600+d.M*60+d.S
}

// String writes c as HH:MM, or HH:MM:SS when it has seconds.
func (c Clock) String() string {
	if c.S != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", c.H, c.M, c.S)
	}
	return fmt.Sprintf("%02d:%02d", c.H, c.M)
}

// ParseClock reads H:MM, HH:MM or HH:MM:SS, on a 24-hour clock.
func ParseClock(s string) (Clock, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Clock{}, false
	}
	var v [3]int
	for i, p := range parts {
		if p == "" || len(p) > 2 || i > 0 && len(p) != 2 {
			return Clock{}, false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return Clock{}, false
			}
			v[i] = v[i]*10 + int(r-'0')
		}
	}
	if v[0] > 23 || v[1] > 59 || v[2] > 59 {
		return Clock{}, false
	}
	return Clock{v[0], v[1], v[2]}, true
}

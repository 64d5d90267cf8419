package synth

import (
	"math/rand/v2"
	"time"
)

// The schedule: sessions placed in rooms without overlaps, 09:00 to 22:00
// local, a few running past midnight, and, when the days span a change from
// summer to winter time, a few in the night whose clock hour happens twice.

const (
	dayStart      = 9 * 60  // minutes after local midnight
	dayEnd        = 22 * 60 // no daytime session ends later
	maxPerRoomDay = 8
	lateChance    = 0.03 // chance that a room's day ends with a session past midnight
)

// durations are session lengths in minutes, weighted by repetition.
var durations = []int{15, 20, 30, 30, 30, 30, 45, 45, 45, 45, 45, 60, 60, 60, 60, 75, 90, 90, 105, 120}

// slot is one scheduled session.
type slot struct {
	venue, room int
	start, end  time.Time
	// offsets says the times must be written with explicit UTC offsets:
	// they fall in an hour the clocks repeat.
	offsets bool
}

type roomRef struct{ venue, room int }

type roomDay struct {
	ref    roomRef
	day    int
	count  int
	noLate bool
}

// schedule places n sessions in the rooms over days days from first.
func schedule(rng *rand.Rand, n, days int, first time.Time, rooms []roomRef) []slot {
	loc := first.Location()
	rds := make([]*roomDay, 0, len(rooms)*days)
	for d := range days {
		for _, r := range rooms {
			rds = append(rds, &roomDay{ref: r, day: d})
		}
	}
	var out []slot
	if n >= 100 && len(rooms) >= 2 {
		out = dstNight(first, days, rooms, rds)
	}
	// Spread the sessions over the room-days, at most maxPerRoomDay each;
	// the generator sizes the rooms so that they all fit.
	open := append([]*roomDay(nil), rds...)
	for range n - len(out) {
		if len(open) == 0 {
			break
		}
		i := rng.IntN(len(open))
		rd := open[i]
		rd.count++
		if rd.count == maxPerRoomDay {
			open[i] = open[len(open)-1]
			open = open[:len(open)-1]
		}
	}
	for _, rd := range rds {
		out = append(out, fillRoomDay(rng, rd, first, loc)...)
	}
	return out
}

// fillRoomDay lays out rd.count sessions between 09:00 and 22:00 with
// random gaps, the last one sometimes moved past midnight.
func fillRoomDay(rng *rand.Rand, rd *roomDay, first time.Time, loc *time.Location) []slot {
	k := rd.count
	if k == 0 {
		return nil
	}
	late := !rd.noLate && rng.Float64() < lateChance
	day := first.AddDate(0, 0, rd.day)
	wall := func(min int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), 0, min, 0, 0, loc)
	}
	var lateSlot slot
	if late {
		k--
		start := 22*60 + 30 + 15*rng.IntN(5) // 22:30 to 23:30
		minDur := 24*60 - start + 15
		dur := minDur + 5*rng.IntN((120-minDur)/5+1)
		lateSlot = slot{venue: rd.ref.venue, room: rd.ref.room, start: wall(start), end: wall(start + dur)}
	}
	out := make([]slot, 0, rd.count)
	durs := make([]int, k)
	total := 0
	for i := range durs {
		durs[i] = durations[rng.IntN(len(durations))]
		total += durs[i]
	}
	// Eight long sessions do not fit in a day: shorten the longest.
	for total > dayEnd-dayStart {
		longest := 0
		for i, d := range durs {
			if d > durs[longest] {
				longest = i
			}
		}
		total -= durs[longest] - 30
		durs[longest] = 30
	}
	free := dayEnd - dayStart - total
	// k+1 gaps: before the first session, between sessions, after the last.
	weights := make([]float64, k+1)
	sum := 0.0
	for i := range weights {
		weights[i] = rng.Float64()
		sum += weights[i]
	}
	at := dayStart
	for i, d := range durs {
		at += int(float64(free)*weights[i]/sum) / 5 * 5
		out = append(out, slot{venue: rd.ref.venue, room: rd.ref.room, start: wall(at), end: wall(at + d)})
		at += d
	}
	if late {
		out = append(out, lateSlot)
	}
	return out
}

// dstNight returns three sessions in the night the clocks go back, if the
// days include one: one starting before the repeated hour and ending in its
// second pass, one in its first pass and one in its second. It keeps the
// rooms they use free of late sessions the evening before.
func dstNight(first time.Time, days int, rooms []roomRef, rds []*roomDay) []slot {
	loc := first.Location()
	for d := range days {
		day := first.AddDate(0, 0, d)
		midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		_, before := midnight.Zone()
		_, after := next.Zone()
		if after >= before {
			continue
		}
		// The transition instant, to the minute.
		lo, hi := midnight, next
		for hi.Sub(lo) > time.Minute {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, off := mid.Zone(); off == before {
				lo = mid
			} else {
				hi = mid
			}
		}
		change := hi.Truncate(time.Minute) // the first instant of the second pass
		repeat := time.Duration(before-after) * time.Second
		a, b := rooms[0], rooms[len(rooms)-1]
		if d > 0 {
			for _, rd := range rds {
				if rd.day == d-1 && (rd.ref == a || rd.ref == b) {
					rd.noLate = true
				}
			}
		}
		firstPass := change.Add(-repeat) // the start of the repeated hour, first pass
		return []slot{
			{venue: a.venue, room: a.room, start: firstPass.Add(-30 * time.Minute), end: change.Add(30 * time.Minute), offsets: true},
			{venue: b.venue, room: b.room, start: firstPass.Add(15 * time.Minute), end: firstPass.Add(45 * time.Minute), offsets: true},
			{venue: b.venue, room: b.room, start: change.Add(15 * time.Minute), end: change.Add(75 * time.Minute), offsets: true},
		}
	}
	return nil
}

// Package c3voc reads schedule.json, the JSON form of the frab schedule
// used by c3voc, frab and pretalx (schedule.conference.days[].rooms{}), and
// the flat schedule2 draft (schedule.events[] with a per-event state).
//
// Both are read leniently: real exports break their schemas in many small
// ways (null strings, numbers for strings, persons as names or objects).
// Each fix is reported as a warning; what cannot be understood is an error
// naming the file, the place and the value.
package c3voc

// Package frab reads the frab schedule format, the de-facto exchange
// format of conference programmes: schedule.xml as written by frab,
// pentabarf (the older style with no time zone, no <date> and no guid),
// pretalx and the c3voc tools.
//
// The same schedule is also published as JSON (package c3voc); both are
// decoded into a Schedule, which Build turns into a programme.Programme,
// fixing what real exports get wrong and reporting each fix as a warning.
package frab

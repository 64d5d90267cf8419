package caldav

import (
	"time"

	"github.com/emersion/go-ical"

	"github.com/confcal/confcal/ics"
)

// vtimezone returns a VTIMEZONE for loc that is exact for every instant
// from a year before from to a year after to: an observance for the
// offset in force at the start, then one for each change of offset
// (ics.Changes). Listing the changes, rather than fitting a yearly rule,
// is exact for every zone; CalDAV clients and servers read the TZID as an
// IANA zone name anyway, and some rewrite the VTIMEZONE.
func vtimezone(loc *time.Location, from, to time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	setRaw(tz, ical.PropTimezoneID, loc.String())
	for _, o := range ics.Changes(loc, from, to) {
		kind := ical.CompTimezoneStandard
		if o.Daylight {
			kind = ical.CompTimezoneDaylight
		}
		c := ical.NewComponent(kind)
		setRaw(c, ical.PropDateTimeStart, o.Start)
		setRaw(c, ical.PropTimezoneOffsetFrom, ics.Offset(o.From))
		setRaw(c, ical.PropTimezoneOffsetTo, ics.Offset(o.To))
		if o.Name != "" && o.Name[0] != '+' && o.Name[0] != '-' {
			setText(c, ical.PropTimezoneName, o.Name)
		}
		tz.Children = append(tz.Children, c)
	}
	return tz
}

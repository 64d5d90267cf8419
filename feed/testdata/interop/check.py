"""Prints, for every VEVENT of each file, its UID and its start and end as
python3-icalendar computes them (zones resolved by TZID):
    file<TAB>uid<TAB>start<TAB>end
Times are UTC (20250210T163000Z) or dates (20250210). Exit 1 on any error,
including components the parser could not read."""
import datetime
import sys

import icalendar


def fmt(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            raise ValueError("floating time %s" % v)
        return v.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return v.strftime("%Y%m%d")


def main(files):
    failed = False
    for path in files:
        try:
            with open(path, "rb") as f:
                cal = icalendar.Calendar.from_ical(f.read())
            for comp in cal.walk():
                if getattr(comp, "errors", None):
                    raise ValueError("%s: %s" % (comp.name, comp.errors))
            for ev in cal.walk("VEVENT"):
                start = ev.decoded("DTSTART")
                if "DTEND" in ev:
                    end = ev.decoded("DTEND")
                elif "DURATION" in ev:
                    end = start + ev.decoded("DURATION")
                elif isinstance(start, datetime.datetime):
                    end = start
                else:
                    end = start + datetime.timedelta(days=1)
                print("%s\t%s\t%s\t%s" % (path, ev["UID"], fmt(start), fmt(end)))
        except Exception as e:  # report every file, then fail
            print("%s: %s" % (path, e), file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Builds the whole-programme feed of a confcal native-format programme (JSON,
as bench/gen writes it) with python3-icalendar, as confcal's benchmark
baseline, and writes it atomically like confcal does (temporary file,
fsync, rename).

    /usr/bin/python3 bench/icalendar_build.py -n 3 programme.json out.ics

Every event carries what confcal's do: UID, DTSTAMP, CREATED,
LAST-MODIFIED, DTSTART/DTEND with TZID (UTC in an hour the clocks repeat or
skip), STATUS, SUMMARY, DESCRIPTION (subtitle, text, speakers, tracks, room,
link), LOCATION, GEO, URL and one CATEGORIES per track, type and tag; the
calendar carries a VTIMEZONE for the programme's zone. Reading the JSON is
not timed (confcal's timing leaves decoding out too); building and writing
are. Prints the medians, in milliseconds, of the wall-clock time as
"python_ms N" and of the CPU time as "python_cpu_ms N", then the number of
events and bytes written.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys
import tempfile
import time

import icalendar
import pytz

UTC = pytz.utc  # python3-icalendar writes it as ...Z, not as a TZID
OFFSET = re.compile(r"[+-]\d\d:\d\d$|Z$")
DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def parse_time(value, tz):
    """Returns the instant a native-format date-time names, as an aware
    datetime in UTC: local times are in tz, the first of a repeated hour."""
    dt = datetime.datetime.fromisoformat(value)
    if OFFSET.search(value):
        return dt.astimezone(UTC)
    try:
        return tz.localize(dt, is_dst=None).astimezone(UTC)
    except pytz.AmbiguousTimeError:
        return tz.localize(dt, is_dst=True).astimezone(UTC)


def parse_duration(value):
    m = DURATION.match(value)
    if not m or not value:
        raise ValueError("duration %r is not like 1h30m" % value)
    return datetime.timedelta(hours=int(m.group(1) or 0), minutes=int(m.group(2) or 0))


def local(instant, tz):
    """Returns instant in tz, or in UTC when its wall-clock time there is
    ambiguous or skipped, as confcal writes it."""
    wall = instant.astimezone(tz)
    try:
        back = tz.localize(wall.replace(tzinfo=None), is_dst=None)
    except (pytz.AmbiguousTimeError, pytz.NonExistentTimeError):
        return instant
    return wall if back == instant else instant


def vtimezone(tz, first, last):
    """A VTIMEZONE for tz with one component per transition from the one in
    force at first to the last before last."""
    comp = icalendar.Timezone()
    comp.add("tzid", tz.zone)
    times, info = tz._utc_transition_times, tz._transition_info
    naive_first, naive_last = first.replace(tzinfo=None), last.replace(tzinfo=None)
    start = max(i for i, t in enumerate(times) if t <= naive_first)
    for i in range(max(start, 1), len(times)):
        if times[i] > naive_last and i > start:
            break
        offset, dst, name = info[i]
        before = info[i - 1][0]
        sub = icalendar.TimezoneDaylight() if dst else icalendar.TimezoneStandard()
        sub.add("dtstart", times[i] + before)
        sub.add("tzoffsetfrom", before)
        sub.add("tzoffsetto", offset)
        sub.add("tzname", name)
        comp.add_component(sub)
    return comp


def description(s, tracks, speakers, room):
    parts = [p.strip() for p in (s.get("subtitle", ""), s.get("description", "")) if p.strip()]
    facts = []
    if s.get("speakers"):
        names = []
        for sid in s["speakers"]:
            name, affiliation = speakers[sid]
            names.append("%s (%s)" % (name, affiliation) if affiliation else name)
        facts.append("Speakers: " + ", ".join(names))
    if s.get("tracks"):
        label = "Tracks" if len(s["tracks"]) > 1 else "Track"
        facts.append(label + ": " + ", ".join(tracks[t] for t in s["tracks"]))
    if room:
        facts.append("Room: " + room)
    if s.get("url"):
        facts.append("More: " + s["url"])
    if facts:
        parts.append("\n".join(facts))
    return "\n\n".join(parts)


def build(doc):
    tz = pytz.timezone(doc["timezone"])
    tracks = {t["id"]: t["name"] for t in doc["tracks"]}
    speakers = {p["id"]: (p["name"], p.get("affiliation", "")) for p in doc["speakers"]}
    venues = {v["id"]: v for v in doc["venues"]}
    rooms = {(v["id"], r["id"]): r["name"] for v in doc["venues"] for r in v.get("rooms", [])}
    stamp = datetime.datetime.fromisoformat(doc["updated"].replace("Z", "+00:00"))

    timed = []
    for s in doc["sessions"]:
        start = parse_time(s["start"], tz)
        if "end" in s:
            end = parse_time(s["end"], tz)
        else:
            end = start + parse_duration(s["duration"])
        timed.append((start, end, s["id"], s))
    timed.sort(key=lambda x: x[:3])

    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//confcal//benchmark python3-icalendar//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", doc["name"])
    cal.add("x-wr-calname", doc["name"])
    cal.add("x-wr-timezone", doc["timezone"])
    cal.add("url", doc["url"])
    cal.add_component(vtimezone(tz, timed[0][0], timed[-1][1]))
    for start, end, sid, s in timed:
        ev = icalendar.Event()
        ev.add("uid", "%s-%s@%s" % (doc["id"], sid, doc["domain"]))
        ev.add("dtstamp", stamp)
        ev.add("created", stamp)
        ev.add("last-modified", stamp)
        ev.add("dtstart", local(start, tz))
        ev.add("dtend", local(end, tz))
        status = s.get("status", "confirmed")
        ev.add("status", status.upper())
        summary = s["title"]
        if status == "cancelled":
            summary = "Cancelled: " + summary
        ev.add("summary", summary)
        venue = venues[s["venue"]]
        room = rooms.get((s["venue"], s.get("room")))
        ev.add("description", description(s, tracks, speakers, room))
        ev.add("location", ", ".join(p for p in (room, venue["name"], venue.get("address")) if p))
        ev.add("geo", (venue["geo"]["lat"], venue["geo"]["lon"]))
        ev.add("url", s["url"])
        seen = set()
        for c in [tracks[t] for t in s.get("tracks", [])] + [s["type"]] + s.get("tags", []):
            if c.lower() not in seen:
                seen.add(c.lower())
                ev.add("categories", [c])
        cal.add_component(ev)
    return cal.to_ical()


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix="." + os.path.basename(path) + ".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=3, help="runs")
    ap.add_argument("programme", help="programme in the native JSON format")
    ap.add_argument("out", help="calendar file to write")
    args = ap.parse_args()
    with open(args.programme, encoding="utf-8") as f:
        doc = json.load(f)
    times, cpu = [], []
    for _ in range(args.n):
        t0, c0 = time.perf_counter(), time.process_time()
        data = build(doc)
        write_atomic(args.out, data)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print("python_ms %.1f" % (statistics.median(times) * 1000))
    print("python_cpu_ms %.1f" % (statistics.median(cpu) * 1000))
    print("python_events %d" % data.count(b"BEGIN:VEVENT\r\n"))
    print("python_bytes %d" % len(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())

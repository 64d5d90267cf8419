"""Read a CalDAV calendar back as a second, independent client would.

Usage: readback.py CALENDAR_URL USER, with the password in the environment
variable READBACK_PASSWORD. It sends its own REPORT calendar-query with
urllib, parses every object with vobject (the parser inside Radicale),
and prints the events as JSON, times as UTC ISO 8601 or, for all-day
events, dates.
"""

import base64
import datetime
import json
import os
import sys
import urllib.request
import xml.etree.ElementTree as ET

import vobject

QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}


def when(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            return "floating " + v.isoformat()
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return v.isoformat()


def value(ev, name):
    c = ev.contents.get(name)
    return c[0].value if c else None


def main():
    url, user = sys.argv[1], sys.argv[2]
    auth = base64.b64encode((user + ":" + os.environ["READBACK_PASSWORD"]).encode()).decode()
    req = urllib.request.Request(url, data=QUERY, method="REPORT", headers={
        "Depth": "1", "Content-Type": "application/xml; charset=utf-8", "Authorization": "Basic " + auth})
    with urllib.request.urlopen(req) as resp:
        root = ET.fromstring(resp.read())
    out = []
    for r in root.findall("D:response", NS):
        data = r.find("D:propstat/D:prop/C:calendar-data", NS)
        if data is None or not data.text:
            continue
        cal = vobject.readOne(data.text)
        for ev in cal.vevent_list:
            start = ev.dtstart.value
            if "dtend" in ev.contents:
                end = ev.dtend.value
            elif "duration" in ev.contents:
                end = start + ev.duration.value
            else:
                end = start
            out.append({
                "href": r.find("D:href", NS).text,
                "uid": ev.uid.value,
                "summary": value(ev, "summary"),
                "location": value(ev, "location"),
                "description": value(ev, "description"),
                "status": value(ev, "status"),
                "start": when(start),
                "end": when(end),
                "owner": value(ev, "x-confcal-owner"),
                "source": value(ev, "x-confcal-source"),
                "hash": value(ev, "x-confcal-hash"),
            })
    json.dump(sorted(out, key=lambda e: e["uid"]), sys.stdout, indent=1)


main()

// Prints, for every VEVENT of each file, its UID and its start and end as
// ical.js computes them from the file's own VTIMEZONEs:
//   file<TAB>uid<TAB>start<TAB>end
// Times are UTC (20250210T163000Z) or dates (20250210). Exit 1 on any
// parse error.
import fs from "node:fs";
import ICAL from "ical.js";

const two = (n) => String(n).padStart(2, "0");
const fmt = (t) => {
  if (t.isDate) return `${t.year}${two(t.month)}${two(t.day)}`;
  const u = t.convertToZone(ICAL.Timezone.utcTimezone);
  return `${u.year}${two(u.month)}${two(u.day)}T${two(u.hour)}${two(u.minute)}${two(u.second)}Z`;
};

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    ICAL.TimezoneService.reset();
    const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
    for (const vtz of root.getAllSubcomponents("vtimezone")) {
      ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
    }
    for (const ve of root.getAllSubcomponents("vevent")) {
      const ev = new ICAL.Event(ve, { exceptions: [] });
      const start = ev.startDate;
      if (start.zone && start.zone.tzid !== "UTC" && !start.isDate && !ICAL.TimezoneService.has(start.zone.tzid)) {
        throw new Error(`${ev.uid}: zone ${start.zone.tzid} has no VTIMEZONE`);
      }
      process.stdout.write(`${file}\t${ev.uid}\t${fmt(start)}\t${fmt(ev.endDate)}\n`);
    }
  } catch (e) {
    process.stderr.write(`${file}: ${e.message}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);

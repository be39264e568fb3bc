/**
 * The next occurrences of a schedule, each with its wall-clock time in the zone and a note where
 * the DST rule changed something: a fixed time that does not exist fires after the gap
 * ("shifted: 02:30 does not exist on 2026-03-08 in America/New_York (clocks jump forward)"),
 * a fixed time that occurs twice fires once ("repeated local time: fires once").
 */
import { isFixedTime, nextAfter, validateSchedule, wallClockTimesBetween, zoneFor } from "./cron";
import { type Zone, formatLocal } from "./zone";

const DAY = 86_400_000;

export interface Occurrence {
  at: Date;
  /** ISO 8601 wall-clock time with the offset in force, e.g. `2026-03-08T03:00:00-04:00`. */
  local: string;
  note?: string;
}

/** The first `count` occurrences strictly after `after`; throws the 422 for a bad expression or zone. */
export function previewOccurrences(expr: string, timezone: string, after: Date, count: number): Occurrence[] {
  validateSchedule(expr, timezone);
  const zone = zoneFor(timezone);
  const fixed = isFixedTime(expr);
  const occurrences: Occurrence[] = [];
  for (let at = nextAfter(expr, timezone, after); at && occurrences.length < count; at = nextAfter(expr, timezone, at)) {
    const note = fixed ? dstNote(expr, zone, at) : undefined;
    occurrences.push({ at, local: formatLocal(at, zone), ...(note ? { note } : {}) });
  }
  return occurrences;
}

function dstNote(expr: string, zone: Zone, at: Date): string | undefined {
  const ms = at.getTime();
  const gap = zone.transitionsBetween(ms - 1, ms).find((t) => t.at === ms && t.after > t.before);
  if (gap) {
    const missing = wallClockTimesBetween(expr, ms + gap.before, ms + gap.after, 4);
    if (missing.length) {
      const date = new Date(missing[0]!).toISOString().slice(0, 10);
      const verb = missing.length === 1 ? "does" : "do";
      return `shifted: ${listTimes(missing)} ${verb} not exist on ${date} in ${zone.name} (clocks jump forward)`;
    }
  }
  const wall = ms + zone.offsetAt(ms);
  const repeated = zone
    .transitionsBetween(ms - DAY, ms + DAY)
    .some((t) => t.after < t.before && wall >= t.at + t.after && wall < t.at + t.before);
  return repeated ? "repeated local time: fires once" : undefined;
}

function listTimes(walls: number[]): string {
  const times = walls.slice(0, 3).map((wall) => {
    const time = new Date(wall).toISOString().slice(11, 19);
    return time.endsWith(":00") ? time.slice(0, 5) : time;
  });
  if (walls.length > 3) return `${times.join(", ")} and later times`;
  return times.length === 1 ? times[0]! : `${times.slice(0, -1).join(", ")} and ${times.at(-1)}`;
}

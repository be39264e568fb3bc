/**
 * Cron evaluation on croner, in IANA time zones. Pure: time is always a parameter (the caches
 * below only memoise compiled expressions and zone offsets).
 *
 * Grammar: 5 fields (minute hour day-of-month month day-of-week) or 6 with a leading seconds
 * field; names (JAN–DEC, SUN–SAT); `L`, `LW`, `15W` in day of month; `5L`, `FRI#2`, `5#L` in day
 * of week; `@yearly`/`@annually`/`@monthly`/`@weekly`/`@daily`/`@midnight`/`@hourly`. Day of month
 * and day of week are ORed as in Vixie cron when both are restricted (`+MON` asks for AND).
 *
 * DST rule (croner's native handling with `fixedTimeRule: "no-wildcard"`, as Vixie cron):
 * - A *fixed-time* expression has no `*` and no step in its second, minute and hour fields
 *   (`30 2 * * *`, `0 9,17 * * 1-5`, `@daily`). A local time it names that falls in a
 *   spring-forward gap fires at the first instant after the gap, the same day (02:30 in
 *   America/New_York on 2026-03-08 fires at 03:00 EDT = 07:00Z; times in one gap fire once).
 *   A local time that occurs twice on a fall-back day fires once, at its first occurrence (EDT).
 * - Any other expression (`*\/15 * * * *`, `0 * * * *`, `@hourly`, `*\/30 2 * * *`) follows elapsed
 *   time: it fires at every real instant whose local wall-clock time matches. Times inside a gap
 *   do not exist and do not fire; times in a repeated hour exist twice and fire twice. So
 *   `*\/15 * * * *` fires every real 15 minutes through both transitions, and `0 * * * *` fires
 *   every real hour: 01:00 EST then 03:00 EDT in spring, 01:00 EDT and 01:00 EST in autumn
 *   (in Australia/Lord_Howe, whose shift is 30 minutes, 02:00 is skipped in spring, so 90 minutes
 *   pass between 01:00 and 03:00). An hour-restricted step such as `*\/30 2 * * *` does not fire
 *   on a spring-forward day whose 02:00–03:00 does not exist.
 *
 * Speed: `nextAfter` evaluates the expression on the zone's wall clock as if it were UTC (croner
 * with a fixed offset, no Intl calls) and converts the result with the zone's cached offsets;
 * only near a transition (a gap, a repeated hour, `after` within a day of a fall-back) does it
 * ask croner to evaluate in the zone itself. Both give the same answer; the first is ~10× faster.
 */
import { Cron, type CronOptions, CronPattern } from "croner";
import cronstrue from "cronstrue";
import { explainCronError } from "./cron-errors";
import { unprocessable } from "./errors";
import { assertTimezone } from "./timezones";
import { type Zone, zoneOf } from "./zone";

export { isValidTimezone } from "./timezones";

const DAY = 86_400_000;
const OPTIONS = { paused: true, mode: "5-or-6-parts", fixedTimeRule: "no-wildcard", domAndDow: false } satisfies CronOptions;
/** Every 5- or 6-field expression that ever fires does so in the 400-year cycle after this. */
const REFERENCE = new Date("2000-01-01T00:00:00Z");

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

// A compiled croner job holds ~80 KB (a 10,000-entry year table), so the caches stay small.
const wallClockJobs = new Lru<Cron>(256);
const zonedJobs = new Lru<Cron>(64);
const checkedZones = new Set<string>();

function invalid(expr: string, reason: string) {
  return unprocessable(`Invalid cron expression "${expr}": ${reason}`);
}

/** The expression evaluated on a wall clock read as UTC; throws the 422 for a bad expression. */
function wallClockJob(expr: string): Cron {
  let job = wallClockJobs.get(expr);
  if (!job) {
    try {
      job = new Cron(expr, { ...OPTIONS, utcOffset: 0 });
    } catch (err) {
      const fallback = (err as Error).message.replace(/^CronPattern: /, "");
      throw invalid(expr, explainCronError(expr) ?? fallback);
    }
    wallClockJobs.set(expr, job);
  }
  return job;
}

function zonedJob(expr: string, timezone: string): Cron {
  const key = `${timezone}\n${expr}`;
  let job = zonedJobs.get(key);
  if (!job) {
    job = new Cron(expr, { ...OPTIONS, timezone });
    zonedJobs.set(key, job);
  }
  return job;
}

/** The zone's offsets; throws the 422 (with suggestions) for an unknown zone. */
export function zoneFor(timezone: string): Zone {
  if (!checkedZones.has(timezone)) {
    assertTimezone(timezone);
    checkedZones.add(timezone);
  }
  return zoneOf(timezone);
}

/** Throws a 422 AppError saying what is wrong with the expression or the zone. */
export function validateSchedule(expr: string, timezone: string): void {
  zoneFor(timezone);
  if (wallClockJob(expr).nextRun(REFERENCE) === null) {
    throw invalid(expr, "it never fires (no date matches its day-of-month and month fields)");
  }
}

/** The first occurrence strictly after `after`, or null when the expression never fires. */
export function nextAfter(expr: string, timezone: string, after: Date): Date | null {
  const job = wallClockJob(expr);
  const zone = zoneFor(timezone);
  const ms = after.getTime();
  if (!zone.transitionsBetween(ms - DAY, ms + DAY).some((t) => t.after < t.before)) {
    const wall = job.nextRun(new Date(ms + zone.offsetAt(ms)));
    if (wall === null) return null;
    const at = instantOf(zone, wall.getTime());
    if (at !== null && at > ms) return new Date(at);
  }
  return zonedJob(expr, timezone).nextRun(after);
}

/** The one instant showing wall-clock time `wall` in the zone; null in a gap or a repeated hour. */
function instantOf(zone: Zone, wall: number): number | null {
  const near = zone.transitionsBetween(wall - 2 * DAY, wall + 2 * DAY);
  const offsets = near.length ? [near[0]!.before, ...near.map((t) => t.after)] : [zone.offsetAt(wall)];
  let found: number | null = null;
  for (const offset of new Set(offsets)) {
    const at = wall - offset;
    if (zone.offsetAt(at) !== offset) continue;
    if (found !== null) return null;
    found = at;
  }
  return found;
}

/** Wall-clock times (ms, read as UTC) the expression names in `[from, to)`, at most `limit`. */
export function wallClockTimesBetween(expr: string, from: number, to: number, limit: number): number[] {
  const job = wallClockJob(expr);
  const out: number[] = [];
  for (let next = job.nextRun(new Date(from - 1)); next && next.getTime() < to && out.length < limit; next = job.nextRun(next)) {
    out.push(next.getTime());
  }
  return out;
}

/** True for fixed-time expressions (no wildcard or step in second, minute and hour): see the DST rule. */
export function isFixedTime(expr: string): boolean {
  return new CronPattern(expr, undefined, { mode: OPTIONS.mode, fixedTimeRule: OPTIONS.fixedTimeRule }).isFixedTime;
}

/** "At 09:00, Monday through Friday". Falls back to the expression when cronstrue cannot read it. */
export function describeCron(expr: string): string {
  const text = expr.trim();
  const fields = text.split(/\s+/);
  const and = fields.length >= 5 && fields.at(-1)!.startsWith("+");
  if (and) fields[fields.length - 1] = fields.at(-1)!.slice(1);
  try {
    const description = cronstrue.toString(fields.join(" "), { use24HourTimeFormat: true, throwExceptionOnParseError: true });
    if (!and) return description;
    const joined = description.replace(", and on ", ", only if it is a ");
    return joined !== description ? joined : `${description}, only when the day of month and the day of week both match`;
  } catch {
    return text;
  }
}

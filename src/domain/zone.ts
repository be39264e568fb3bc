/**
 * UTC offsets of IANA time zones, without asking Intl on every call. A zone's offset transitions
 * are found once per UTC month (a sample each day, then a binary search to the second) and cached,
 * so `offsetAt` is a map lookup and a short scan. Assumes a zone never changes its offset twice
 * within one day (two changes inside one daily sample would go unseen). Pure: the caches only
 * memoise Intl.
 * The zone name must be valid (see `isValidTimezone`).
 */

const SECOND = 1000;
const DAY = 86_400_000;

/** A change of UTC offset at instant `at` (ms): `before` and `after` are offsets in ms. */
export interface Transition {
  at: number;
  before: number;
  after: number;
}

interface MonthTable {
  start: number;
  transitions: Transition[];
}

export interface Zone {
  readonly name: string;
  /** UTC offset (ms, local minus UTC) in force at instant `ms`. */
  offsetAt(ms: number): number;
  /** Transitions with `from < at <= to`, oldest first. */
  transitionsBetween(from: number, to: number): Transition[];
}

const zones = new Map<string, Zone>();

export function zoneOf(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    zone = createZone(name);
    zones.set(name, zone);
  }
  return zone;
}

/** Milliseconds since the epoch of a wall-clock time read as if it were UTC (any year). */
export function naiveMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, s));
  date.setUTCFullYear(y, mo - 1, d);
  return date.getTime();
}

function createZone(name: string): Zone {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: name,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const probe = (ms: number): number => {
    const at = Math.floor(ms / SECOND) * SECOND;
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
    return naiveMs(p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!) - at;
  };
  const months = new Map<number, MonthTable>();
  const tableFor = (ms: number): MonthTable => {
    const date = new Date(ms);
    const key = date.getUTCFullYear() * 12 + date.getUTCMonth();
    let table = months.get(key);
    if (!table) {
      table = scanMonth(probe, date.getUTCFullYear(), date.getUTCMonth() + 1);
      months.set(key, table);
    }
    return table;
  };

  return {
    name,
    offsetAt(ms) {
      const table = tableFor(ms);
      let offset = table.start;
      for (const t of table.transitions) {
        if (t.at > ms) break;
        offset = t.after;
      }
      return offset;
    },
    transitionsBetween(from, to) {
      const out: Transition[] = [];
      for (let month = monthStart(from); month <= to; month = monthStart(month + 32 * DAY)) {
        for (const t of tableFor(month).transitions) if (t.at > from && t.at <= to) out.push(t);
      }
      return out;
    },
  };
}

function monthStart(ms: number): number {
  const date = new Date(ms);
  return naiveMs(date.getUTCFullYear(), date.getUTCMonth() + 1, 1, 0, 0, 0);
}

function scanMonth(probe: (ms: number) => number, year: number, month: number): MonthTable {
  const start = naiveMs(year, month, 1, 0, 0, 0);
  const end = naiveMs(year, month + 1, 1, 0, 0, 0);
  const transitions: Transition[] = [];
  let lo = start;
  let loOffset = probe(lo);
  const first = loOffset;
  while (lo < end) {
    const hi = Math.min(lo + DAY, end);
    const hiOffset = probe(hi);
    if (hiOffset !== loOffset) {
      // The first second at which the new offset is in force.
      let a = lo;
      let b = hi;
      while (b - a > SECOND) {
        const mid = a + Math.floor((b - a) / 2 / SECOND) * SECOND;
        if (probe(mid) === loOffset) a = mid;
        else b = mid;
      }
      transitions.push({ at: b, before: loOffset, after: hiOffset });
    }
    lo = hi;
    loOffset = hiOffset;
  }
  return { start: first, transitions };
}

/** `2026-03-08T03:00:00-04:00`: the wall-clock time at `at` in the zone, with its UTC offset. */
export function formatLocal(at: Date, zone: Zone): string {
  const offset = zone.offsetAt(at.getTime());
  const wall = new Date(at.getTime() + offset).toISOString().slice(0, 19);
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${wall}${offset < 0 ? "-" : "+"}${hh}:${mm}`;
}

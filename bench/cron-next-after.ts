/**
 * nextAfter computations per second for typical schedules, from `after` instants spread over a
 * year (zone offsets warm, as in a running scheduler), next to croner evaluating in the zone
 * itself (what nextAfter would cost without its wall-clock path). Also the one-off cost of a
 * zone's offsets for a month that no call has touched yet. One JSON line per case.
 */
import { Cron } from "croner";
import { nextAfter } from "../src/domain/cron";
import { zoneOf } from "../src/domain/zone";

const CASES: Array<[string, string]> = [
  ["*/15 * * * *", "UTC"],
  ["*/15 * * * *", "America/New_York"],
  ["0 9 * * MON-FRI", "Europe/Amsterdam"],
  ["30 2 * * *", "America/New_York"],
  ["0 0 L * *", "Australia/Lord_Howe"],
  ["0 9 * * 5#3", "Asia/Kolkata"],
];
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR = 365 * 86_400_000;
const DURATION_MS = 1000;

let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const afters = Array.from({ length: 4096 }, () => new Date(YEAR_START + Math.floor(random() * YEAR)));

function rate(compute: (after: Date) => unknown): number {
  for (const after of afters) compute(after); // warm-up: zone offsets, JIT
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (let i = 0; i < 256; i++) compute(afters[(n + i) & 4095]!);
    n += 256;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

for (const [expr, tz] of CASES) {
  const computationsPerSec = rate((after) => nextAfter(expr, tz, after));
  const job = new Cron(expr, { paused: true, mode: "5-or-6-parts", fixedTimeRule: "no-wildcard", timezone: tz });
  const cronerInZonePerSec = rate((after) => job.nextRun(after));
  console.log(
    JSON.stringify({
      name: "cron-next-after",
      expression: expr,
      timezone: tz,
      computationsPerSec,
      microsPerComputation: Math.round((1e6 / computationsPerSec) * 10) / 10,
      cronerInZonePerSec,
      speedup: Math.round((computationsPerSec / cronerInZonePerSec) * 10) / 10,
    }),
  );
}

// First use of a zone-month: a sample per day through Intl plus a binary search at each transition.
const zones = ["Europe/Paris", "America/Chicago", "Australia/Sydney", "Asia/Tokyo"];
const start = performance.now();
for (const name of zones) for (let m = 0; m < 12; m++) zoneOf(name).offsetAt(Date.UTC(2031, m, 15));
const zoneMonths = zones.length * 12;
console.log(JSON.stringify({ name: "cron-zone-month-first-use", zoneMonths, msPerZoneMonth: Math.round(((performance.now() - start) / zoneMonths) * 100) / 100 }));

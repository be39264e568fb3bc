import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { describeCron, nextAfter } from "../../src/domain/cron";

/**
 * Each case: the next occurrences strictly after `after`, chained (each one is `after` for the
 * next), with the expected instants written out in UTC. 2026 transitions: America/New_York
 * 03-08 02:00 EST→03:00 EDT (07:00Z) and 11-01 02:00 EDT→01:00 EST (06:00Z); Europe/London
 * 03-29 01:00→02:00 and 10-25 02:00→01:00 (both 01:00Z); Europe/Amsterdam 03-29 02:00→03:00 and
 * 10-25 03:00→02:00 (both 01:00Z); Australia/Lord_Howe 04-05 02:00 (+11)→01:30 (+10:30) at
 * 04-04T15:00Z and 10-04 02:00 (+10:30)→02:30 (+11) at 10-03T15:30Z. 2026-01-01 is a Thursday.
 */
interface Case {
  name: string;
  expr: string;
  tz: string;
  after: string;
  expect: string[];
}

const NY = "America/New_York";
const LON = "Europe/London";
const AMS = "Europe/Amsterdam";
const LHI = "Australia/Lord_Howe";
const KOL = "Asia/Kolkata";
const UTC = "UTC";

const cases: Case[] = [
  // America/New_York, spring forward: 02:00–03:00 does not exist on 2026-03-08
  { name: "NY fixed 02:30 in the gap fires at 03:00 EDT", expr: "30 2 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"] },
  { name: "NY fixed 02:00 in the gap fires at 03:00 EDT", expr: "0 2 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"] },
  { name: "NY fixed 02:59 in the gap fires at 03:00 EDT", expr: "59 2 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-09T06:59:00Z"] },
  { name: "NY fixed 03:00 just after the gap is not moved", expr: "0 3 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-09T07:00:00Z"] },
  { name: "NY fixed 02:30:15 with seconds in the gap fires at 03:00:00 EDT", expr: "15 30 2 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-09T06:30:15Z"] },
  { name: "NY list of fixed hours 02:30,14:30 shifts only the missing one", expr: "30 2,14 * * *", tz: NY, after: "2026-03-08T00:00:00Z", expect: ["2026-03-08T07:00:00Z", "2026-03-08T18:30:00Z", "2026-03-09T06:30:00Z"] },
  { name: "NY every 15 minutes runs every real 15 minutes through the gap", expr: "*/15 * * * *", tz: NY, after: "2026-03-08T06:30:00Z", expect: ["2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"] },
  { name: "NY hourly runs every real hour through the gap", expr: "0 * * * *", tz: NY, after: "2026-03-08T05:30:00Z", expect: ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"] },
  { name: "NY every 30 minutes of hour 2 does not run on the spring day", expr: "*/30 2 * * *", tz: NY, after: "2026-03-07T12:00:00Z", expect: ["2026-03-09T06:00:00Z", "2026-03-09T06:30:00Z"] },
  { name: "NY weekdays at 09:00 across the spring weekend", expr: "0 9 * * MON-FRI", tz: NY, after: "2026-03-06T15:00:00Z", expect: ["2026-03-09T13:00:00Z", "2026-03-10T13:00:00Z"] },
  // America/New_York, fall back: 01:00–02:00 occurs twice on 2026-11-01
  { name: "NY fixed 01:30 repeated fires once, at the EDT occurrence", expr: "30 1 * * *", tz: NY, after: "2026-10-31T12:00:00Z", expect: ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"] },
  { name: "NY fixed 01:30 does not fire in the second pass of the repeated hour", expr: "30 1 * * *", tz: NY, after: "2026-11-01T06:10:00Z", expect: ["2026-11-02T06:30:00Z"] },
  { name: "NY list of fixed hours 01:00,13:00 fires 01:00 once", expr: "0 1,13 * * *", tz: NY, after: "2026-11-01T04:00:00Z", expect: ["2026-11-01T05:00:00Z", "2026-11-01T18:00:00Z"] },
  { name: "NY hourly fires at 01:00 EDT and at 01:00 EST", expr: "0 * * * *", tz: NY, after: "2026-11-01T04:30:00Z", expect: ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"] },
  { name: "NY every 30 minutes runs every real 30 minutes through the repeated hour", expr: "*/30 * * * *", tz: NY, after: "2026-11-01T05:10:00Z", expect: ["2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"] },
  { name: "NY @monthly at local midnight across EST and EDT", expr: "@monthly", tz: NY, after: "2026-01-15T00:00:00Z", expect: ["2026-02-01T05:00:00Z", "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z"] },
  // Europe/London
  { name: "London fixed 01:30 in the spring gap fires at 02:00 BST", expr: "30 1 * * *", tz: LON, after: "2026-03-28T12:00:00Z", expect: ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"] },
  { name: "London fixed 01:30 repeated in autumn fires once, in BST", expr: "30 1 * * *", tz: LON, after: "2026-10-24T12:00:00Z", expect: ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"] },
  { name: "London every 20 minutes runs every real 20 minutes through the repeated hour", expr: "*/20 * * * *", tz: LON, after: "2026-10-25T00:30:00Z", expect: ["2026-10-25T00:40:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:20:00Z", "2026-10-25T01:40:00Z"] },
  { name: "London midnight on the autumn day is unaffected", expr: "0 0 * * *", tz: LON, after: "2026-10-24T12:00:00Z", expect: ["2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z"] },
  // Europe/Amsterdam
  { name: "Amsterdam fixed 02:30 in the spring gap fires at 03:00 CEST", expr: "30 2 * * *", tz: AMS, after: "2026-03-28T12:00:00Z", expect: ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"] },
  { name: "Amsterdam fixed 02:30 repeated in autumn fires once, in CEST", expr: "30 2 * * *", tz: AMS, after: "2026-10-24T12:00:00Z", expect: ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"] },
  { name: "Amsterdam Monday 09:00 (the spec's example) before and after spring", expr: "0 9 * * 1", tz: AMS, after: "2026-03-20T00:00:00Z", expect: ["2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"] },
  { name: "Amsterdam minute 15 of every hour fires twice in the repeated hour", expr: "15 * * * *", tz: AMS, after: "2026-10-25T00:00:00Z", expect: ["2026-10-25T00:15:00Z", "2026-10-25T01:15:00Z", "2026-10-25T02:15:00Z"] },
  { name: "Amsterdam every 2 hours skips 02:00 in the spring gap", expr: "0 */2 * * *", tz: AMS, after: "2026-03-28T22:30:00Z", expect: ["2026-03-28T23:00:00Z", "2026-03-29T02:00:00Z", "2026-03-29T04:00:00Z"] },
  { name: "Amsterdam @daily is local midnight", expr: "@daily", tz: AMS, after: "2026-06-01T00:00:00Z", expect: ["2026-06-01T22:00:00Z", "2026-06-02T22:00:00Z"] },
  // Australia/Lord_Howe: 30-minute shift
  { name: "Lord Howe fixed 02:15 in the 30-minute spring gap fires at 02:30 (+11)", expr: "15 2 * * *", tz: LHI, after: "2026-10-03T00:00:00Z", expect: ["2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"] },
  { name: "Lord Howe fixed 02:45 after the gap is not moved", expr: "45 2 * * *", tz: LHI, after: "2026-10-03T00:00:00Z", expect: ["2026-10-03T15:45:00Z", "2026-10-04T15:45:00Z"] },
  { name: "Lord Howe hourly skips 02:00 in spring (90 real minutes from 01:00 to 03:00)", expr: "0 * * * *", tz: LHI, after: "2026-10-03T13:00:00Z", expect: ["2026-10-03T13:30:00Z", "2026-10-03T14:30:00Z", "2026-10-03T16:00:00Z"] },
  { name: "Lord Howe every 30 minutes resumes at 02:30 (+11)", expr: "*/30 * * * *", tz: LHI, after: "2026-10-03T15:00:00Z", expect: ["2026-10-03T15:30:00Z", "2026-10-03T16:00:00Z"] },
  { name: "Lord Howe fixed 01:45 repeated in autumn fires once, at +11", expr: "45 1 * * *", tz: LHI, after: "2026-04-04T00:00:00Z", expect: ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"] },
  { name: "Lord Howe fixed 01:15 before the repeated half hour fires once", expr: "15 1 * * *", tz: LHI, after: "2026-04-04T00:00:00Z", expect: ["2026-04-04T14:15:00Z", "2026-04-05T14:45:00Z"] },
  { name: "Lord Howe every 15 minutes runs every real 15 minutes through the repeated half hour", expr: "*/15 * * * *", tz: LHI, after: "2026-04-04T14:20:00Z", expect: ["2026-04-04T14:30:00Z", "2026-04-04T14:45:00Z", "2026-04-04T15:00:00Z", "2026-04-04T15:15:00Z", "2026-04-04T15:30:00Z"] },
  // Asia/Kolkata: +05:30, no DST
  { name: "Kolkata 09:00 is 03:30Z", expr: "0 9 * * *", tz: KOL, after: "2026-04-04T00:00:00Z", expect: ["2026-04-04T03:30:00Z", "2026-04-05T03:30:00Z"] },
  { name: "Kolkata last day of the month at 23:30", expr: "30 23 L * *", tz: KOL, after: "2026-02-01T00:00:00Z", expect: ["2026-02-28T18:00:00Z", "2026-03-31T18:00:00Z"] },
  { name: "Kolkata every 45 minutes follows the local hour", expr: "*/45 * * * *", tz: KOL, after: "2026-01-01T00:00:00Z", expect: ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:15:00Z"] },
  { name: "Kolkata new year is 18:30Z the day before", expr: "0 0 1 1 *", tz: KOL, after: "2026-06-01T00:00:00Z", expect: ["2026-12-31T18:30:00Z", "2027-12-31T18:30:00Z"] },
  // UTC: calendar features
  { name: "L is the last day of each month", expr: "0 0 L * *", tz: UTC, after: "2026-01-15T00:00:00Z", expect: ["2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"] },
  { name: "15W moves a Sunday 15th to Monday 16th", expr: "0 0 15W * *", tz: UTC, after: "2026-03-01T00:00:00Z", expect: ["2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z"] },
  { name: "15W moves a Saturday 15th to Friday 14th", expr: "0 0 15W * *", tz: UTC, after: "2026-08-01T00:00:00Z", expect: ["2026-08-14T00:00:00Z", "2026-09-15T00:00:00Z"] },
  { name: "1W on a Saturday 1st stays in the month (Monday 3rd)", expr: "0 0 1W * *", tz: UTC, after: "2026-07-15T00:00:00Z", expect: ["2026-08-03T00:00:00Z", "2026-09-01T00:00:00Z"] },
  { name: "LW is the last weekday of the month", expr: "0 0 LW * *", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z"] },
  { name: "5#3 is the third Friday", expr: "0 9 * * 5#3", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-16T09:00:00Z", "2026-02-20T09:00:00Z"] },
  { name: "MON#1 is the first Monday", expr: "0 9 * * MON#1", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z"] },
  { name: "FRI#L and 5L are the last Friday", expr: "0 9 * * FRI#L", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z"] },
  { name: "5L is the last Friday", expr: "0 9 * * 5L", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z"] },
  { name: "day of month OR day of week when both are restricted", expr: "0 12 10 * FRI", tz: UTC, after: "2026-02-01T00:00:00Z", expect: ["2026-02-06T12:00:00Z", "2026-02-10T12:00:00Z", "2026-02-13T12:00:00Z"] },
  { name: "+FRI asks for AND: Friday the 13th", expr: "0 12 13 * +FRI", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-02-13T12:00:00Z", "2026-03-13T12:00:00Z", "2026-11-13T12:00:00Z"] },
  { name: "@hourly", expr: "@hourly", tz: UTC, after: "2026-05-30T10:20:00Z", expect: ["2026-05-30T11:00:00Z", "2026-05-30T12:00:00Z"] },
  { name: "@weekly is Sunday midnight", expr: "@weekly", tz: UTC, after: "2026-05-30T00:00:00Z", expect: ["2026-05-31T00:00:00Z", "2026-06-07T00:00:00Z"] },
  { name: "@yearly and @annually are 1 January", expr: "@annually", tz: UTC, after: "2026-06-01T00:00:00Z", expect: ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"] },
  { name: "@midnight", expr: "@midnight", tz: UTC, after: "2026-06-01T00:00:00Z", expect: ["2026-06-02T00:00:00Z"] },
  { name: "leap day from 2026 is 2028-02-29, then 2032", expr: "0 0 29 2 *", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"] },
  { name: "year boundary: 23:59 on 31 December", expr: "59 23 31 12 *", tz: UTC, after: "2026-06-01T00:00:00Z", expect: ["2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"] },
  { name: "year boundary: every 20 minutes crosses into 2027", expr: "*/20 * * * *", tz: UTC, after: "2026-12-31T23:50:00Z", expect: ["2027-01-01T00:00:00Z", "2027-01-01T00:20:00Z"] },
  { name: "seconds field: every 10 seconds", expr: "*/10 * * * * *", tz: UTC, after: "2026-01-01T00:00:05Z", expect: ["2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z"] },
  { name: "seconds field: 09:00:30", expr: "30 0 9 * * *", tz: UTC, after: "2026-01-01T00:00:00Z", expect: ["2026-01-01T09:00:30Z", "2026-01-02T09:00:30Z"] },
  { name: "month and day names", expr: "0 9 * JAN,JUL SUN", tz: UTC, after: "2026-01-20T00:00:00Z", expect: ["2026-01-25T09:00:00Z", "2026-07-05T09:00:00Z"] },
  { name: "month name range", expr: "0 0 1 JAN-MAR *", tz: UTC, after: "2026-02-15T00:00:00Z", expect: ["2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"] },
  { name: "day of week 7 is Sunday", expr: "0 0 * * 7", tz: UTC, after: "2026-05-30T00:00:00Z", expect: ["2026-05-31T00:00:00Z", "2026-06-07T00:00:00Z"] },
  { name: "strictly after: an occurrence exactly at `after` is not returned", expr: "0 9 * * *", tz: UTC, after: "2026-01-01T09:00:00Z", expect: ["2026-01-02T09:00:00Z"] },
  { name: "a millisecond before an occurrence returns it", expr: "0 9 * * *", tz: UTC, after: "2026-01-01T08:59:59.999Z", expect: ["2026-01-01T09:00:00Z"] },
];

describe("nextAfter", () => {
  it.each(cases)("$name ($expr in $tz)", ({ expr, tz, after, expect: expected }) => {
    const got: string[] = [];
    let cursor = new Date(after);
    for (let i = 0; i < expected.length; i++) {
      const next = nextAfter(expr, tz, cursor);
      if (!next) break;
      got.push(next.toISOString().replace(".000Z", "Z"));
      cursor = next;
    }
    expect(got).toEqual(expected);
  });

  it("answers exactly as croner's own evaluation in the zone, near transitions and far from them", () => {
    const exprs = ["*/15 * * * *", "30 2 * * *", "30 1 * * *", "0 1,13 * * *", "0 0 L * *", "0 9 * * 5#3"];
    const zones = [NY, LHI, "America/Santiago", "Pacific/Apia"];
    const starts = ["2026-03-08T06:20:00Z", "2026-11-01T05:10:00Z", "2026-04-04T14:40:00Z", "2026-10-03T15:10:00Z", "2026-09-06T03:30:00Z", "2011-12-29T09:00:00Z", "2026-07-01T00:00:00Z"];
    const diffs: string[] = [];
    for (const tz of zones) {
      for (const expr of exprs) {
        const job = new Cron(expr, { paused: true, mode: "5-or-6-parts", fixedTimeRule: "no-wildcard", timezone: tz });
        for (const start of starts) {
          let cursor: Date | null = new Date(start);
          for (let i = 0; i < 3 && cursor; i++) {
            const ours = nextAfter(expr, tz, cursor);
            const theirs = job.nextRun(cursor);
            if (ours?.getTime() !== theirs?.getTime()) diffs.push(`${expr} ${tz} after ${cursor.toISOString()}: ${ours?.toISOString()} vs ${theirs?.toISOString()}`);
            cursor = theirs;
          }
        }
      }
    }
    expect(diffs).toEqual([]);
  });

  it("returns null for an expression that never fires", () => {
    expect(nextAfter("0 0 30 2 *", UTC, new Date("2026-01-01T00:00:00Z"))).toBeNull();
  });
});

describe("describeCron", () => {
  it.each([
    ["0 9 * * MON-FRI", "At 09:00, Monday through Friday"],
    ["*/15 * * * *", "Every 15 minutes"],
    ["@daily", "At 00:00"],
    ["0 9 * * 5#3", "At 09:00, on the third Friday of the month"],
    ["30 0 9 * * *", "At 09:00:30"],
    ["0 12 13 * +FRI", "At 12:00, on day 13 of the month, only if it is a Friday"],
  ])("describes %s as %s", (expr, text) => {
    expect(describeCron(expr)).toBe(text);
  });
});

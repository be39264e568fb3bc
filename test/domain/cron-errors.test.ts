import { describe, expect, it } from "vitest";
import { isValidTimezone, validateSchedule } from "../../src/domain/cron";
import { AppError } from "../../src/domain/errors";

function errorOf(expr: string, tz = "UTC"): AppError {
  try {
    validateSchedule(expr, tz);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`"${expr}" in ${tz} was accepted`);
}

const FIELD_COUNT = "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds";

describe("invalid cron expressions are 422 with a message naming the field", () => {
  it.each([
    ["0 25 * * *", "hour 25 is out of range 0–23"],
    ["61 * * * *", "minute 61 is out of range 0–59"],
    ["60 0 9 * * *", "second 60 is out of range 0–59"],
    ["0 0 32 * *", "day of month 32 is out of range 1–31"],
    ["0 0 0 * *", "day of month 0 is out of range 1–31"],
    ["0 0 * 13 *", "month 13 is out of range 1–12"],
    ["0 0 * * 8", "day of week 8 is out of range 0–7"],
    ["* * *", `${FIELD_COUNT}, got 3`],
    ["0 0 0 1 1 * 2027", `${FIELD_COUNT}, got 7`],
    ["", `${FIELD_COUNT}, got 0`],
    ["0 0 * * FOO", 'day of week "FOO" is not a number or a name (SUN–SAT)'],
    ["0 0 1 FOO *", 'month "FOO" is not a number or a name (JAN–DEC)'],
    ["*/0 * * * *", "minute step 0 is out of range 1–60"],
    ["0 */25 * * *", "hour step 25 is out of range 1–24"],
    ["5/15 * * * *", 'minute "5/15": a step needs * or a range before the slash (e.g. */15 or 5-59/15)'],
    ["0 5-1 * * *", "hour range 5-1 goes backwards (the first value must not be larger than the second)"],
    ["0 0 * * 5#6", 'day of week "5#6": the number after # must be 1–5 (or L for the last)'],
    ["0 0 * * 1W", 'day of week "1W": W (nearest weekday) is only allowed in day of month'],
    ["0 L * * *", 'hour "L": L (last) is only allowed in day of month and day of week'],
    ["0 0 1,,2 * *", 'day of month "1,,2" has an empty list item'],
    ["0 0 LW,1 * *", 'day of month "LW" cannot be part of a list'],
    ["@reboot", "@reboot is not supported (a schedule needs times, e.g. @daily or 0 9 * * *)"],
    ["@fortnightly", "unknown nickname @fortnightly (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or 5 fields)"],
    ["0 0 31 2 *", "it never fires (no date matches its day-of-month and month fields)"],
  ])("%s: %s", (expr, reason) => {
    const err = errorOf(expr);
    expect(err.status).toBe(422);
    expect(err.message).toBe(`Invalid cron expression "${expr}": ${reason}`);
  });

  it("accepts the documented grammar", () => {
    for (const expr of ["0 9 * * 1", "*/15 * * * *", "0 0 L * *", "0 0 LW * *", "0 0 15W * *", "0 9 * * FRI#L", "0 9 * * 5L", "0 12 13 * +FRI", "30 0 9 * * *", "0 9 * jan,jul sun", "0 0 * * FRI-SUN", "@hourly", "0 0 ? * *"]) {
      expect(() => validateSchedule(expr, "UTC"), expr).not.toThrow();
    }
  });
});

describe("time zones", () => {
  it.each([
    ["Europe/Amsterdm", "Invalid timezone: Europe/Amsterdm (did you mean Europe/Amsterdam?)"],
    ["america/new_york", "Invalid timezone: america/new_york (did you mean America/New_York?)"],
    ["utc", "Invalid timezone: utc (did you mean UTC?)"],
    ["Amsterdam", "Invalid timezone: Amsterdam (did you mean Europe/Amsterdam?)"],
    ["Asia/Kolkta", "Invalid timezone: Asia/Kolkta (did you mean Asia/Kolkata?)"],
    ["Mars/Olympus_Mons", "Invalid timezone: Mars/Olympus_Mons"],
  ])("refuses %s with 422: %s", (tz, message) => {
    const err = errorOf("0 9 * * *", tz);
    expect(err.status).toBe(422);
    expect(err.message).toBe(message);
  });

  it("accepts tz database names, UTC, Etc/* and links Node's ICU lists under another name", () => {
    for (const tz of ["UTC", "Etc/UTC", "Etc/GMT+5", "Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "US/Eastern", "Australia/Lord_Howe", "America/Argentina/Buenos_Aires"]) {
      expect(isValidTimezone(tz), tz).toBe(true);
    }
    expect(isValidTimezone("")).toBe(false);
    expect(isValidTimezone("Europe/amsterdam")).toBe(false);
  });
});

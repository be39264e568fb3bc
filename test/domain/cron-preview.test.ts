import { describe, expect, it } from "vitest";
import { previewOccurrences } from "../../src/domain/cron-preview";

const preview = (expr: string, tz: string, after: string, count: number) =>
  previewOccurrences(expr, tz, new Date(after), count).map((o) => ({ ...o, at: o.at.toISOString() }));

describe("previewOccurrences", () => {
  it("notes a fixed time shifted out of the spring-forward gap", () => {
    expect(preview("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2)).toEqual([
      {
        at: "2026-03-08T07:00:00.000Z",
        local: "2026-03-08T03:00:00-04:00",
        note: "shifted: 02:30 does not exist on 2026-03-08 in America/New_York (clocks jump forward)",
      },
      { at: "2026-03-09T06:30:00.000Z", local: "2026-03-09T02:30:00-04:00" },
    ]);
  });

  it("names every missing time when several fixed times fall in one gap and fire once", () => {
    const [first, second] = preview("0,30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2);
    expect(first).toMatchObject({
      at: "2026-03-08T07:00:00.000Z",
      note: "shifted: 02:00 and 02:30 do not exist on 2026-03-08 in America/New_York (clocks jump forward)",
    });
    expect(second).toMatchObject({ at: "2026-03-09T06:00:00.000Z" });
  });

  it("notes a 30-minute gap on Lord Howe Island", () => {
    expect(preview("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", 1)).toEqual([
      {
        at: "2026-10-03T15:30:00.000Z",
        local: "2026-10-04T02:30:00+11:00",
        note: "shifted: 02:15 does not exist on 2026-10-04 in Australia/Lord_Howe (clocks jump forward)",
      },
    ]);
  });

  it("notes a fixed time that is repeated in autumn and fires once", () => {
    expect(preview("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2)).toEqual([
      { at: "2026-11-01T05:30:00.000Z", local: "2026-11-01T01:30:00-04:00", note: "repeated local time: fires once" },
      { at: "2026-11-02T06:30:00.000Z", local: "2026-11-02T01:30:00-05:00" },
    ]);
  });

  it("shows an hourly schedule firing at 01:00 in both offsets without notes", () => {
    expect(preview("0 * * * *", "America/New_York", "2026-11-01T04:30:00Z", 3)).toEqual([
      { at: "2026-11-01T05:00:00.000Z", local: "2026-11-01T01:00:00-04:00" },
      { at: "2026-11-01T06:00:00.000Z", local: "2026-11-01T01:00:00-05:00" },
      { at: "2026-11-01T07:00:00.000Z", local: "2026-11-01T02:00:00-05:00" },
    ]);
  });

  it("writes half-hour and zero offsets", () => {
    expect(preview("0 9 * * *", "Asia/Kolkata", "2026-04-04T00:00:00Z", 1)[0]?.local).toBe("2026-04-04T09:00:00+05:30");
    expect(preview("0 9 * * *", "UTC", "2026-04-04T00:00:00Z", 1)[0]?.local).toBe("2026-04-04T09:00:00+00:00");
  });

  it("returns exactly `count` occurrences, all strictly after `after`", () => {
    const got = preview("*/5 * * * *", "UTC", "2026-01-01T00:00:00Z", 100);
    expect(got).toHaveLength(100);
    expect(got[0]?.at).toBe("2026-01-01T00:05:00.000Z");
    expect(got[99]?.at).toBe("2026-01-01T08:20:00.000Z");
  });

  it("throws the 422 for a bad expression", () => {
    expect(() => previewOccurrences("0 25 * * *", "UTC", new Date(), 1)).toThrow(/hour 25 is out of range 0–23/);
  });
});

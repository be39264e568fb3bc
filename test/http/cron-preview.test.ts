import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const NOW = new Date("2026-03-07T12:00:00Z");
const s = seededApp({ clock: { now: () => NOW } });

describe("POST /api/cron/preview", () => {
  it("describes the expression and lists occurrences with their local time and DST notes", async () => {
    const res = await s.t.request("POST", "/api/cron/preview", {
      token: s.w.agent.key,
      body: { cronExpression: "30 2 * * *", timezone: "America/New_York", count: 2, after: "2026-03-07T12:00:00Z" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      description: "At 02:30",
      occurrences: [
        {
          at: "2026-03-08T07:00:00.000Z",
          local: "2026-03-08T03:00:00-04:00",
          note: "shifted: 02:30 does not exist on 2026-03-08 in America/New_York (clocks jump forward)",
        },
        { at: "2026-03-09T06:30:00.000Z", local: "2026-03-09T02:30:00-04:00" },
      ],
    });
  });

  it("defaults to UTC, 10 occurrences, after now", async () => {
    const res = await s.t.request("POST", "/api/cron/preview", { body: { cronExpression: "@daily" } });
    expect(res.status).toBe(200);
    expect(res.body.occurrences).toHaveLength(10);
    expect(res.body.occurrences[0]).toEqual({ at: "2026-03-08T00:00:00.000Z", local: "2026-03-08T00:00:00+00:00" });
  });

  it("answers 422 naming the bad field or suggesting a zone", async () => {
    const badField = await s.t.request("POST", "/api/cron/preview", { body: { cronExpression: "0 25 * * *" } });
    expect(badField).toMatchObject({ status: 422, body: { error: 'Invalid cron expression "0 25 * * *": hour 25 is out of range 0–23' } });
    const badZone = await s.t.request("POST", "/api/cron/preview", { body: { cronExpression: "0 9 * * *", timezone: "Europe/Amsterdm" } });
    expect(badZone).toMatchObject({ status: 422, body: { error: "Invalid timezone: Europe/Amsterdm (did you mean Europe/Amsterdam?)" } });
  });

  it("answers 400 for a count out of 1..100, a malformed after or an unknown field, and 401 without valid credentials", async () => {
    for (const body of [{ cronExpression: "@daily", count: 101 }, { cronExpression: "@daily", after: "tomorrow" }, { cronExpression: "@daily", zone: "UTC" }]) {
      expect((await s.t.request("POST", "/api/cron/preview", { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await s.t.request("POST", "/api/cron/preview", { token: "rtd_ak_unknown", body: { cronExpression: "@daily" } })).status).toBe(401);
  });
});

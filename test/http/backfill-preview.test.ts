import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { seededApp } from "../helpers/app";
import { addRoutine } from "../helpers/world";

const s = seededApp();

async function routineWithSchedule(cronExpression: string, timezone = "UTC", fields: object = {}) {
  const { routineId, trigger } = await addRoutine(s, {
    routine: { title: "nightly", concurrencyPolicy: "always_enqueue", ...fields },
    trigger: { kind: "schedule", cronExpression, timezone },
  });
  return { routineId, triggerId: trigger!.id };
}
const backfill = (routineId: string, body: object, token?: string) =>
  s.t.request("POST", `/api/routines/${routineId}/backfill`, { body, token });

describe("backfill", () => {
  it("fires every occurrence in the range, oldest first, and repeating it is a no-op", async () => {
    const { routineId, triggerId } = await routineWithSchedule("0 6 * * *");
    const range = { triggerId, from: "2026-01-01T00:00:00Z", to: "2026-01-05T06:00:00Z" };
    const first = await backfill(routineId, range);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ occurrences: 5, created: 5, duplicates: 0 });
    expect(first.body.runs.map((r: { scheduledFor: string }) => r.scheduledFor)).toEqual(
      [1, 2, 3, 4, 5].map((d) => `2026-01-0${d}T06:00:00.000Z`),
    );
    expect(first.body.runs.every((r: { status: string; source: string }) => r.status === "issue_created" && r.source === "schedule")).toBe(true);
    const again = await backfill(routineId, range);
    expect(again.body).toMatchObject({ occurrences: 5, created: 0, duplicates: 5 });
    const [row] = await queryRows<{ n: string }>(s.t.db.store.db, sql`select count(*) as n from routine_runs where routine_id = ${routineId}`);
    expect(Number(row!.n)).toBe(5);
  });

  it("a range that overlaps an earlier backfill fires only the new occurrences, and answers every one in order", async () => {
    const { routineId, triggerId } = await routineWithSchedule("0 6 * * *");
    const first = await backfill(routineId, { triggerId, from: "2026-02-01T00:00:00Z", to: "2026-02-03T06:00:00Z" });
    expect(first.body).toMatchObject({ occurrences: 3, created: 3, duplicates: 0 });
    const wider = await backfill(routineId, { triggerId, from: "2026-01-30T00:00:00Z", to: "2026-02-04T06:00:00Z" });
    expect(wider.body).toMatchObject({ occurrences: 6, created: 3, duplicates: 3 });
    const slots = wider.body.runs.map((r: { scheduledFor: string }) => r.scheduledFor);
    expect(slots).toEqual(["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04"].map((d) => `${d}T06:00:00.000Z`));
    expect(wider.body.runs.slice(2, 5).map((r: { id: string }) => r.id)).toEqual(first.body.runs.map((r: { id: string }) => r.id));
  });

  it("refuses more than 1,000 occurrences, a reversed range, a foreign or non-schedule trigger, and a paused routine", async () => {
    const { routineId, triggerId } = await routineWithSchedule("* * * * *");
    const tooMany = await backfill(routineId, { triggerId, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toContain("more than 1000");
    expect((await backfill(routineId, { triggerId, from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" })).status).toBe(422);
    const other = await routineWithSchedule("0 6 * * *");
    expect((await backfill(routineId, { triggerId: other.triggerId, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" })).status).toBe(403);
    const api = (await s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: { kind: "api" } })).body.trigger;
    expect((await backfill(routineId, { triggerId: api.id, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" })).status).toBe(422);
    await s.t.request("PATCH", `/api/routines/${routineId}`, { body: { status: "paused" } });
    expect((await backfill(routineId, { triggerId, from: "2026-01-01T00:00:00Z", to: "2026-01-01T00:10:00Z" })).status).toBe(409);
  });

  it("lets only the routine's agent or the board backfill", async () => {
    const { routineId, triggerId } = await routineWithSchedule("0 6 * * *");
    const range = { triggerId, from: "2026-01-01T00:00:00Z", to: "2026-01-01T12:00:00Z" };
    expect((await backfill(routineId, range, s.w.peer.key)).status).toBe(403);
    expect((await backfill(routineId, range, s.w.agent.key)).status).toBe(200);
  });
});

describe("trigger preview", () => {
  it("lists the next occurrences of a stored schedule with a description", async () => {
    const { triggerId } = await routineWithSchedule("0 9 * * 1", "Europe/Amsterdam");
    const res = await s.t.request("GET", `/api/routine-triggers/${triggerId}/preview?count=3`);
    expect(res.status).toBe(200);
    expect(res.body.description).toBe("At 09:00, only on Monday");
    expect(res.body.occurrences).toHaveLength(3);
    for (const o of res.body.occurrences) expect(o.local).toMatch(/T09:00:00\+0[12]:00$/);
  });

  it("refuses to preview a non-schedule trigger and validates count", async () => {
    const { routineId, triggerId } = await routineWithSchedule("0 9 * * 1");
    const api = (await s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: { kind: "api" } })).body.trigger;
    expect((await s.t.request("GET", `/api/routine-triggers/${api.id}/preview`)).status).toBe(422);
    expect((await s.t.request("GET", `/api/routine-triggers/${triggerId}/preview?count=101`)).status).toBe(400);
    expect((await s.t.request("GET", `/api/routine-triggers/${triggerId}/preview?count=2`, { token: s.w.outsider.key })).status).toBe(403);
  });
});

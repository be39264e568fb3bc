import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { type TestApp, createTestApp, seedWorld } from "../helpers/app";

let t: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;
let routineId: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await seedWorld(t);
  routineId = (
    await t.request("POST", `/api/companies/${w.company.id}/routines`, {
      body: { title: "Digest", assigneeAgentId: w.agent.id, projectId: w.project.id },
    })
  ).body.id;
});
afterAll(() => t.close());

const addTrigger = (body: object, token?: string, id = routineId) =>
  t.request("POST", `/api/routines/${id}/triggers`, { body, token });

describe("schedule triggers", () => {
  it("stores the next run computed in the trigger's time zone", async () => {
    const res = await addTrigger({ kind: "schedule", cronExpression: "30 9 * * *", timezone: "Asia/Kolkata", label: "morning" });
    expect(res.status).toBe(201);
    expect(res.body.secretMaterial).toBeNull();
    expect(res.body.trigger).toMatchObject({ kind: "schedule", label: "morning", enabled: true, timezone: "Asia/Kolkata" });
    expect(res.body.trigger.nextRunAt).toMatch(/T04:00:00.000Z$/); // 09:30 IST = 04:00 UTC
    expect(new Date(res.body.trigger.nextRunAt).getTime()).toBeGreaterThan(Date.now());
  });

  it("defaults the time zone to UTC", async () => {
    const res = await addTrigger({ kind: "schedule", cronExpression: "0 6 * * *" });
    expect(res.body.trigger.timezone).toBe("UTC");
    expect(res.body.trigger.nextRunAt).toMatch(/T06:00:00.000Z$/);
  });

  it.each([
    [{ cronExpression: "0 25 * * *" }, "Invalid cron expression"],
    [{ cronExpression: "not cron" }, "Invalid cron expression"],
    [{ cronExpression: "0 9 * * *", timezone: "Mars/Olympus" }, "Invalid timezone: Mars/Olympus"],
  ])("rejects %j with 422", async (fields, message) => {
    const res = await addTrigger({ kind: "schedule", ...fields });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain(message);
  });

  it("recomputes nextRunAt when the schedule changes, and rejects a bad edit", async () => {
    const created = (await addTrigger({ kind: "schedule", cronExpression: "0 6 * * *" })).body.trigger;
    const res = await t.request("PATCH", `/api/routine-triggers/${created.id}`, { body: { cronExpression: "15 7 * * *" } });
    expect(res.status).toBe(200);
    expect(res.body.nextRunAt).toMatch(/T07:15:00.000Z$/);
    const bad = await t.request("PATCH", `/api/routine-triggers/${created.id}`, { body: { timezone: "Nowhere/Land" } });
    expect(bad.status).toBe(422);
    const after = await t.request("GET", `/api/routine-triggers/${created.id}`);
    expect(after.body).toMatchObject({ cronExpression: "15 7 * * *", timezone: "UTC" });
  });

  it("recomputes nextRunAt from now when a routine is resumed", async () => {
    const trigger = (await addTrigger({ kind: "schedule", cronExpression: "0 6 * * *" })).body.trigger;
    await t.db.store.db.execute(sql`update routine_triggers set next_run_at = now() - interval '3 days' where id = ${trigger.id}`);
    await t.request("PATCH", `/api/routines/${routineId}`, { body: { status: "paused" } });
    await t.request("PATCH", `/api/routines/${routineId}`, { body: { status: "active" } });
    const after = await t.request("GET", `/api/routine-triggers/${trigger.id}`);
    expect(new Date(after.body.nextRunAt).getTime()).toBeGreaterThan(Date.now());
  });

  it("refuses schedule fields on other kinds of trigger", async () => {
    const api = (await addTrigger({ kind: "api" })).body.trigger;
    const res = await t.request("PATCH", `/api/routine-triggers/${api.id}`, { body: { cronExpression: "* * * * *" } });
    expect(res.status).toBe(422);
  });

  it("rejects a webhook field in a schedule trigger body with 400", async () => {
    const res = await addTrigger({ kind: "schedule", cronExpression: "0 6 * * *", signingMode: "bearer" });
    expect(res.status).toBe(400);
  });
});

describe("webhook triggers", () => {
  it("returns a public id, a 48-hex secret and the webhook URL once", async () => {
    const res = await addTrigger({ kind: "webhook", signingMode: "hmac_sha256", replayWindowSec: 600 });
    expect(res.status).toBe(201);
    const { trigger, secretMaterial } = res.body;
    expect(trigger).toMatchObject({ kind: "webhook", signingMode: "hmac_sha256", replayWindowSec: 600 });
    expect(trigger.publicId).toMatch(/^[0-9a-f]{24}$/);
    expect(secretMaterial.webhookSecret).toMatch(/^[0-9a-f]{48}$/);
    expect(secretMaterial.webhookUrl).toBe(`${t.config.publicUrl}/api/routine-triggers/public/${trigger.publicId}/fire`);
    expect(trigger.webhookUrl).toBe(secretMaterial.webhookUrl);
  });

  it("defaults to bearer with a 300 s replay window and bounds the window to 30..86400", async () => {
    expect((await addTrigger({ kind: "webhook" })).body.trigger).toMatchObject({ signingMode: "bearer", replayWindowSec: 300 });
    expect((await addTrigger({ kind: "webhook", replayWindowSec: 29 })).status).toBe(400);
    expect((await addTrigger({ kind: "webhook", replayWindowSec: 86_401 })).status).toBe(400);
  });

  it("never shows the secret again: not in get, list, routine detail, nor in plaintext in the database", async () => {
    const { secretMaterial, trigger } = (await addTrigger({ kind: "webhook" })).body;
    const secret: string = secretMaterial.webhookSecret;
    const responses = await Promise.all([
      t.request("GET", `/api/routine-triggers/${trigger.id}`),
      t.request("GET", `/api/routines/${routineId}`),
      t.request("GET", `/api/companies/${w.company.id}/routines`),
    ]);
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toContain(secret);
      expect(JSON.stringify(r.body)).not.toContain("secretCiphertext");
    }
    const rows = await queryRows<Record<string, unknown>>(t.db.store.db, sql`select * from routine_triggers`);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it("rotates the secret in place: same publicId, new secret, shown once", async () => {
    const { secretMaterial, trigger } = (await addTrigger({ kind: "webhook" })).body;
    const res = await t.request("POST", `/api/routine-triggers/${trigger.id}/rotate-secret`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.body.trigger.publicId).toBe(trigger.publicId);
    expect(res.body.trigger.lastRotatedAt).not.toBeNull();
    expect(res.body.secretMaterial.webhookSecret).toMatch(/^[0-9a-f]{48}$/);
    expect(res.body.secretMaterial.webhookSecret).not.toBe(secretMaterial.webhookSecret);
    const get = await t.request("GET", `/api/routine-triggers/${trigger.id}`);
    expect(JSON.stringify(get.body)).not.toContain(res.body.secretMaterial.webhookSecret);
  });

  it("issues whsec_ secrets for standard_webhooks", async () => {
    const res = await addTrigger({ kind: "webhook", signingMode: "standard_webhooks" });
    expect(res.body.secretMaterial.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  });

  it("refuses to rotate a non-webhook trigger with 422", async () => {
    const api = (await addTrigger({ kind: "api" })).body.trigger;
    const res = await t.request("POST", `/api/routine-triggers/${api.id}/rotate-secret`, { body: {} });
    expect(res.status).toBe(422);
  });

  it("lets only the routine's own agent or the board rotate", async () => {
    const { trigger } = (await addTrigger({ kind: "webhook" })).body;
    expect((await t.request("POST", `/api/routine-triggers/${trigger.id}/rotate-secret`, { token: w.peer.key, body: {} })).status).toBe(403);
    expect((await t.request("POST", `/api/routine-triggers/${trigger.id}/rotate-secret`, { token: w.outsider.key, body: {} })).status).toBe(403);
    expect((await t.request("POST", `/api/routine-triggers/${trigger.id}/rotate-secret`, { token: w.agent.key, body: {} })).status).toBe(200);
  });
});

describe("every kind as served", () => {
  it("has every kind's fields, null where its kind has none, in the same order", async () => {
    const served = async (body: object) => (await t.request("GET", `/api/routine-triggers/${(await addTrigger(body)).body.trigger.id}`)).body;
    const schedule = await served({ kind: "schedule", cronExpression: "0 9 * * 1" });
    const webhook = await served({ kind: "webhook", signingMode: "hmac_sha256" });
    const api = await served({ kind: "api", label: "from CI" });
    const keys = [
      "id", "companyId", "routineId", "kind", "label", "enabled", "cronExpression", "timezone", "nextRunAt", "lastFiredAt", "lastResult",
      "lastRefusedAt", "lastRefusal", "publicId", "signingMode", "replayWindowSec", "lastRotatedAt", "createdByAgentId", "createdByUserId",
      "updatedByAgentId", "updatedByUserId", "createdAt", "updatedAt", "secretId", "authenticated", "webhookUrl",
    ];
    for (const trigger of [schedule, webhook, api]) expect(Object.keys(trigger)).toEqual(keys);
    const webhookOnly = { publicId: null, signingMode: null, replayWindowSec: null, lastRotatedAt: null, lastRefusedAt: null, lastRefusal: null, secretId: null, webhookUrl: null };
    expect(schedule).toMatchObject({ cronExpression: "0 9 * * 1", timezone: "UTC", nextRunAt: expect.any(String), authenticated: true, ...webhookOnly });
    expect(webhook).toMatchObject({
      cronExpression: null, timezone: null, nextRunAt: null, signingMode: "hmac_sha256", replayWindowSec: 300, authenticated: true,
      publicId: expect.any(String), secretId: webhook.id, webhookUrl: expect.stringContaining(`/api/routine-triggers/public/${webhook.publicId}/fire`),
    });
    expect(api).toMatchObject({ label: "from CI", cronExpression: null, timezone: null, nextRunAt: null, authenticated: true, ...webhookOnly });
  });
});

describe("updating and deleting triggers", () => {
  it("disables and re-enables a trigger", async () => {
    const trigger = (await addTrigger({ kind: "api", label: "manual" })).body.trigger;
    const off = await t.request("PATCH", `/api/routine-triggers/${trigger.id}`, { body: { enabled: false, label: "off" } });
    expect(off.body).toMatchObject({ enabled: false, label: "off" });
    const on = await t.request("PATCH", `/api/routine-triggers/${trigger.id}`, { body: { enabled: true } });
    expect(on.body.enabled).toBe(true);
  });

  it("deletes a trigger: 204, then 404", async () => {
    const trigger = (await addTrigger({ kind: "api" })).body.trigger;
    expect((await t.request("DELETE", `/api/routine-triggers/${trigger.id}`, { token: w.peer.key })).status).toBe(403);
    expect((await t.request("DELETE", `/api/routine-triggers/${trigger.id}`)).status).toBe(204);
    const gone = await t.request("DELETE", `/api/routine-triggers/${trigger.id}`);
    expect(gone).toMatchObject({ status: 404, body: { error: "Routine trigger not found" } });
  });

  it("answers an empty update (as Paperclip does) with the trigger unchanged", async () => {
    const trigger = (await addTrigger({ kind: "api" })).body.trigger;
    const res = await t.request("PATCH", `/api/routine-triggers/${trigger.id}`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(trigger);
  });
});

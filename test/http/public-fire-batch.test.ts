/**
 * Concurrent webhook deliveries fire together (one transaction for all that arrive while another batch
 * runs): every delivery must get the answer it would get alone, and the routine the outcomes it would get
 * from the same deliveries one by one.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { seededApp } from "../helpers/app";
import { paperclip } from "../helpers/webhooks";
import { addRoutine } from "../helpers/world";

const s = seededApp({ env: { ROUTINED_WEBHOOK_RATE_PER_TRIGGER: "100000", ROUTINED_WEBHOOK_RATE_PER_IP: "100000" } });

async function hook(concurrencyPolicy: string) {
  const { routineId, trigger } = await addRoutine(s, { routine: { title: `batch ${concurrencyPolicy}`, concurrencyPolicy }, trigger: { kind: "webhook", signingMode: "hmac_sha256" } });
  return { routineId, triggerId: trigger!.id, path: trigger!.path, secret: trigger!.secret };
}

const triggerIdOf = (h: { triggerId: string }) => h.triggerId;

type Hook = Awaited<ReturnType<typeof hook>>;

/** A signed delivery; the same `body` and timestamp give the same signature. */
function deliver(h: Hook, body: string, headers: Record<string, string> = {}, ts = Math.floor(Date.now() / 1000)) {
  return s.t.app
    .inject({ method: "POST", url: h.path, headers: { "content-type": "application/json", ...paperclip(h.secret, body, ts), ...headers }, payload: body })
    .then((res) => ({ status: res.statusCode, body: res.json() }));
}

const runsOf = (routineId: string) =>
  queryRows<{ id: string; status: string; linked_issue_id: string | null }>(
    s.t.db.store.db,
    sql`select id, status, linked_issue_id from routine_runs where routine_id = ${routineId}`,
  );

describe("concurrent webhook deliveries", () => {
  it("coalesce_if_active: one execution issue, every other delivery coalesced into it with a comment", async () => {
    const h = await hook("coalesce_if_active");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(h, JSON.stringify({ n: i }))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(20);
    const runs = await runsOf(h.routineId);
    expect(runs.filter((r) => r.status === "issue_created")).toHaveLength(1);
    expect(runs.filter((r) => r.status === "coalesced")).toHaveLength(19);
    const issueId = runs.find((r) => r.status === "issue_created")!.linked_issue_id;
    expect(new Set(runs.map((r) => r.linked_issue_id))).toEqual(new Set([issueId]));
    const [comments] = await queryRows<{ n: string }>(s.t.db.store.db, sql`select count(*) as n from issue_comments where issue_id = ${issueId}`);
    expect(Number(comments!.n)).toBe(19);
  });

  it("always_enqueue across routines: an issue each, numbered without gaps or repeats, every run answered", async () => {
    const hooks = await Promise.all([hook("always_enqueue"), hook("always_enqueue"), hook("always_enqueue")]);
    const [before] = await queryRows<{ n: number }>(s.t.db.store.db, sql`select issue_counter as n from companies where id = ${s.w.company.id}`);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => deliver(hooks[i % 3]!, JSON.stringify({ n: i }))));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(202));
    expect(answers.every((a) => a.body.status === "issue_created" && a.body.linkedIssueId)).toBe(true);
    const numbers = await queryRows<{ issue_number: number }>(
      s.t.db.store.db,
      sql`select issue_number from issues where id = any(${`{${answers.map((a) => a.body.linkedIssueId).join(",")}}`}::uuid[]) order by 1`,
    );
    const first = Number(before!.n) + 1;
    expect(numbers.map((r) => r.issue_number)).toEqual(Array.from({ length: 30 }, (_, i) => first + i));
    const heartbeats = await queryRows<{ n: string }>(
      s.t.db.store.db,
      sql`select count(*) as n from heartbeat_runs where routine_run_id = any(${`{${answers.map((a) => a.body.id).join(",")}}`}::uuid[])`,
    );
    expect(Number(heartbeats[0]!.n)).toBe(30);
    for (const h of hooks) expect((await s.t.request("GET", `/api/routines/${h.routineId}`)).body.lastTriggeredAt).not.toBeNull();
  });

  it("the same signed delivery sent five times at once fires once; the others are refused as duplicates", async () => {
    const h = await hook("always_enqueue");
    const body = JSON.stringify({ event: "once" });
    const ts = Math.floor(Date.now() / 1000); // one timestamp: one signature
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(h, body, {}, ts)));
    const fresh = await Promise.all([deliver(h, '{"event":"a"}', {}, ts), deliver(h, body, {}, ts), deliver(h, '{"event":"b"}', {}, ts)]);
    expect(fresh.map((a) => a.status)).toEqual([202, 409, 202]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body)).toEqual(Array(4).fill({ error: "Duplicate delivery" }));
    expect(await runsOf(h.routineId)).toHaveLength(3);
  });

  it("one Idempotency-Key sent with ten different deliveries at once: one run, the same answer for all", async () => {
    const h = await hook("always_enqueue");
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => deliver(h, JSON.stringify({ n: i }), { "idempotency-key": "order-42" })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await runsOf(h.routineId)).toHaveLength(1);
  });
});

describe("webhook deliveries and manual runs at the same moment", () => {
  it("go together and decide as if one after another: one execution issue, the other fires coalesced into it", async () => {
    const h = await hook("coalesce_if_active");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? deliver(h, JSON.stringify({ n: i }))
          : s.t.request("POST", `/api/routines/${h.routineId}/run`, { body: { payload: { n: i } } }).then((r) => ({ status: r.status, body: r.body })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(answers.map((a) => a.body.source).sort()).toEqual([...Array(10).fill("manual"), ...Array(10).fill("webhook")]);
    const runs = await runsOf(h.routineId);
    expect(runs.filter((r) => r.status === "issue_created")).toHaveLength(1);
    expect(runs.filter((r) => r.status === "coalesced")).toHaveLength(19);
  });

  it("a refused manual run (archived routine) gets its own 409; the deliveries waiting with it are unaffected", async () => {
    const [h, archived] = await Promise.all([hook("always_enqueue"), hook("always_enqueue")]);
    expect((await s.t.request("PATCH", `/api/routines/${archived.routineId}`, { body: { status: "archived" } })).status).toBe(200);
    const [refused, ...fired] = await Promise.all([
      s.t.request("POST", `/api/routines/${archived.routineId}/run`, { body: {} }),
      ...Array.from({ length: 5 }, (_, i) => deliver(h, JSON.stringify({ n: i }))),
    ]);
    expect(refused).toMatchObject({ status: 409, body: { error: "Routine is archived" } });
    expect(fired.map((a) => a.status)).toEqual(Array(5).fill(202));
  });
});

describe("the copy of a trigger a process keeps in memory", () => {
  it("a rotated secret stops working at once, though this process verified the old one a moment ago", async () => {
    const h = await hook("always_enqueue");
    expect((await deliver(h, '{"before":true}')).status).toBe(202);
    const rotated = await s.t.request("POST", `/api/routine-triggers/${triggerIdOf(h)}/rotate-secret`, { body: {} });
    expect(rotated.status).toBe(200);
    const old = await deliver(h, '{"after":"old"}');
    expect(old).toEqual({ status: 401, body: { error: "Unauthorized" } });
    const renewed = { ...h, secret: rotated.body.secretMaterial.webhookSecret as string };
    expect((await deliver(renewed, '{"after":"new"}')).status).toBe(202);
    expect((await deliver(h, '{"after":"old again"}')).status).toBe(401);
  });

  it("follows a trigger disabled and enabled again, and one deleted", async () => {
    const h = await hook("always_enqueue");
    expect((await deliver(h, '{"n":1}')).status).toBe(202);
    await s.t.request("PATCH", `/api/routine-triggers/${triggerIdOf(h)}`, { body: { enabled: false } });
    expect(await deliver(h, '{"n":2}')).toEqual({ status: 409, body: { error: "Routine trigger is not active" } });
    await s.t.request("PATCH", `/api/routine-triggers/${triggerIdOf(h)}`, { body: { enabled: true } });
    expect((await deliver(h, '{"n":3}')).status).toBe(202);
    expect((await s.t.request("DELETE", `/api/routine-triggers/${triggerIdOf(h)}`)).status).toBeLessThan(300);
    expect((await deliver(h, '{"n":4}')).status).toBe(404);
    expect(await runsOf(h.routineId)).toHaveLength(2);
  });
});

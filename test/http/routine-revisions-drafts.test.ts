/** Revisions (stale baseRevisionId, restore), drafts, env and the activity log, end to end over HTTP. */
import { describe, expect, it } from "vitest";
import { routineRevisionSnapshotV1Schema } from "@paperclipai/shared/validators/routine";
import { sql } from "drizzle-orm";
import { queryRows } from "../../src/store/db";
import { seededApp } from "../helpers/app";

const s = seededApp();
const create = (body: Record<string, unknown>, token?: string) =>
  s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, { body, token });
const full = () => ({ title: "Briefing", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id });

describe("revisions", () => {
  it("records one per change of the routine or its triggers, newest first, never a secret", async () => {
    const r = (await create({ ...full(), env: { TOKEN: "hunter2-secret" } })).body;
    expect(r.latestRevisionNumber).toBe(1);
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Briefing v2" } });
    const hook = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "webhook" } })).body;
    await s.t.request("PATCH", `/api/routine-triggers/${hook.trigger.id}`, { body: { label: "CI" } });
    await s.t.request("POST", `/api/routine-triggers/${hook.trigger.id}/rotate-secret`);
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Briefing v2" } }); // no change: no revision
    const res = await s.t.request("GET", `/api/routines/${r.id}/revisions`);
    expect(res.status).toBe(200);
    expect(res.body.map((x: any) => [x.revisionNumber, x.changeSummary])).toEqual([
      [5, "Rotated webhook trigger secret"],
      [4, "Updated webhook trigger"],
      [3, "Created webhook trigger"],
      [2, "Updated routine"],
      [1, "Created routine"],
    ]);
    for (const rev of res.body) expect(routineRevisionSnapshotV1Schema.safeParse(rev.snapshot).success).toBe(true);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain("hunter2-secret");
    expect(text).not.toContain(hook.secretMaterial.webhookSecret);
    const routine = (await s.t.request("GET", `/api/routines/${r.id}`)).body;
    expect(routine).toMatchObject({ latestRevisionId: res.body[0].id, latestRevisionNumber: 5 });
  });

  it("refuses an update from a stale baseRevisionId with 409, and takes the current one", async () => {
    const r = (await create(full())).body;
    const loaded = r.latestRevisionId;
    const first = await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Mine", baseRevisionId: loaded } });
    expect(first.status).toBe(200);
    const stale = await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Theirs", baseRevisionId: loaded } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/updated by someone else since it was loaded/);
    expect(stale.body.details).toEqual({ currentRevisionId: first.body.latestRevisionId });
    expect((await s.t.request("GET", `/api/routines/${r.id}`)).body.title).toBe("Mine");
  });

  it("restores a revision: fields, triggers (a deleted webhook comes back with a new secret) and env, as a new revision", async () => {
    const r = (await create({ ...full(), description: "v1", env: { TOKEN: "one" } })).body;
    const hook = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "webhook", label: "hook" } })).body.trigger;
    const schedule = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "schedule", cronExpression: "0 9 * * *" } })).body
      .trigger;
    const revisions = (await s.t.request("GET", `/api/routines/${r.id}/revisions`)).body;
    const target = revisions[0]; // routine + both triggers
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { description: "v2", priority: "critical", env: { TOKEN: "two" } } });
    await s.t.request("DELETE", `/api/routine-triggers/${hook.id}`);
    await s.t.request("PATCH", `/api/routine-triggers/${schedule.id}`, { body: { cronExpression: "0 10 * * *" } });

    const res = await s.t.request("POST", `/api/routines/${r.id}/revisions/${target.id}/restore`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      routine: { description: "v1", priority: "medium", latestRevisionNumber: target.revisionNumber + 4 },
      revision: { restoredFromRevisionId: target.id, changeSummary: `Restored from revision ${target.revisionNumber}` },
      restoredFromRevisionId: target.id,
      restoredFromRevisionNumber: target.revisionNumber,
    });
    expect(res.body.secretMaterials).toEqual([{ triggerId: hook.id, webhookUrl: expect.any(String), webhookSecret: expect.stringMatching(/^[0-9a-f]{48}$/) }]);
    const detail = (await s.t.request("GET", `/api/routines/${r.id}`)).body;
    expect(detail.triggers.map((t: any) => [t.id, t.label ?? t.cronExpression])).toEqual(
      expect.arrayContaining([[hook.id, "hook"], [schedule.id, "0 9 * * *"]]),
    );
    const fire = await s.t.request("POST", new URL(res.body.secretMaterials[0].webhookUrl).pathname, {
      headers: { authorization: `Bearer ${res.body.secretMaterials[0].webhookSecret}` },
    });
    expect(fire.status).toBe(202);
    const env = (await queryRows<{ env: unknown }>(s.t.db.store.db, sql`select env from routines where id = ${r.id}`))[0]!.env;
    expect(JSON.stringify(env)).not.toContain("one");
    const again = await s.t.request("POST", `/api/routines/${r.id}/revisions/${res.body.revision.id}/restore`);
    expect(again).toMatchObject({ status: 409, body: { error: "Selected revision is already the latest revision" } });
    expect((await s.t.request("POST", `/api/routines/${r.id}/revisions/not-a-uuid/restore`)).body).toEqual({ error: "Routine revision not found" });
  });

  it("records the change summary Paperclip's restore dialog sends, and refuses a key it does not send", async () => {
    const r = (await create(full())).body;
    const first = r.latestRevisionId;
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Renamed" } });
    const typo = await s.t.request("POST", `/api/routines/${r.id}/revisions/${first}/restore`, { body: { changeSumary: "typo" } });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toContain("changeSumary");
    const res = await s.t.request("POST", `/api/routines/${r.id}/revisions/${first}/restore`, { body: { changeSummary: "  Back to the original title " } });
    expect(res.status).toBe(200);
    expect(res.body.revision.changeSummary).toBe("Back to the original title");
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { title: "Renamed again" } });
    // the dialog sends null when its field is left empty
    const blank = await s.t.request("POST", `/api/routines/${r.id}/revisions/${first}/restore`, { body: { changeSummary: null } });
    expect(blank.body.revision.changeSummary).toBe("Restored from revision 1");
  });

  it("refuses to bring an archived routine back through a revision from before (409), and changes nothing", async () => {
    const r = (await create(full())).body;
    const first = r.latestRevisionId;
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { status: "archived" } });
    const res = await s.t.request("POST", `/api/routines/${r.id}/revisions/${first}/restore`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/^Routine is archived/);
    const after = (await s.t.request("GET", `/api/routines/${r.id}`)).body;
    expect(after).toMatchObject({ status: "archived", latestRevisionNumber: 2 });
  });

  it("a restored schedule (edited since, or deleted since) runs next at its restored time, and a disabled one not at all", async () => {
    const r = (await create(full())).body;
    const trigger = (body: Record<string, unknown>) => s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "schedule", ...body } });
    const edited = (await trigger({ cronExpression: "0 9 * * *", timezone: "Europe/Amsterdam" })).body.trigger;
    const deleted = (await trigger({ cronExpression: "30 6 * * *" })).body.trigger;
    const disabled = (await trigger({ cronExpression: "0 12 * * *", enabled: false })).body.trigger;
    const target = (await s.t.request("GET", `/api/routines/${r.id}/revisions`)).body[0];
    await s.t.request("PATCH", `/api/routine-triggers/${edited.id}`, { body: { cronExpression: "0 10 * * *", timezone: "UTC" } });
    await s.t.request("DELETE", `/api/routine-triggers/${deleted.id}`);

    expect((await s.t.request("POST", `/api/routines/${r.id}/revisions/${target.id}/restore`)).status).toBe(200);
    const triggers = new Map<string, any>((await s.t.request("GET", `/api/routines/${r.id}`)).body.triggers.map((t: any) => [t.id, t]));
    expect(triggers.get(edited.id)).toMatchObject({ cronExpression: "0 9 * * *", timezone: "Europe/Amsterdam", nextRunAt: expect.stringMatching(/T0[78]:00:00.000Z$/) });
    expect(triggers.get(deleted.id)).toMatchObject({ cronExpression: "30 6 * * *", timezone: "UTC", nextRunAt: expect.stringMatching(/T06:30:00.000Z$/) });
    expect(triggers.get(disabled.id)).toMatchObject({ enabled: false, nextRunAt: null });
  });

  it("lets only the routine's own agent or the board see and restore revisions", async () => {
    const r = (await create(full(), s.w.agent.key)).body;
    expect((await s.t.request("GET", `/api/routines/${r.id}/revisions`, { token: s.w.agent.key })).status).toBe(200);
    expect((await s.t.request("GET", `/api/routines/${r.id}/revisions`, { token: s.w.peer.key })).status).toBe(403);
    expect((await s.t.request("GET", `/api/routines/${r.id}/revisions`, { token: s.w.outsider.key })).status).toBe(403);
  });
});

describe("drafts", () => {
  it("saves a routine without an agent or project as a paused draft, and refuses to activate or run it until both are set", async () => {
    for (const body of [{ title: "No agent", projectId: s.w.project.id }, { title: "No project", assigneeAgentId: s.w.agent.id }, { title: "Neither", assigneeAgentId: null, projectId: null }]) {
      const r = (await create(body)).body;
      expect(r.status, body.title).toBe("paused");
      const activate = await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { status: "active" } });
      expect(activate.status).toBe(422);
      expect(activate.body.error).toMatch(/^Routine is a draft: set /);
      const run = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: {} });
      expect(run.status).toBe(422);
      expect(run.body.details.missing.length).toBeGreaterThan(0);
      expect((await s.t.request("GET", `/api/routines/${r.id}/runs`)).body).toEqual([]);
    }
    const draft = (await create({ title: "Later" })).body;
    const done = await s.t.request("PATCH", `/api/routines/${draft.id}`, { body: { ...full(), status: "active" } });
    expect(done).toMatchObject({ status: 200, body: { status: "active" } });
    expect((await s.t.request("POST", `/api/routines/${draft.id}/run`, { body: {} })).status).toBe(202);
  });

  it("makes an active routine whose agent is removed a paused draft", async () => {
    const r = (await create(full())).body;
    expect(r.status).toBe("active");
    const res = await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { assigneeAgentId: null } });
    expect(res.body).toMatchObject({ status: "paused", assigneeAgentId: null });
  });

  it("runs a draft when the run names the missing agent and project (Paperclip's Run now dialog)", async () => {
    const r = (await create({ title: "Ad hoc" })).body;
    const run = await s.t.request("POST", `/api/routines/${r.id}/run`, { body: { assigneeAgentId: s.w.agent.id, projectId: s.w.project.id } });
    expect(run.status).toBe(202);
  });
});

describe("env", () => {
  it("is stored encrypted, shown by name only, kept when sent back redacted, and replaced when changed", async () => {
    const r = (await create({ ...full(), env: { API_TOKEN: "tok-123456", MODE: { type: "plain", value: "fast" } } })).body;
    expect(r.env).toEqual({ API_TOKEN: { type: "plain", value: "***" }, MODE: { type: "plain", value: "***" } });
    const list = await s.t.request("GET", `/api/companies/${s.w.company.id}/routines`);
    expect(JSON.stringify(list.body)).not.toContain("tok-123456");
    const stored = JSON.stringify(await queryRows(s.t.db.store.db, sql`select env from routines where id = ${r.id}`));
    expect(stored).not.toContain("tok-123456");
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { env: { ...r.env, MODE: "slow" } } });
    const sealed = (await queryRows<{ env: any }>(s.t.db.store.db, sql`select env from routines where id = ${r.id}`))[0]!;
    expect(Object.keys(sealed.env).sort()).toEqual(["API_TOKEN", "MODE"]);
    const before = JSON.parse(stored)[0].env;
    expect(sealed.env.API_TOKEN.ciphertext).toBe(before.API_TOKEN.ciphertext);
    expect(sealed.env.MODE.ciphertext).not.toBe(before.MODE.ciphertext);
  });
});

describe("signing mode none", () => {
  it("creates an unauthenticated webhook that says so, fires without credentials, and is still rate limited", async () => {
    const r = (await create(full())).body;
    const created = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "webhook", signingMode: "none" } })).body;
    expect(created.trigger).toMatchObject({ signingMode: "none", authenticated: false });
    expect((await s.t.request("GET", `/api/routine-triggers/${created.trigger.id}`)).body.authenticated).toBe(false);
    const path = new URL(created.secretMaterial.webhookUrl).pathname;
    const fired = await s.t.request("POST", path, { body: { hello: "world" } });
    expect(fired.status).toBe(202);
    let status = 202;
    for (let i = 0; i < 40 && status !== 429; i++) status = (await s.t.request("POST", path, { body: {} })).status;
    expect(status).toBe(429);
  });
});

describe("activity log", () => {
  it("records who did what, without secrets, filtered and paged", async () => {
    const r = (await create(full(), s.w.agent.key)).body;
    const hook = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "webhook" }, token: s.w.agent.key })).body;
    await s.t.request("PATCH", `/api/routines/${r.id}`, { body: { env: { SECRET_THING: "do-not-log-me" } } });
    const url = `/api/companies/${s.w.company.id}/activity`;
    const mine = (await s.t.request("GET", `${url}?agentId=${s.w.agent.id}&entityType=routine`)).body;
    expect(mine.map((a: any) => a.action)).toEqual(expect.arrayContaining(["routine.created", "routine.revision_created"]));
    for (const a of mine) expect(a).toMatchObject({ actorType: "agent", actorId: s.w.agent.id, companyId: s.w.company.id });
    const trig = (await s.t.request("GET", `${url}?entityId=${hook.trigger.id}`)).body;
    expect(trig).toEqual([expect.objectContaining({ action: "routine.trigger_created", entityType: "routine_trigger", details: { routineId: r.id, kind: "webhook" } })]);
    const board = (await s.t.request("GET", `${url}?actorType=user&action=routine.updated`)).body;
    expect(board[0]).toMatchObject({ actorId: "board", entityId: r.id });
    const all = JSON.stringify((await s.t.request("GET", `${url}?limit=200`)).body);
    expect(all).not.toContain("do-not-log-me");
    expect(all).not.toContain(hook.secretMaterial.webhookSecret);
    const page1 = (await s.t.request("GET", `${url}?limit=2`)).body;
    const page2 = (await s.t.request("GET", `${url}?limit=2&before=${page1[1].id}`)).body;
    expect(page2).toHaveLength(2);
    expect(page2[0].id).not.toBe(page1[1].id);
    expect(Date.parse(page2[0].createdAt)).toBeLessThanOrEqual(Date.parse(page1[1].createdAt));
    expect((await s.t.request("GET", url, { token: s.w.outsider.key })).status).toBe(403);
  });

  it("filters by routine: the routine's own entries, its triggers' and its runs', not another routine's", async () => {
    const r = (await create(full())).body;
    const other = (await create(full())).body;
    const hook = (await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "api" } })).body.trigger;
    await s.t.request("DELETE", `/api/routine-triggers/${hook.id}`);
    const run = (await s.t.request("POST", `/api/routines/${r.id}/run`, { body: {} })).body;
    await s.t.request("POST", `/api/routines/${other.id}/run`, { body: {} });
    const entries = (await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?routineId=${r.id}&limit=200`)).body as any[];
    expect(entries.map((a) => [a.action, a.entityId]).sort()).toEqual(
      [
        ["routine.created", r.id],
        ["routine.revision_created", r.id],
        ["routine.revision_created", r.id],
        ["routine.revision_created", r.id],
        ["routine.trigger_created", hook.id],
        ["routine.trigger_deleted", hook.id],
        ["routine.run_triggered", run.id],
      ].sort(),
    );
    expect((await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?routineId=not-a-uuid`)).status).toBe(400);
  });
});

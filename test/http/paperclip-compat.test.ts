/**
 * Paperclip's own request schemas (`@paperclipai/shared@2026.916.1`) build the bodies: every optional field one at
 * a time and all together. Each body is first checked to be one Paperclip accepts, then sent to routined, which
 * must accept it too, with the same meaning, and answer with every field of Paperclip's response types.
 */
import crypto from "node:crypto";
import {
  createRoutineSchema,
  createRoutineTriggerSchema,
  routineRevisionSnapshotV1Schema,
  rotateRoutineTriggerSecretSchema,
  runRoutineSchema,
  updateRoutineSchema,
  updateRoutineTriggerSchema,
} from "@paperclipai/shared/validators/routine";
import { beforeAll, describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";

const s = seededApp();
const JSON_HEADERS = { "content-type": "application/json" };
let goalId: string;
let parentIssueId: string;

beforeAll(async () => {
  goalId = (await s.t.request("POST", `/api/companies/${s.w.company.id}/goals`, { body: { title: "Grow" } })).body.id;
  parentIssueId = (await s.t.request("POST", `/api/companies/${s.w.company.id}/issues`, { body: { title: "Parent" } })).body.id;
});

/** Asserts Paperclip accepts `body` with `schema`, and returns it unchanged (what its client sends). */
function paperclipAccepts<T>(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, body: T): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`Paperclip refuses ${JSON.stringify(body)}: ${String(parsed.error)}`);
  return body;
}

type Kind = "string" | "string?" | "number" | "number?" | "boolean" | "array" | "object?" | "date" | "date?";
function expectShape(body: Record<string, unknown>, shape: Record<string, Kind>) {
  for (const [key, kind] of Object.entries(shape)) {
    expect(body, `field ${key}`).toHaveProperty(key);
    const v = body[key];
    const nullable = kind.endsWith("?");
    if (nullable && v === null) continue;
    const base = kind.replace("?", "");
    if (base === "array") expect(Array.isArray(v), `${key} is an array`).toBe(true);
    else if (base === "date") expect(Number.isNaN(Date.parse(v as string)), `${key} is a time`).toBe(false);
    else if (base === "object") expect(typeof v, key).toBe("object");
    else expect(typeof v, `${key}: ${JSON.stringify(v)}`).toBe(base);
  }
}

// Paperclip's `Routine`, `RoutineTrigger`, `RoutineRun` types (dist/types/routine.d.ts), field by field.
const ROUTINE: Record<string, Kind> = {
  id: "string", companyId: "string", projectId: "string?", folderId: "string?", goalId: "string?", parentIssueId: "string?",
  title: "string", description: "string?", assigneeAgentId: "string?", priority: "string", status: "string",
  concurrencyPolicy: "string", catchUpPolicy: "string", activityGatePolicy: "string", activityGateScope: "string",
  variables: "array", env: "object?", latestRevisionId: "string?", latestRevisionNumber: "number",
  createdByAgentId: "string?", createdByUserId: "string?", responsibleUserId: "string?", updatedByAgentId: "string?",
  updatedByUserId: "string?", lastTriggeredAt: "date?", lastEnqueuedAt: "date?", createdAt: "date", updatedAt: "date",
};
const TRIGGER: Record<string, Kind> = {
  id: "string", companyId: "string", routineId: "string", kind: "string", label: "string?", enabled: "boolean",
  cronExpression: "string?", timezone: "string?", nextRunAt: "date?", lastFiredAt: "date?", publicId: "string?",
  secretId: "string?", signingMode: "string?", replayWindowSec: "number?", lastRotatedAt: "date?", lastResult: "string?",
  createdByAgentId: "string?", createdByUserId: "string?", updatedByAgentId: "string?", updatedByUserId: "string?",
  createdAt: "date", updatedAt: "date",
};
const RUN: Record<string, Kind> = {
  id: "string", companyId: "string", routineId: "string", triggerId: "string?", source: "string", status: "string",
  triggeredAt: "date", routineRevisionId: "string?", idempotencyKey: "string?", triggerPayload: "object?",
  dispatchFingerprint: "string?", linkedIssueId: "string?", coalescedIntoRunId: "string?", failureReason: "string?",
  completedAt: "date?", createdAt: "date", updatedAt: "date",
};
const RUN_SUMMARY: Record<string, Kind> = { ...RUN, linkedIssue: "object?", trigger: "object?" };
const TRIGGER_SUMMARY = ["id", "kind", "label", "enabled", "cronExpression", "timezone", "nextRunAt", "lastFiredAt", "lastResult"];

const createRoutine = (body: unknown, headers = JSON_HEADERS) =>
  s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, { body: JSON.stringify(body), headers });

describe("create routine: every body Paperclip's createRoutineSchema accepts", () => {
  const base = { title: "Briefing on {{topic}}" };
  const optional = (): [string, unknown][] => [
    ["projectId", s.w.project.id],
    ["projectId", null],
    ["folderId", crypto.randomUUID()],
    ["folderId", null],
    ["goalId", goalId],
    ["goalId", null],
    ["parentIssueId", parentIssueId],
    ["parentIssueId", null],
    ["description", "Compile the {{topic}} status report"],
    ["description", null],
    ["assigneeAgentId", s.w.agent.id],
    ["assigneeAgentId", null],
    ["priority", "high"],
    ["status", "paused"],
    ["concurrencyPolicy", "always_enqueue"],
    ["catchUpPolicy", "enqueue_missed_with_cap"],
    ["activityGatePolicy", "require_external_activity"],
    ["activityGateScope", "project"],
    ["variables", []],
    ["variables", [{ name: "topic", label: "Topic", type: "select", options: ["ops", "sales"], defaultValue: "ops", required: true }]],
    ["env", { API_TOKEN: "s3cret" }],
    ["env", { API_TOKEN: { type: "plain", value: "s3cret" } }],
    ["env", null],
  ];

  it("accepts each optional field alone, with its meaning", async () => {
    for (const [key, value] of optional()) {
      const body = paperclipAccepts(createRoutineSchema, { ...base, [key]: value });
      const res = await createRoutine(body);
      expect(res.status, `${key}=${JSON.stringify(value)}: ${JSON.stringify(res.body)}`).toBe(201);
      expectShape(res.body, ROUTINE);
      if (key === "env") {
        expect(res.body.env).toEqual(value === null ? null : { API_TOKEN: { type: "plain", value: "***" } });
      } else if (key === "variables") {
        const given = value as { name: string }[];
        expect(res.body.variables.map((v: { name: string }) => v.name)).toEqual(["topic"]);
        if (given.length) expect(res.body.variables[0]).toEqual({ ...given[0], label: "Topic" });
      } else if (key === "status") {
        expect(res.body.status).toBe("paused");
      } else {
        expect(res.body[key], key).toEqual(value);
      }
    }
  });

  it("accepts the body of Paperclip's New routine dialog", async () => {
    const body = paperclipAccepts(createRoutineSchema, {
      title: "Weekly CEO briefing",
      description: "Compile status",
      projectId: s.w.project.id,
      folderId: null,
      assigneeAgentId: s.w.agent.id,
      priority: "medium",
      concurrencyPolicy: "coalesce_if_active",
      catchUpPolicy: "skip_missed",
      variables: [],
    });
    const res = await createRoutine(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "active", latestRevisionNumber: 1, createdByUserId: "board" });
  });

  it("accepts every field together", async () => {
    const all: Record<string, unknown> = { ...base };
    for (const [k, v] of optional()) if (!(k in all) && v !== null) all[k] = v;
    const body = paperclipAccepts(createRoutineSchema, all);
    const res = await createRoutine(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ projectId: s.w.project.id, goalId, parentIssueId, assigneeAgentId: s.w.agent.id, activityGateScope: "project" });
  });

  it("still refuses a key neither Paperclip nor routined knows, naming it", async () => {
    const res = await createRoutine({ ...base, assigneeAgentID: s.w.agent.id });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain("assigneeAgentID");
  });
});

describe("update routine: every body Paperclip's updateRoutineSchema accepts", () => {
  let routine: Record<string, any>;
  beforeAll(async () => {
    routine = (await createRoutine({ title: "Edit me", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id })).body;
  });
  const patch = (body: unknown, headers = JSON_HEADERS) =>
    s.t.request("PATCH", `/api/routines/${routine.id}`, { body: body === undefined ? "" : JSON.stringify(body), headers });

  it("accepts each field alone (PATCH {} and an empty JSON body change nothing)", async () => {
    const fields: [string, unknown][] = [
      ["title", "Edited"],
      ["description", "New description"],
      ["description", null],
      ["folderId", crypto.randomUUID()],
      ["folderId", null],
      ["goalId", goalId],
      ["goalId", null],
      ["parentIssueId", parentIssueId],
      ["parentIssueId", null],
      ["priority", "low"],
      ["concurrencyPolicy", "skip_if_active"],
      ["catchUpPolicy", "enqueue_missed_with_cap"],
      ["activityGatePolicy", "require_external_activity"],
      ["activityGateScope", "project"],
      ["variables", []],
      ["env", { A: "1" }],
      ["env", null],
      ["baseRevisionId", null],
      ["status", "paused"],
      ["status", "active"],
      ["projectId", s.w.project.id],
      ["assigneeAgentId", s.w.agent.id],
    ];
    for (const [key, value] of fields) {
      const body = paperclipAccepts(updateRoutineSchema, { [key]: value });
      const res = await patch(body);
      expect(res.status, `${key}=${JSON.stringify(value)}: ${JSON.stringify(res.body)}`).toBe(200);
      expectShape(res.body, ROUTINE);
      if (key !== "env" && key !== "baseRevisionId" && key !== "variables") expect(res.body[key], key).toEqual(value);
    }
    const before = (await s.t.request("GET", `/api/routines/${routine.id}`)).body;
    expect((await patch(paperclipAccepts(updateRoutineSchema, {}))).body.latestRevisionId).toBe(before.latestRevisionId);
    const empty = await patch(undefined);
    expect(empty.status).toBe(200);
    expect(empty.body.updatedAt).toBe(before.updatedAt);
  });

  it("accepts the routine page's whole edit draft, with the current baseRevisionId", async () => {
    const current = (await s.t.request("GET", `/api/routines/${routine.id}`)).body;
    const draft = paperclipAccepts(updateRoutineSchema, {
      title: "Edited {{topic}}",
      description: current.description,
      projectId: current.projectId,
      goalId: current.goalId,
      parentIssueId: current.parentIssueId,
      assigneeAgentId: current.assigneeAgentId,
      priority: current.priority,
      status: current.status,
      concurrencyPolicy: current.concurrencyPolicy,
      catchUpPolicy: current.catchUpPolicy,
      activityGatePolicy: "always",
      activityGateScope: "company",
      variables: [{ name: "topic", label: null, type: "text", defaultValue: "ops", required: true, options: [] }],
      env: null,
      baseRevisionId: current.latestRevisionId,
    });
    const res = await patch(draft);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.latestRevisionNumber).toBe(current.latestRevisionNumber + 1);
    expect(res.body.variables).toEqual([{ name: "topic", label: null, type: "text", defaultValue: "ops", required: true, options: [] }]);
  });
});

describe("triggers: every body of Paperclip's trigger schemas", () => {
  let routineId: string;
  beforeAll(async () => {
    routineId = (await createRoutine({ title: "Triggered", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id })).body.id;
  });
  const add = (body: unknown) => s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: JSON.stringify(body), headers: JSON_HEADERS });

  it("creates each kind with each optional field alone and all together", async () => {
    const bodies: Record<string, unknown>[] = [
      { kind: "api" },
      { kind: "api", label: "CI" },
      { kind: "api", label: null },
      { kind: "api", enabled: false },
      { kind: "api", label: "all", enabled: true },
      { kind: "schedule", cronExpression: "0 9 * * 1" },
      { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "Europe/Amsterdam" },
      { kind: "schedule", cronExpression: "0 9 * * 1", label: "Mondays" },
      { kind: "schedule", cronExpression: "0 9 * * 1", enabled: false },
      { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "UTC", label: "x", enabled: true },
      { kind: "webhook" },
      { kind: "webhook", signingMode: "bearer" },
      { kind: "webhook", signingMode: "hmac_sha256" },
      { kind: "webhook", signingMode: "github_hmac" },
      { kind: "webhook", signingMode: "none" },
      { kind: "webhook", replayWindowSec: 600 },
      { kind: "webhook", label: "GH", enabled: true, signingMode: "github_hmac", replayWindowSec: 60 },
    ];
    for (const b of bodies) {
      const res = await add(paperclipAccepts(createRoutineTriggerSchema, b));
      expect(res.status, `${JSON.stringify(b)}: ${JSON.stringify(res.body)}`).toBe(201);
      expectShape(res.body.trigger, TRIGGER);
      expect(res.body.revision).toMatchObject({ revisionNumber: expect.any(Number) });
      for (const [k, v] of Object.entries(b)) expect(res.body.trigger[k], k).toEqual(v);
      expect(res.body.secretMaterial === null).toBe(b.kind !== "webhook");
      expect(res.body.trigger.authenticated).toBe(b.signingMode !== "none");
    }
  });

  it("updates with each field alone, nulls included, and all together", async () => {
    const schedule = (await add({ kind: "schedule", cronExpression: "0 9 * * 1" })).body.trigger;
    const webhook = (await add({ kind: "webhook" })).body.trigger;
    const api = (await add({ kind: "api" })).body.trigger;
    const edits: [Record<string, any>, Record<string, unknown>][] = [
      [schedule, { label: "Mon" }],
      [schedule, { label: null }],
      [schedule, { enabled: false }],
      [schedule, { enabled: true }],
      [schedule, { cronExpression: "0 10 * * 1" }],
      [schedule, { timezone: "Asia/Tokyo" }],
      [schedule, { signingMode: null, replayWindowSec: null }],
      [schedule, { label: "all", enabled: true, cronExpression: "0 8 * * *", timezone: "UTC", signingMode: null, replayWindowSec: null }],
      [webhook, { signingMode: "hmac_sha256" }],
      [webhook, { signingMode: null }],
      [webhook, { replayWindowSec: 120 }],
      [webhook, { replayWindowSec: null }],
      [webhook, { cronExpression: null, timezone: null }],
      [webhook, { label: "hook", enabled: true, cronExpression: null, timezone: null, signingMode: "none", replayWindowSec: 90 }],
      [api, { label: "api", enabled: false, cronExpression: null, timezone: null, signingMode: null, replayWindowSec: null }],
      [api, {}],
    ];
    for (const [trigger, b] of edits) {
      const res = await s.t.request("PATCH", `/api/routine-triggers/${trigger.id}`, {
        body: JSON.stringify(paperclipAccepts(updateRoutineTriggerSchema, b)),
        headers: JSON_HEADERS,
      });
      expect(res.status, `${JSON.stringify(b)}: ${JSON.stringify(res.body)}`).toBe(200);
      for (const [k, v] of Object.entries(b)) if (v !== null || k === "label") expect(res.body[k], k).toEqual(v);
    }
    const empty = await s.t.request("PATCH", `/api/routine-triggers/${schedule.id}`, { body: "", headers: JSON_HEADERS });
    expect(empty.status).toBe(200);
    expect(empty.body.updatedAt).toBe((await s.t.request("GET", `/api/routine-triggers/${schedule.id}`)).body.updatedAt);
    const nulled = await s.t.request("PATCH", `/api/routine-triggers/${schedule.id}`, { body: { cronExpression: null } });
    expect(nulled).toMatchObject({ status: 422, body: { error: "Scheduled triggers require cronExpression" } });
  });

  it("rotates with {} and with a JSON content type and no body; deletes with a JSON content type and no body", async () => {
    const webhook = (await add({ kind: "webhook" })).body.trigger;
    for (const body of [JSON.stringify(paperclipAccepts(rotateRoutineTriggerSecretSchema, {})), ""]) {
      const res = await s.t.request("POST", `/api/routine-triggers/${webhook.id}/rotate-secret`, { body, headers: JSON_HEADERS });
      expect(res.status).toBe(200);
      expect(res.body.secretMaterial.webhookSecret).toMatch(/^[0-9a-f]{48}$/);
    }
    const api = (await add({ kind: "api" })).body.trigger;
    const refused = await s.t.request("POST", `/api/routine-triggers/${api.id}/rotate-secret`, { body: "", headers: JSON_HEADERS });
    expect(refused).toMatchObject({ status: 422, body: { error: "Only webhook triggers can rotate secrets" } });
    expect((await s.t.request("DELETE", `/api/routine-triggers/${webhook.id}`, { body: "", headers: JSON_HEADERS })).status).toBe(204);
    expect((await s.t.request("GET", `/api/routine-triggers/${webhook.id}`)).status).toBe(404);
  });
});

describe("run: every body Paperclip's runRoutineSchema accepts", () => {
  let routineId: string;
  let triggerId: string;
  beforeAll(async () => {
    routineId = (
      await createRoutine({ title: "Run me", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "always_enqueue" })
    ).body.id;
    triggerId = (await s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: { kind: "api" } })).body.trigger.id;
  });
  const run = (body: string) => s.t.request("POST", `/api/routines/${routineId}/run`, { body, headers: JSON_HEADERS });

  it("runs with each field alone, the Run now dialog's body, all together, and no body", async () => {
    const fields: [string, unknown][] = [
      ["triggerId", triggerId],
      ["triggerId", null],
      ["payload", { context: "quarterly" }],
      ["payload", null],
      ["variables", {}],
      ["variables", null],
      ["projectId", s.w.project.id],
      ["projectId", null],
      ["projectWorkspaceId", crypto.randomUUID()],
      ["projectWorkspaceId", null],
      ["assigneeAgentId", s.w.agent.id],
      ["assigneeAgentId", null],
      ["idempotencyKey", `k-${crypto.randomUUID()}`],
      ["idempotencyKey", ""],
      ["idempotencyKey", null],
      ["source", "api"],
      ["source", "manual"],
      ["executionWorkspaceId", crypto.randomUUID()],
      ["executionWorkspaceId", null],
      ["executionWorkspacePreference", "isolated_workspace"],
      ["executionWorkspacePreference", null],
      ["executionWorkspaceSettings", { mode: "shared_workspace" }],
      ["executionWorkspaceSettings", null],
    ];
    for (const [key, value] of fields) {
      const res = await run(JSON.stringify(paperclipAccepts(runRoutineSchema, { [key]: value })));
      expect(res.status, `${key}=${JSON.stringify(value)}: ${JSON.stringify(res.body)}`).toBe(202);
      expectShape(res.body, RUN);
      if (key === "idempotencyKey") expect(res.body.idempotencyKey).toBe(value || null);
      if (key === "source") expect(res.body.source).toBe(value);
      if (key === "triggerId") expect(res.body.triggerId).toBe(value);
    }
    const dialog = paperclipAccepts(runRoutineSchema, {
      assigneeAgentId: s.w.agent.id,
      projectId: s.w.project.id,
      variables: {},
      executionWorkspaceId: null,
      executionWorkspacePreference: null,
      executionWorkspaceSettings: null,
    });
    expect((await run(JSON.stringify(dialog))).status).toBe(202);
    const all = paperclipAccepts(
      runRoutineSchema,
      Object.fromEntries(fields.filter(([, v]) => v !== null && v !== "" && v !== "manual").map(([k, v]) => [k, v])),
    );
    expect((await run(JSON.stringify(all))).status).toBe(202);
    expect((await run("")).status).toBe(202);
  });

  it("refuses a disabled trigger and a trigger of another routine with Paperclip's messages", async () => {
    const other = (await createRoutine({ title: "Other", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id })).body.id;
    const foreign = (await s.t.request("POST", `/api/routines/${other}/triggers`, { body: { kind: "api" } })).body.trigger.id;
    expect(await run(JSON.stringify({ triggerId: foreign }))).toMatchObject({ status: 403, body: { error: "Trigger does not belong to routine" } });
    await s.t.request("PATCH", `/api/routine-triggers/${triggerId}`, { body: { enabled: false } });
    expect(await run(JSON.stringify({ triggerId }))).toMatchObject({ status: 409, body: { error: "Routine trigger is not active" } });
    await s.t.request("PATCH", `/api/routine-triggers/${triggerId}`, { body: { enabled: true } });
  });

  it("lists runs as RoutineRunSummary; a limit that is not a number falls back to 50", async () => {
    const res = await s.t.request("GET", `/api/routines/${routineId}/runs?limit=abc`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(25);
    expect(res.body.length).toBeLessThanOrEqual(50);
    for (const r of res.body) expectShape(r, RUN_SUMMARY);
    expect(res.body.find((r: any) => r.triggerId)?.trigger).toMatchObject({ id: triggerId, kind: "api", label: null });
    expect(res.body[0].linkedIssue).toMatchObject({ identifier: expect.any(String), status: "todo" });
  });
});

describe("responses: Paperclip's RoutineListItem, RoutineDetail and revisions", () => {
  it("serves every field, on the list and the detail", async () => {
    const r = (await createRoutine({ title: "Shape", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id })).body;
    await s.t.request("POST", `/api/routines/${r.id}/triggers`, { body: { kind: "schedule", cronExpression: "0 9 * * *" } });
    await s.t.request("POST", `/api/routines/${r.id}/run`, { body: {} });
    const list = (await s.t.request("GET", `/api/companies/${s.w.company.id}/routines`)).body;
    const item = list.find((x: any) => x.id === r.id);
    expectShape(item, { ...ROUTINE, triggers: "array", lastRun: "object?", activeIssue: "object?" });
    for (const k of TRIGGER_SUMMARY) expect(item.triggers[0]).toHaveProperty(k);
    expectShape(item.lastRun, RUN_SUMMARY);
    const detail = (await s.t.request("GET", `/api/routines/${r.id}`)).body;
    expectShape(detail, { ...ROUTINE, project: "object?", assignee: "object?", parentIssue: "object?", triggers: "array", recentRuns: "array", activeIssue: "object?" });
    expect(detail.project).toEqual({ id: s.w.project.id, name: "Ops", description: null, status: expect.any(String), goalId: null });
    expectShape(detail.triggers[0], TRIGGER);
    expectShape(detail.recentRuns[0], RUN_SUMMARY);
    const revisions = (await s.t.request("GET", `/api/routines/${r.id}/revisions`)).body;
    expect(revisions.map((x: any) => x.revisionNumber)).toEqual([2, 1]);
    for (const rev of revisions) expect(routineRevisionSnapshotV1Schema.safeParse(rev.snapshot).success).toBe(true);
  });

  it("answers a malformed id with the resource's 404", async () => {
    expect(await s.t.request("GET", "/api/routines/not-a-uuid")).toMatchObject({ status: 404, body: { error: "Routine not found" } });
    expect(await s.t.request("DELETE", "/api/routine-triggers/123", { body: "", headers: JSON_HEADERS })).toMatchObject({
      status: 404,
      body: { error: "Routine trigger not found" },
    });
  });
});

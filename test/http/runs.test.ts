import { describe, expect, it } from "vitest";
import { issuesRepo } from "../../src/store/repos/issues";
import { seededApp } from "../helpers/app";
import { addRoutine } from "../helpers/world";

const s = seededApp();

const newRoutine = async (fields: Record<string, unknown> = {}) =>
  (await addRoutine(s, { routine: { title: "Triage inbox", description: "Read and sort", ...fields } })).routineId;
const run = (routineId: string, body: object = {}, token?: string) =>
  s.t.request("POST", `/api/routines/${routineId}/run`, { body, token });
const runs = (routineId: string, query = "") => s.t.request("GET", `/api/routines/${routineId}/runs${query}`);

/** Moves an execution issue as the agent would, through the service that fires the completion hook. */
async function moveIssue(issueId: string, status: "done" | "cancelled" | "blocked") {
  await s.t.db.store.db.transaction(async (tx) => {
    const issue = await issuesRepo.update(tx, issueId, { status });
    await s.t.services.runStatus.onIssueStatusChange(tx, issue!);
  });
}

describe("manual run", () => {
  it("creates an execution issue and a queued heartbeat run, answering 202 with the run", async () => {
    const routineId = await newRoutine({ priority: "high" });
    const res = await run(routineId, { payload: { context: "quarterly" } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ routineId, source: "manual", status: "issue_created", triggerPayload: { context: "quarterly" } });
    const issue = await issuesRepo.get(s.t.db.store.db, res.body.linkedIssueId);
    expect(issue).toMatchObject({
      originKind: "routine_execution",
      originId: routineId,
      originRunId: res.body.id,
      status: "todo",
      title: "Triage inbox",
      description: "Read and sort",
      priority: "high",
      assigneeAgentId: s.w.agent.id,
      projectId: s.w.project.id,
    });
    expect(issue!.context).toMatchObject({ source: "manual", payload: { context: "quarterly" } });
  });

  it("returns the same run for the same idempotency key and creates nothing new", async () => {
    const routineId = await newRoutine({ concurrencyPolicy: "always_enqueue" });
    const first = await run(routineId, { idempotencyKey: "k-1" });
    const second = await run(routineId, { idempotencyKey: "k-1" });
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect((await runs(routineId)).body).toHaveLength(1);
  });

  it("runs a paused routine manually but refuses an archived one with 409", async () => {
    const paused = await newRoutine({ status: "paused" });
    expect((await run(paused)).body.status).toBe("issue_created");
    const archived = await newRoutine({ status: "archived" });
    expect(await run(archived)).toMatchObject({ status: 409, body: { error: "Routine is archived" } });
  });

  it("refuses a trigger of another routine with 403", async () => {
    const a = await newRoutine();
    const b = await newRoutine();
    const trigger = (await s.t.request("POST", `/api/routines/${b}/triggers`, { body: { kind: "api" } })).body.trigger;
    expect((await run(a, { triggerId: trigger.id })).status).toBe(403);
    const own = await run(b, { triggerId: trigger.id, source: "api" });
    expect(own.body).toMatchObject({ triggerId: trigger.id, source: "api" });
    const after = await s.t.request("GET", `/api/routine-triggers/${trigger.id}`);
    expect(after.body.lastResult).toBe("Created execution issue");
    expect(after.body.lastFiredAt).not.toBeNull();
  });

  it("lets only the assignee agent or the board run a routine", async () => {
    const routineId = await newRoutine();
    expect((await run(routineId, {}, s.w.peer.key)).status).toBe(403);
    expect((await run(routineId, {}, s.w.outsider.key)).status).toBe(403);
    expect((await run(routineId, {}, s.w.agent.key)).status).toBe(202);
  });
});

describe("concurrency policies", () => {
  it("coalesce_if_active: a second fire is coalesced and its payload lands on the active issue", async () => {
    const routineId = await newRoutine();
    const first = (await run(routineId, { payload: { n: 1 } })).body;
    const second = (await run(routineId, { payload: { n: 2 } })).body;
    expect(second).toMatchObject({ status: "coalesced", linkedIssueId: first.linkedIssueId, coalescedIntoRunId: first.id });
    expect(second.completedAt).not.toBeNull();
    const comments = await issuesRepo.listComments(s.t.db.store.db, first.linkedIssueId);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^Coalesced manual fire at .*: \{"n":2\}$/);
  });

  it("skip_if_active: a second fire is skipped, linked, and adds nothing to the issue", async () => {
    const routineId = await newRoutine({ concurrencyPolicy: "skip_if_active" });
    const first = (await run(routineId)).body;
    const second = (await run(routineId)).body;
    expect(second).toMatchObject({ status: "skipped", linkedIssueId: first.linkedIssueId, coalescedIntoRunId: first.id });
    expect(second.failureReason).toContain("still open");
    expect(await issuesRepo.listComments(s.t.db.store.db, first.linkedIssueId)).toHaveLength(0);
  });

  it("always_enqueue: every fire creates its own issue", async () => {
    const routineId = await newRoutine({ concurrencyPolicy: "always_enqueue" });
    const a = (await run(routineId)).body;
    const b = (await run(routineId)).body;
    expect(b.status).toBe("issue_created");
    expect(b.linkedIssueId).not.toBe(a.linkedIssueId);
  });

  it("fires a new issue once the active one is done, and completes the run", async () => {
    const routineId = await newRoutine();
    const first = (await run(routineId)).body;
    await moveIssue(first.linkedIssueId, "done");
    const second = (await run(routineId)).body;
    expect(second.status).toBe("issue_created");
    const history = (await runs(routineId)).body;
    expect(history.find((r: { id: string }) => r.id === first.id)).toMatchObject({ status: "completed" });
  });

  it("stops waking the agent once the execution issue is done", async () => {
    const routineId = await newRoutine();
    const fired = (await run(routineId)).body;
    const [queued] = (await s.t.request("GET", `/api/agents/${s.w.agent.id}/heartbeat-runs?limit=200`)).body.filter(
      (h: { routineRunId: string }) => h.routineRunId === fired.id,
    );
    expect(queued.status).toBe("queued");
    await moveIssue(fired.linkedIssueId, "done");
    const after = (await s.t.request("GET", `/api/heartbeat-runs/${queued.id}`)).body;
    expect(after).toMatchObject({ status: "cancelled", error: "Issue moved to done" });
  });

  it("fails the run when its issue is cancelled or blocked", async () => {
    for (const status of ["cancelled", "blocked"] as const) {
      const routineId = await newRoutine();
      const first = (await run(routineId)).body;
      await moveIssue(first.linkedIssueId, status);
      const [latest] = (await runs(routineId)).body;
      expect(latest).toMatchObject({ status: "failed", failureReason: `Execution issue moved to ${status}` });
    }
  });
});

describe("run history", () => {
  it("lists runs newest first with linked issue and trigger summaries, and pages with before", async () => {
    const routineId = await newRoutine({ concurrencyPolicy: "always_enqueue" });
    const trigger = (await s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: { kind: "api", label: "ci" } })).body.trigger;
    const fired = [];
    for (let i = 0; i < 5; i++) fired.push((await run(routineId, { triggerId: trigger.id, source: "api" })).body.id);
    const page1 = await runs(routineId, "?limit=2");
    expect(page1.status).toBe(200);
    expect(page1.body.map((r: { id: string }) => r.id)).toEqual([fired[4], fired[3]]);
    expect(page1.body[0]).toMatchObject({
      trigger: { id: trigger.id, kind: "api", label: "ci" },
      linkedIssue: { status: "todo", title: "Triage inbox", identifier: expect.stringMatching(/^A-?\w*-\d+$|^\w+-\d+$/) },
    });
    const page2 = await runs(routineId, `?limit=2&before=${page1.body[1].id}`);
    expect(page2.body.map((r: { id: string }) => r.id)).toEqual([fired[2], fired[1]]);
    const future = await runs(routineId, `?before=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body).toHaveLength(5);
  });

  it("clamps limit to 1..200, filters by status, and validates the cursor", async () => {
    const routineId = await newRoutine({ concurrencyPolicy: "skip_if_active" });
    await run(routineId);
    await run(routineId);
    expect((await runs(routineId, "?limit=0")).body).toHaveLength(1);
    expect((await runs(routineId, "?limit=5000")).body).toHaveLength(2);
    const skipped = await runs(routineId, "?status=skipped");
    expect(skipped.body.map((r: { status: string }) => r.status)).toEqual(["skipped"]);
    expect((await runs(routineId, "?status=nope")).status).toBe(400);
    expect((await runs(routineId, "?before=yesterday")).status).toBe(400);
    expect((await runs(routineId, "?before=00000000-0000-4000-8000-000000000000")).status).toBe(400);
  });

  it("shows lastRun and activeIssue on the list and recentRuns on the routine", async () => {
    const routineId = await newRoutine();
    const fired = (await run(routineId)).body;
    const list = (await s.t.request("GET", `/api/companies/${s.w.company.id}/routines`)).body;
    const item = list.find((r: { id: string }) => r.id === routineId);
    expect(item.lastRun).toMatchObject({ id: fired.id, status: "issue_created" });
    expect(item.activeIssue).toMatchObject({ id: fired.linkedIssueId, status: "todo" });
    const detail = (await s.t.request("GET", `/api/routines/${routineId}`)).body;
    expect(detail.recentRuns.map((r: { id: string }) => r.id)).toEqual([fired.id]);
    expect(detail.activeIssue.id).toBe(fired.linkedIssueId);
  });
});

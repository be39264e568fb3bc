/**
 * The activity gate end to end: scheduled fires of a gated routine at times the test chooses (an injected clock),
 * with quiet and busy scopes made of real activity (comments, issue edits) by the board, other agents and the
 * routine's own agent.
 */
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { seededApp } from "../helpers/app";
import { recordStatements } from "../helpers/statements";

const MIN = 60_000;
const s = seededApp();
afterEach(() => s.t.db.store.db.execute(sql`update routine_triggers set enabled = false`));

async function gated(scope: "company" | "project", projectId = s.w.project.id) {
  const routine = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: {
      title: "Triage",
      assigneeAgentId: s.w.agent.id,
      projectId,
      concurrencyPolicy: "always_enqueue",
      activityGatePolicy: "require_external_activity",
      activityGateScope: scope,
    },
  });
  const trigger = await s.t.request("POST", `/api/routines/${routine.body.id}/triggers`, { body: { kind: "schedule", cronExpression: "*/5 * * * *" } });
  return { routineId: routine.body.id as string, triggerId: trigger.body.trigger.id as string, N: new Date(trigger.body.trigger.nextRunAt).getTime() };
}

const tick = (ms: number) => s.t.services.scheduling.runDue(new Date(ms));
/** The statements a tick sends (transaction control aside). */
async function statementsOf(ms: number): Promise<string[]> {
  const seen = recordStatements();
  try {
    await tick(ms);
  } finally {
    seen.stop();
  }
  return seen.statements;
}
const lastRun = async (routineId: string) =>
  (
    await queryRows<{ status: string; failure_reason: string | null }>(
      s.t.db.store.db,
      sql`select status, failure_reason from routine_runs where routine_id = ${routineId} order by created_at desc, id desc limit 1`,
    )
  )[0]!;
const issueIn = async (projectId: string | null, token?: string) =>
  (await s.t.request("POST", `/api/companies/${s.w.company.id}/issues`, { body: { title: "Work", projectId }, token })).body;
const comment = (issueId: string, token?: string) => s.t.request("POST", `/api/issues/${issueId}/comments`, { body: { body: "news" }, token });

describe("activity gate", () => {
  it("company scope: fires the first time, skips while the company is quiet, fires after outside activity", async () => {
    const { routineId, N } = await gated("company");
    await tick(N);
    expect((await lastRun(routineId)).status).toBe("issue_created");

    await tick(N + 5 * MIN);
    const quiet = await lastRun(routineId);
    expect(quiet.status).toBe("skipped");
    expect(quiet.failure_reason).toMatch(/^Skipped: no activity in the company since \d{4}-\d\d-\d\dT/);

    // The routine's own agent working is not outside activity.
    const own = await issueIn(null, s.w.agent.key);
    await comment(own.id, s.w.agent.key);
    await tick(N + 10 * MIN);
    expect((await lastRun(routineId)).status).toBe("skipped");

    // Another agent's comment is.
    await comment(own.id, s.w.peer.key);
    await tick(N + 15 * MIN);
    expect((await lastRun(routineId)).status).toBe("issue_created");
    await tick(N + 20 * MIN);
    expect((await lastRun(routineId)).status).toBe("skipped");
  });

  it("project scope: activity elsewhere does not count, activity in the project does", async () => {
    const other = (await s.t.request("POST", `/api/companies/${s.w.company.id}/projects`, { body: { name: "Elsewhere" } })).body;
    const { routineId, N } = await gated("project");
    await tick(N);
    expect((await lastRun(routineId)).status).toBe("issue_created");

    const outside = await issueIn(other.id);
    await s.t.request("PATCH", `/api/issues/${outside.id}`, { body: { status: "in_progress" } });
    await tick(N + 5 * MIN);
    const quiet = await lastRun(routineId);
    expect(quiet).toMatchObject({ status: "skipped" });
    expect(quiet.failure_reason).toMatch(/^Skipped: no activity in project Ops since /);

    await issueIn(s.w.project.id); // the board files an issue in the project
    await tick(N + 10 * MIN);
    expect((await lastRun(routineId)).status).toBe("issue_created");
  });

  it("a gated batch is as many round trips as an ungated one: the gate's facts come with the batch's one context read", async () => {
    const { routineId, N } = await gated("company");
    await tick(N);
    const quiet = await statementsOf(N + 5 * MIN);
    expect((await lastRun(routineId)).status).toBe("skipped"); // the gate was read and applied
    // The claim, the context read (with the gate's facts), the write.
    expect(quiet).toHaveLength(3);
    expect(quiet.filter((q) => q.includes("from activity_log a"))).toHaveLength(1);
    await s.t.db.store.db.execute(sql`update routine_triggers set enabled = false`);

    const plain = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
      body: { title: "Plain", assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "always_enqueue" },
    });
    const trigger = await s.t.request("POST", `/api/routines/${plain.body.id}/triggers`, { body: { kind: "schedule", cronExpression: "*/5 * * * *" } });
    const ungated = await statementsOf(new Date(trigger.body.trigger.nextRunAt).getTime());
    expect((await lastRun(plain.body.id)).status).toBe("issue_created");
    expect(ungated).toHaveLength(quiet.length);
    // No gated routine in the batch: the gate's part is not read at all (the write still logs the run's activity).
    expect(ungated.filter((q) => q.includes("from activity_log a"))).toHaveLength(0);
  });

  it("leaves manual runs and ungated routines alone, and records the skip on the activity log as routined's", async () => {
    const { routineId, N } = await gated("company");
    await tick(N);
    await tick(N + 5 * MIN);
    expect((await lastRun(routineId)).status).toBe("skipped");
    const run = await s.t.request("POST", `/api/routines/${routineId}/run`, { body: {} });
    expect(run.body.status).toBe("issue_created");
    const log = (await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?action=routine.run_triggered&limit=200`)).body;
    const mine = log.filter((a: any) => a.details.routineId === routineId);
    expect(mine.map((a: any) => [a.actorType, a.details.source, a.details.status])).toEqual([
      ["user", "manual", "issue_created"],
      ["system", "schedule", "skipped"],
      ["system", "schedule", "issue_created"],
    ]);
  });

  it("leaves a backfill alone: a quiet scope still gets every slot it asked for (a backfill is a request, like a manual run)", async () => {
    const { routineId, triggerId, N } = await gated("company");
    await tick(N);
    await tick(N + 5 * MIN);
    expect((await lastRun(routineId)).status).toBe("skipped"); // quiet
    const from = new Date(N - 30 * MIN).toISOString();
    const to = new Date(N - 10 * MIN).toISOString();
    const backfill = await s.t.request("POST", `/api/routines/${routineId}/backfill`, { body: { triggerId, from, to } });
    expect(backfill.status).toBe(200);
    expect(backfill.body).toMatchObject({ occurrences: 5, created: 5 });
    expect(backfill.body.runs.map((r: any) => r.status)).toEqual(Array(5).fill("issue_created"));
  });
});

/**
 * The fire write's CTE groups, each read on its own: a group is a piece of one statement, so each is run here
 * with only the groups it needs, against a real database.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/store/db";
import { companiesRepo } from "../../src/store/repos/companies";
import type { RunInsert } from "../../src/store/repos/fire";
import { activityWritten, commentsWritten, executionIssuesWritten, runsWritten } from "../../src/store/repos/fire/write";
import { issuesRepo } from "../../src/store/repos/issues";
import { takeIssueNumber } from "../../src/store/repos/issue-numbers";
import { routinesRepo } from "../../src/store/repos/routines";
import { runsRepo } from "../../src/store/repos/runs";
import { type TestDatabase, createTestDatabase } from "../helpers/db";

let t: TestDatabase;
let companyId: string;
let routineId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  companyId = (await companiesRepo.insert(t.store.db, { name: "Acme", issuePrefix: "ACME" })).id;
  routineId = (await routinesRepo.insert(t.store.db, { companyId, title: "Briefing" })).id;
});
afterAll(() => t.drop());

const run = (over: Partial<RunInsert> = {}): RunInsert => ({
  id: crypto.randomUUID(),
  companyId,
  routineId,
  triggerId: null,
  source: "api",
  status: "issue_created",
  triggeredAt: new Date(),
  scheduledFor: null,
  idempotencyKey: null,
  triggerPayload: null,
  routineRevisionId: null,
  dispatchFingerprint: null,
  linkedIssueId: null,
  coalescedIntoRunId: null,
  failureReason: null,
  completedAt: null,
  ...over,
});
const issueOf = (r: RunInsert) => ({
  id: crypto.randomUUID(),
  companyId,
  routineId,
  runId: r.id,
  projectId: null,
  goalId: null,
  parentId: null,
  title: "Briefing",
  description: null,
  priority: "medium",
  assigneeAgentId: null,
});

describe("the fire write, group by group", () => {
  it("runsWritten: a run whose idempotency key is taken is not written", async () => {
    const first = run({ idempotencyKey: "k1" });
    const again = run({ idempotencyKey: "k1" });
    const written = await queryRows<{ id: string }>(t.store.db, sql`with ${runsWritten([first, again])} select id from run`);
    expect(written.map((r) => r.id)).toEqual([first.id]);
  });

  it("executionIssuesWritten: issues of the runs written only, numbered after the company's last issue", async () => {
    const manual = await issuesRepo.insert(t.store.db, { companyId, title: "by hand" });
    const a = run();
    const b = run();
    const taken = run({ idempotencyKey: "k1" }); // held since the first test: neither it nor its issue is written
    const issues = await queryRows<{ identifier: string }>(
      t.store.db,
      sql`with ${runsWritten([a, taken, b])}, ${executionIssuesWritten([issueOf(a), issueOf(taken), issueOf(b)], 3)}
          select identifier, (select count(*) from woken) from issue order by identifier`,
    );
    const n = manual.issueNumber;
    expect(issues.map((i) => i.identifier)).toEqual([`ACME-${n + 1}`, `ACME-${n + 2}`]);
    expect((await takeIssueNumber(t.store.db, companyId)).identifier).toBe(`ACME-${n + 3}`);
  });

  it("commentsWritten: a comment is written only with its run", async () => {
    const issue = await issuesRepo.insert(t.store.db, { companyId, title: "active" });
    const a = run({ status: "coalesced", linkedIssueId: issue.id });
    const notWritten = run({ idempotencyKey: "k1" });
    const heartbeatRunId = crypto.randomUUID(); // the run the agent said it acted for (X-Paperclip-Run-Id)
    await t.store.db.execute(
      sql`with ${runsWritten([a, notWritten])}, ${commentsWritten([
        { companyId, issueId: issue.id, runId: a.id, body: "one" },
        { companyId, issueId: issue.id, runId: notWritten.id, body: "two" },
      ])} select 1`,
    );
    expect((await issuesRepo.listComments(t.store.db, issue.id)).map((c) => c.body)).toEqual(["one"]);
  });

  it("activityWritten: each run written gets Paperclip's routine.run_triggered entry, with its actor, the run it acted for and its project; a run not written, none", async () => {
    const agentId = (await queryRows<{ id: string }>(t.store.db, sql`insert into agents (company_id, name) values (${companyId}, 'Ada') returning id`))[0]!.id;
    const projectId = (await queryRows<{ id: string }>(t.store.db, sql`insert into projects (company_id, name) values (${companyId}, 'Ops') returning id`))[0]!.id;
    const byAgent = run({ source: "api", status: "issue_created" });
    const bySchedule = run({ source: "schedule", status: "skipped", failureReason: "Routine is paused" });
    const notWritten = run({ idempotencyKey: "k1" });
    const heartbeatRunId = crypto.randomUUID(); // the run the agent said it acted for (X-Paperclip-Run-Id)
    await t.store.db.execute(
      sql`with ${runsWritten([byAgent, bySchedule, notWritten])}, ${activityWritten([
        { id: crypto.randomUUID(), routineRunId: byAgent.id, actorType: "agent", actorId: agentId, agentId, projectId, runId: heartbeatRunId },
        { id: crypto.randomUUID(), routineRunId: bySchedule.id, actorType: "system", actorId: "routined", agentId: null, projectId: null, runId: null },
        { id: crypto.randomUUID(), routineRunId: notWritten.id, actorType: "system", actorId: "routined", agentId: null, projectId: null, runId: null },
      ])} select 1`,
    );
    const entries = await queryRows<Record<string, unknown>>(
      t.store.db,
      sql`select company_id, actor_type, actor_id, agent_id, run_id, action, entity_type, entity_id, project_id, details
            from activity_log where entity_id in (${byAgent.id}, ${bySchedule.id}, ${notWritten.id}) order by actor_type`,
    );
    const entry = { company_id: companyId, run_id: null, action: "routine.run_triggered", entity_type: "routine_run" };
    expect(entries).toEqual([
      { ...entry, run_id: heartbeatRunId, actor_type: "agent", actor_id: agentId, agent_id: agentId, entity_id: byAgent.id, project_id: projectId,
        details: { routineId, triggerId: null, source: "api", status: "issue_created" } },
      { ...entry, actor_type: "system", actor_id: "routined", agent_id: null, entity_id: bySchedule.id, project_id: null,
        details: { routineId, triggerId: null, source: "schedule", status: "skipped" } },
    ]);
  });

  it("a skipped run names its linked issue when read, by the identifier the issue has", async () => {
    const issue = await issuesRepo.insert(t.store.db, { companyId, title: "active" });
    const skipped = run({ status: "skipped", linkedIssueId: issue.id });
    await t.store.db.execute(sql`with ${runsWritten([skipped])} select 1`);
    expect((await runsRepo.get(t.store.db, skipped.id))!.failureReason).toBe(`Skipped: execution issue ${issue.identifier} is still open`);
  });
});

import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "../../src/dispatch/dispatcher";
import { heartbeatRunsRepo } from "../../src/store/repos/heartbeat-runs";
import { LOCAL_AGENTS_ENV, type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { enqueueTestRun, recordings, routineRunOf, startAgentServer } from "../helpers/heartbeat";
import { testDispatcher } from "../helpers/dispatcher";

let t: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;
let dispatcher: Dispatcher | undefined;
let rec: ReturnType<typeof recordings>;

beforeAll(async () => {
  t = await createTestApp({ env: LOCAL_AGENTS_ENV });
  w = await seedWorld(t);
});
afterEach(() => dispatcher?.stop());
afterAll(() => t.close());

function startDispatcher(timeoutMs = 5_000, limits: { concurrency?: number; perAgent?: number } = {}) {
  rec = recordings();
  dispatcher = testDispatcher({
    ...limits,
    source: t.services.heartbeatDispatch,
    listen: t.db.store.listen,
    processPolicy: t.config.adapters.process,
    killGraceMs: 200,
    timeoutMs,
    leaseMarginMs: 1_000,
    backoff: { baseMs: 10, maxMs: 20 },
    onRecord: rec.onRecord,
  });
  return dispatcher.start();
}

async function createAgent(body: Record<string, unknown>) {
  const res = await t.request("POST", `/api/companies/${w.company.id}/agents`, { body });
  expect(res.status).toBe(201);
  return res.body;
}

const node = (script: string) => [process.execPath, "-e", script];
const READ_STDIN = `let input = ""; process.stdin.on("data", (c) => (input += c)); process.stdin.on("end", () => main(JSON.parse(input)));`;

describe("http agents", () => {
  it("retries a delivery the agent answered with 500 and succeeds on attempt 2, every delivery signed", async () => {
    const server = await startAgentServer((_req, i) => (i === 0 ? 500 : 200));
    const agent = await createAgent({ name: "Hook", adapterType: "http", adapterConfig: { url: server.url } });
    await startDispatcher();
    const { run, issueId } = await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: agent.id });

    const retry = await rec.waitFor(run.id, "scheduled_retry");
    expect(retry).toMatchObject({ attempt: 1, error: "The agent answered HTTP 500" });
    const done = await rec.waitFor(run.id, "succeeded");
    expect(done).toMatchObject({ attempt: 2, error: null, finishedAt: expect.any(Date) });
    expect(done.output).toContain("HTTP 200");

    expect(server.received).toHaveLength(2);
    const webhook = new Webhook(agent.deliverySecret);
    for (const [i, req] of server.received.entries()) {
      const body = webhook.verify(req.body, req.headers as Record<string, string>) as any;
      expect(req.headers["webhook-id"]).toBe(run.id);
      expect(body).toMatchObject({
        heartbeatRun: { id: run.id, attempt: i + 1, status: "running" },
        issue: { id: issueId, title: "Write the nightly report" },
        agent: { id: agent.id, name: "Hook" },
      });
    }
    await server.close();
  });

  it("a routine's delivery carries its env, decrypted for the agent only, and its rendered variables", async () => {
    const server = await startAgentServer(() => 200);
    const agent = await createAgent({ name: "Env", adapterType: "http", adapterConfig: { url: server.url } });
    const created = await t.request("POST", `/api/companies/${w.company.id}/routines`, {
      body: { title: "Report on {{topic}}", assigneeAgentId: agent.id, projectId: w.project.id, env: { API_TOKEN: "tok-env-123" } },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain("tok-env-123");
    await startDispatcher();
    const fired = await t.request("POST", `/api/routines/${created.body.id}/run`, { body: { variables: { topic: "churn" } } });
    expect(fired.status).toBe(202);
    const heartbeat = (await heartbeatRunsRepo.listByAgent(t.db.store.db, agent.id, { limit: 50, routineRunId: fired.body.id }))[0]!;
    await rec.waitFor(heartbeat.id, "succeeded");
    const body = new Webhook(agent.deliverySecret).verify(server.received[0]!.body, server.received[0]!.headers as Record<string, string>) as any;
    expect(body).toMatchObject({ env: { API_TOKEN: "tok-env-123" }, issue: { title: "Report on churn" }, routineRun: { id: fired.body.id } });
    await server.close();
  });

  it("does not deliver to a paused agent until it is resumed", async () => {
    const server = await startAgentServer(() => 200);
    const paused = await createAgent({ name: "Sleepy", adapterType: "http", adapterConfig: { url: server.url } });
    const awake = await createAgent({ name: "Awake", adapterType: "http", adapterConfig: { url: server.url } });
    expect((await t.request("POST", `/api/agents/${paused.id}/pause`)).body.status).toBe("paused");
    await startDispatcher();
    const waiting = await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: paused.id });
    const other = await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: awake.id });

    await rec.waitFor(other.run.id, "succeeded");
    expect((await heartbeatRunsRepo.get(t.db.store.db, waiting.run.id))!.status).toBe("queued");

    expect((await t.request("POST", `/api/agents/${paused.id}/resume`)).body.status).toBe("active");
    expect(await rec.waitFor(waiting.run.id, "succeeded")).toMatchObject({ attempt: 1 });
    expect(server.received).toHaveLength(2);
    await server.close();
  });
});

describe("concurrency", () => {
  it("delivers to other agents while a slow agent holds its per-agent share of the slots", async () => {
    const slowServer = await startAgentServer(() => "hang");
    const fastServer = await startAgentServer(() => 200);
    const slow = await createAgent({ name: "Slow", adapterType: "http", adapterConfig: { url: slowServer.url } });
    const fast = await createAgent({ name: "Fast", adapterType: "http", adapterConfig: { url: fastServer.url } });
    for (let i = 0; i < 6; i++) await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: slow.id });
    await startDispatcher(5_000, { concurrency: 4, perAgent: 2 });
    await slowServer.next();
    await slowServer.next();
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push((await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: fast.id })).run);
    for (const run of runs) await rec.waitFor(run.id, "succeeded");
    expect(slowServer.received).toHaveLength(2); // never more than its cap, though its runs are older
    expect(slowServer.maxConcurrent).toBe(2);
    expect(fastServer.maxConcurrent).toBeLessThanOrEqual(2);
    await dispatcher!.stop({ abandonAfterMs: 0 });
    dispatcher = undefined;
    await slowServer.close();
    await fastServer.close();
  });
});

describe("database work per delivery", () => {
  it("claims a queue of runs in one statement, and deliveries finishing once it is empty claim nothing more", async () => {
    // Runs left by earlier tests (abandoned ones come back when their leases lapse) would be claims too.
    await t.db.store.db.execute(sql`update heartbeat_runs set status = 'cancelled' where status in ('queued', 'scheduled_retry', 'running')`);
    const server = await startAgentServer(() => 200);
    const agents = [];
    for (let i = 0; i < 10; i++) agents.push(await createAgent({ name: `Hook ${i}`, adapterType: "http", adapterConfig: { url: server.url } }));
    const runs = [];
    for (let i = 0; i < 20; i++) runs.push((await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: agents[i % 10].id })).run);
    let claims = 0;
    const source = t.services.heartbeatDispatch;
    rec = recordings();
    dispatcher = testDispatcher({
      source: { ...source, claim: (o) => (claims++, source.claim(o)) },
      listen: t.db.store.listen,
      processPolicy: t.config.adapters.process,
      leaseMs: 60_000,
      onRecord: rec.onRecord,
    });
    await dispatcher.start();
    for (const run of runs) await rec.waitFor(run.id, "succeeded");
    await new Promise((r) => setTimeout(r, 300));
    // The claim that took all 20, one that found the queue empty, at most one more woken meanwhile;
    // not one per delivery or result.
    expect(claims).toBeLessThanOrEqual(3);
    await server.close();
  });
});

describe("process agents", () => {
  it("runs the command with the run on stdin and ROUTINED_* variables, and keeps its output", async () => {
    const agent = await createAgent({
      name: "Script",
      adapterType: "process",
      adapterConfig: {
        command: node(`${READ_STDIN}
          function main(delivery) {
            const e = process.env;
            console.log(JSON.stringify({ run: delivery.heartbeatRun.id, issue: delivery.issue.id, greeting: e.GREETING,
              ids: [e.ROUTINED_HEARTBEAT_RUN_ID, e.ROUTINED_ISSUE_ID, e.ROUTINED_AGENT_ID, e.ROUTINED_ROUTINE_RUN_ID],
              api: e.ROUTINED_API_URL,
              paperclip: [e.PAPERCLIP_RUN_ID, e.PAPERCLIP_TASK_ID, e.PAPERCLIP_AGENT_ID, e.PAPERCLIP_COMPANY_ID, e.PAPERCLIP_API_URL], leaked: e.ROUTINED_TEST_ENGINE ?? null }));
            console.error("working on it");
          }`),
        env: { GREETING: "hello" },
      },
    });
    await startDispatcher();
    const { run, issueId, routineRunId } = await enqueueTestRun(t.db.store.db, {
      companyId: w.company.id,
      agentId: agent.id,
      withRoutineRun: true,
    });

    const done = await rec.waitFor(run.id, "succeeded");
    expect(done.output).toContain("working on it");
    const printed = JSON.parse(done.output!.split("\n").find((l) => l.startsWith("{"))!);
    expect(printed).toEqual({
      run: run.id,
      issue: issueId,
      greeting: "hello",
      ids: [run.id, issueId, agent.id, routineRunId],
      api: "http://routined.test",
      paperclip: [run.id, issueId, agent.id, w.company.id, "http://routined.test"],
      leaked: null,
    });
    expect((await routineRunOf(t.db.store.db, routineRunId!))!.status).toBe("issue_created");
  });

  it("retries a failing command, then fails the heartbeat run and its routine run after maxAttempts", async () => {
    const agent = await createAgent({
      name: "Broken",
      adapterType: "process",
      adapterConfig: { command: node(`console.log("attempt failed"); process.exit(1)`) },
    });
    await startDispatcher();
    const { run, routineRunId } = await enqueueTestRun(t.db.store.db, {
      companyId: w.company.id,
      agentId: agent.id,
      maxAttempts: 2,
      withRoutineRun: true,
    });

    expect(await rec.waitFor(run.id, "scheduled_retry")).toMatchObject({ attempt: 1, error: "The command exited with code 1" });
    const failed = await rec.waitFor(run.id, "failed");
    expect(failed).toMatchObject({ attempt: 2, error: "The command exited with code 1", finishedAt: expect.any(Date) });
    expect(failed.output).toContain("attempt failed");
    expect(await routineRunOf(t.db.store.db, routineRunId!)).toMatchObject({
      status: "failed",
      failureReason: "Heartbeat run failed after 2 attempts: The command exited with code 1",
      completedAt: expect.any(Date),
    });
  });

  it("kills a command that outlives its timeout, even one that ignores SIGTERM", async () => {
    const agent = await createAgent({
      name: "Stuck",
      adapterType: "process",
      adapterConfig: {
        command: node(`process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("pid " + process.pid); setInterval(() => {}, 1000);`),
      },
    });
    await startDispatcher(500);
    const { run, routineRunId } = await enqueueTestRun(t.db.store.db, {
      companyId: w.company.id,
      agentId: agent.id,
      maxAttempts: 1,
      withRoutineRun: true,
    });

    const ended = await rec.waitFor(run.id, "timed_out");
    expect(ended.error).toBe("The command did not finish within 0.5 s and was killed");
    expect(ended.output).toContain("ignoring SIGTERM");
    const pid = Number(/pid (\d+)/.exec(ended.output!)![1]);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    expect((await routineRunOf(t.db.store.db, routineRunId!))!.failureReason).toContain("timed out after 1 attempt");
  });
});

/**
 * The real server (HTTP on a port, dispatcher on) wakes real agents for routine runs fired through
 * the API: an HTTP agent in this test receives a signed delivery it verifies; a process agent's
 * command calls back the API it is given; a poll agent long-polls, claims and completes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type RunningServer, startServer } from "../../src/server";
import { LOCAL_AGENTS_ENV, testConfig } from "../helpers/app";
import { type TestDatabase, createTestDatabase } from "../helpers/db";
import { ENGINE } from "../helpers/engine";
import { startAgentServer } from "../helpers/heartbeat";

let server: RunningServer;
let db: TestDatabase | undefined;
let dataDir: string | undefined;
let company: { id: string };
let projectId: string;

beforeAll(async () => {
  if (ENGINE === "postgres") db = await createTestDatabase();
  else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-e2e-"));
  server = await startServer(testConfig({ PORT: "0", ...LOCAL_AGENTS_ENV, ...(db ? { DATABASE_URL: db.url } : { ROUTINED_DATA_DIR: dataDir }) }));
  company = (await api("POST", "/api/companies", { name: "Acme" })).body;
  projectId = (await api("POST", `/api/companies/${company.id}/projects`, { name: "Ops" })).body.id;
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(server.url + url, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
}

/** A routine assigned to `agentId`, run manually; resolves with the routine run. */
async function runRoutineFor(agentId: string) {
  const routine = (await api("POST", `/api/companies/${company.id}/routines`, { title: "Nightly report", assigneeAgentId: agentId, projectId })).body;
  const run = await api("POST", `/api/routines/${routine.id}/run`, { source: "manual" });
  expect(run).toMatchObject({ status: 202, body: { status: "issue_created" } });
  return run.body;
}

const heartbeatRunsOf = async (agentId: string) => (await api("GET", `/api/agents/${agentId}/heartbeat-runs`)).body;

it("delivers a fired routine run to an HTTP agent, signed so that the agent can verify it", async () => {
  const agentServer = await startAgentServer(() => 204);
  const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Hook", adapterType: "http", adapterConfig: { url: agentServer.url } })).body;
  const routineRun = await runRoutineFor(agent.id);

  const delivery = await agentServer.next();
  const body = new Webhook(agent.deliverySecret).verify(delivery.body, delivery.headers as Record<string, string>) as any;
  expect(body).toMatchObject({
    routineRun: { id: routineRun.id, status: "issue_created" },
    issue: { id: routineRun.linkedIssueId, originKind: "routine_execution", title: "Nightly report" },
    agent: { id: agent.id, name: "Hook" },
  });
  await vi.waitFor(async () => expect((await heartbeatRunsOf(agent.id))[0].status).toBe("succeeded"), { timeout: 10_000 });
  await agentServer.close();
});

it("runs a process agent's command, which reaches the API through ROUTINED_API_URL", async () => {
  const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Script", adapterType: "process", adapterConfig: { command: [process.execPath, "-e", "0"] } })).body;
  const key = (await api("POST", `/api/agents/${agent.id}/keys`, {})).body.key;
  const script = `
    const { ROUTINED_API_URL: api, ROUTINED_HEARTBEAT_RUN_ID: id, AGENT_KEY: key } = process.env;
    fetch(api + "/api/heartbeat-runs/" + id, { headers: { authorization: "Bearer " + key } })
      .then((r) => r.json()).then((run) => console.log("seen by the API as " + run.status));`;
  await api("PATCH", `/api/agents/${agent.id}`, { adapterConfig: { command: [process.execPath, "-e", script], env: { AGENT_KEY: key } } });
  await runRoutineFor(agent.id);

  await vi.waitFor(async () => expect((await heartbeatRunsOf(agent.id))[0]?.status).toBe("succeeded"), { timeout: 10_000 });
  const [run] = await heartbeatRunsOf(agent.id);
  expect((await api("GET", `/api/heartbeat-runs/${run.id}`, undefined, key)).body.output).toContain("seen by the API as running");
});

it("lets a poll agent long-poll for the run a routine fires, claim it, complete it and close the issue, completing the routine run", async () => {
  const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Poller" })).body;
  const key = (await api("POST", `/api/agents/${agent.id}/keys`, {})).body.key;
  const claim = api("POST", "/api/agents/me/heartbeat-runs/claim", { waitSec: 20 }, key);
  const routineRun = await runRoutineFor(agent.id);

  const claimed = await claim;
  expect(claimed).toMatchObject({ status: 200, body: { routineRun: { id: routineRun.id }, issue: { id: routineRun.linkedIssueId } } });
  const done = await api("POST", `/api/heartbeat-runs/${claimed.body.heartbeatRun.id}/complete`, { status: "succeeded", summary: "Done" }, key);
  expect(done.body).toMatchObject({ status: "succeeded", summary: "Done", attempt: 1 });
  expect((await api("PATCH", `/api/issues/${routineRun.linkedIssueId}`, { status: "done" }, key)).status).toBe(200);
  const [latest] = (await api("GET", `/api/routines/${routineRun.routineId}/runs`)).body;
  expect(latest).toMatchObject({ id: routineRun.id, status: "completed", completedAt: expect.any(String) });
});

/**
 * The real server (HTTP on a port, dispatcher on) wakes real agents: an HTTP agent in this test
 * receives a signed delivery it verifies; a process agent's command calls back the API it is given.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type RunningServer, startServer } from "../../src/server";
import { testConfig } from "../helpers/app";
import { type TestDatabase, createTestDatabase } from "../helpers/db";
import { ENGINE } from "../helpers/engine";
import { enqueueTestRun, startAgentServer } from "../helpers/heartbeat";

let server: RunningServer;
let db: TestDatabase | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  if (ENGINE === "postgres") db = await createTestDatabase();
  else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-e2e-"));
  server = await startServer(
    testConfig({ PORT: "0", ...(db ? { DATABASE_URL: db.url } : { ROUTINED_DATA_DIR: dataDir }), ROUTINED_DISPATCH_TIMEOUT_SEC: "10" }),
  );
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

it("delivers a heartbeat run to an HTTP agent, signed so that the agent can verify it", async () => {
  const agentServer = await startAgentServer(() => 204);
  const company = (await api("POST", "/api/companies", { name: "Acme" })).body;
  const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Hook", adapterType: "http", adapterConfig: { url: agentServer.url } })).body;
  const { run } = await enqueueTestRun(server.store.db, { companyId: company.id, agentId: agent.id, withRoutineRun: true });

  const delivery = await agentServer.next();
  const body = new Webhook(agent.deliverySecret).verify(delivery.body, delivery.headers as Record<string, string>) as any;
  expect(body).toMatchObject({ heartbeatRun: { id: run.id }, agent: { id: agent.id, name: "Hook" }, routineRun: { status: "issue_created" } });
  await vi.waitFor(async () => expect((await api("GET", `/api/heartbeat-runs/${run.id}`)).body.status).toBe("succeeded"), { timeout: 10_000 });
  await agentServer.close();
});

it("runs a process agent's command, which reaches the API through ROUTINED_API_URL", async () => {
  const company = (await api("POST", "/api/companies", { name: "Globex" })).body;
  const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Script", adapterType: "process", adapterConfig: { command: ["true"] } })).body;
  const key = (await api("POST", `/api/agents/${agent.id}/keys`, {})).body.key;
  const script = `
    const { ROUTINED_API_URL: api, ROUTINED_HEARTBEAT_RUN_ID: id, AGENT_KEY: key } = process.env;
    fetch(api + "/api/heartbeat-runs/" + id, { headers: { authorization: "Bearer " + key } })
      .then((r) => r.json()).then((run) => console.log("seen by the API as " + run.status));`;
  await api("PATCH", `/api/agents/${agent.id}`, { adapterConfig: { command: [process.execPath, "-e", script], env: { AGENT_KEY: key } } });
  const { run } = await enqueueTestRun(server.store.db, { companyId: company.id, agentId: agent.id });

  await vi.waitFor(async () => expect((await api("GET", `/api/heartbeat-runs/${run.id}`)).body.status).toBe("succeeded"), { timeout: 10_000 });
  expect((await api("GET", `/api/heartbeat-runs/${run.id}`, undefined, key)).body.output).toContain("seen by the API as running");
});

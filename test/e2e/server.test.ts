/**
 * The real server on a real port: what `npm start` runs. On PGlite it uses a data directory (and
 * refuses a second process on it); on PostgreSQL it uses the test database's URL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config";
import { type RunningServer, startServer } from "../../src/server";
import { type TestDatabase, createTestDatabase } from "../helpers/db";
import { ENGINE } from "../helpers/engine";

let dir: string;
let pgDb: TestDatabase | undefined;

function configFor(env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: "0",
    ROUTINED_LOG_LEVEL: "silent",
    ROUTINED_SECRET_KEY: "e2e-secret-key",
    ROUTINED_DATA_DIR: path.join(dir, "data"),
    ROUTINED_SCHEDULER: "false",
    ...(pgDb?.url ? { DATABASE_URL: pgDb.url } : {}),
    ...env,
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-e2e-"));
  if (ENGINE === "postgres") {
    pgDb = await createTestDatabase();
    await pgDb.store.close().catch(() => {}); // the server opens its own pool
  }
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (pgDb) await pgDb.drop().catch(() => {});
});

async function json(server: RunningServer, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(server.url + url, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
}

describe("the server over HTTP", () => {
  // a fresh PGlite data directory takes a while to initialise on a busy machine
  it("serves the whole flow: company, agent, key, project, routine, trigger, run, history", { timeout: 120_000 }, async () => {
    const server = await startServer(configFor());
    try {
      expect((await json(server, "GET", "/api/health")).body).toEqual({ status: "ok" });
      const company = (await json(server, "POST", "/api/companies", { name: "Acme" })).body;
      const agent = (await json(server, "POST", `/api/companies/${company.id}/agents`, { name: "CEO" })).body;
      const key = (await json(server, "POST", `/api/agents/${agent.id}/keys`, {})).body.key;
      const project = (await json(server, "POST", `/api/companies/${company.id}/projects`, { name: "Ops" })).body;
      const routine = await json(server, "POST", `/api/companies/${company.id}/routines`, { title: "Briefing", assigneeAgentId: agent.id, projectId: project.id }, key);
      expect(routine.status).toBe(201);
      const trigger = await json(server, "POST", `/api/routines/${routine.body.id}/triggers`, { kind: "webhook", signingMode: "hmac_sha256" }, key);
      expect(trigger.body.secretMaterial.webhookUrl).toContain("/api/routine-triggers/public/");
      const fired = await json(server, "POST", `/api/routines/${routine.body.id}/run`, { payload: { hello: "world" } }, key);
      expect(fired).toMatchObject({ status: 202, body: { status: "issue_created", source: "manual" } });
      const history = await json(server, "GET", `/api/routines/${routine.body.id}/runs?limit=10`, undefined, key);
      expect(history.body).toHaveLength(1);
      const openapi = await json(server, "GET", "/api/openapi.json");
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(["/api/routines/{routineId}/run", "/api/companies/{companyId}/routines"]));
      // the public webhook endpoint documents when to retry (429, 503) and what a trigger says of refusals
      const publicFire = openapi.body.paths["/api/routine-triggers/public/{publicId}/fire"].post.responses;
      expect(Object.keys(publicFire)).toEqual(expect.arrayContaining(["202", "401", "429", "503"]));
      // the 503 body is the named RetryLater schema (components), which carries retryAfterSeconds
      expect(JSON.stringify(publicFire["503"])).toContain("#/components/schemas/RetryLater");
      expect(JSON.stringify(openapi.body.components.schemas.RetryLater)).toContain("retryAfterSeconds");
      expect(JSON.stringify(openapi.body)).toContain("lastRefusal");
      expect((await fetch(`${server.url}/api/docs/`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("refuses to start in authenticated mode without a board credential, and checks the token when given", { timeout: 120_000 }, async () => {
    await expect(startServer(configFor({ ROUTINED_DEPLOYMENT_MODE: "authenticated" }))).rejects.toThrow(/ROUTINED_BOARD_TOKEN/);
    const server = await startServer(configFor({ ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: "a-board-token-of-length" }));
    try {
      expect((await json(server, "GET", "/api/companies")).status).toBe(401);
      expect((await json(server, "GET", "/api/companies", undefined, "a-board-token-of-length")).status).toBe(200);
      expect((await json(server, "GET", "/api/health")).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

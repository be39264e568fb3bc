/**
 * What an operator sees of a full run of the real server: /healthz, /readyz, the /metrics a
 * Prometheus scrape reads after fires and deliveries, and the log lines — one per fire and per
 * delivery failed for good, none at info for probes, a request id on a request's lines, and no
 * secret or key anywhere in them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/logger";
import { type RunningServer, startServer } from "../../src/server";
import { testConfig } from "../helpers/app";
import { type TestDatabase, createTestDatabase } from "../helpers/db";
import { ENGINE } from "../helpers/engine";
import { startAgentServer } from "../helpers/heartbeat";
import { sample } from "../helpers/metrics";
import { paperclip } from "../helpers/webhooks";

let server: RunningServer;
let db: TestDatabase | undefined;
let dataDir: string | undefined;
const lines: string[] = [];
const logs = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  if (ENGINE === "postgres") db = await createTestDatabase();
  else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-ops-"));
  const logger = createLogger("trace", { write: (line: string) => void lines.push(line.trimEnd()) });
  server = await startServer(
    testConfig({ PORT: "0", ROUTINED_DISPATCH_MAX_ATTEMPTS: "1", ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: "true", ...(db ? { DATABASE_URL: db.url } : { ROUTINED_DATA_DIR: dataDir }) }),
    { logger },
  );
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + url, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

it("answers /healthz and /readyz without credentials, and names each readiness check", async () => {
  expect(await api("GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
  await until("readiness", async () => (await api("GET", "/readyz")).status === 200);
  const ready = await api("GET", "/readyz");
  expect(ready.body).toEqual({
    status: "ready",
    checks: { database: { ok: true }, migrations: { ok: true }, listener: { ok: true }, scheduler: { ok: true }, dispatcher: { ok: true } },
  });
});

it("counts fires, deliveries, refusals and requests in /metrics, logs each fire and each delivery failed for good, and never logs a secret", async () => {
  const ok = await startAgentServer(() => 204);
  const failing = await startAgentServer(() => 500);
  try {
    const company = (await api("POST", "/api/companies", { name: "Acme" })).body;
    const project = (await api("POST", `/api/companies/${company.id}/projects`, { name: "Ops" })).body;
    const agent = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Hook", adapterType: "http", adapterConfig: { url: ok.url } })).body;
    const broken = (await api("POST", `/api/companies/${company.id}/agents`, { name: "Down", adapterType: "http", adapterConfig: { url: failing.url } })).body;
    const key = (await api("POST", `/api/agents/${agent.id}/keys`, {})).body.key as string;
    const routine = (
      await api("POST", `/api/companies/${company.id}/routines`, { title: "Report", assigneeAgentId: agent.id, projectId: project.id, concurrencyPolicy: "always_enqueue" }, { authorization: `Bearer ${key}` })
    ).body;
    const failingRoutine = (await api("POST", `/api/companies/${company.id}/routines`, { title: "Doomed", assigneeAgentId: broken.id, projectId: project.id })).body;
    const hook = (await api("POST", `/api/routines/${routine.id}/triggers`, { kind: "webhook", signingMode: "hmac_sha256" })).body;
    const secret = hook.secretMaterial.webhookSecret as string;
    const fireUrl = new URL(hook.secretMaterial.webhookUrl as string).pathname;
    await api("POST", `/api/routines/${routine.id}/triggers`, { kind: "schedule", cronExpression: "* * * * * *", timezone: "UTC" });

    for (let i = 0; i < 3; i++) {
      const res = await api("POST", `/api/routines/${routine.id}/run`, { payload: { i } }, { "x-request-id": `ops-test-${i}` });
      expect(res.status).toBe(202);
      expect(res.headers.get("x-request-id")).toBe(`ops-test-${i}`);
    }
    await api("POST", `/api/routines/${failingRoutine.id}/run`, {});
    const body = JSON.stringify({ hello: "world" });
    const ts = Math.floor(Date.now() / 1000);
    const signed = paperclip(secret, body, ts);
    expect((await api("POST", fireUrl, body, { "content-type": "application/json", ...signed })).status).toBe(202);
    const forged = paperclip("not-the-secret", body, ts);
    expect((await api("POST", fireUrl, body, { "content-type": "application/json", ...forged })).status).toBe(401);

    let text = "";
    await until("a scheduled fire, a delivery and a delivery failed for good", async () => {
      text = (await api("GET", "/metrics")).body as string;
      return (
        sample(text, "routined_fires_total", { source: "schedule", outcome: "issue_created" }) >= 1 &&
        sample(text, "routined_deliveries_total", { adapter: "http", outcome: "succeeded" }) >= 1 &&
        sample(text, "routined_deliveries_total", { adapter: "http", outcome: "failed" }) >= 1
      );
    });
    expect(sample(text, "routined_fires_total", { source: "manual", outcome: "issue_created" })).toBe(4);
    expect(sample(text, "routined_fires_total", { source: "webhook", outcome: "issue_created" })).toBe(1);
    expect(sample(text, "routined_fire_lag_seconds_count", { source: "manual" })).toBe(4);
    expect(sample(text, "routined_fire_lag_seconds_count", { source: "schedule" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "routined_fire_lag_seconds_bucket", { source: "schedule", le: "+Inf" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "routined_agent_wake_lag_seconds_count", { adapter: "http" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "routined_webhook_refusals_total", { reason: "signature_mismatch" })).toBe(1);
    expect(sample(text, "routined_http_request_duration_seconds_count", { method: "POST", route: "/api/routines/:routineId/run", status_code: "202" })).toBe(4);
    expect(sample(text, "routined_scheduler_cycles_total")).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^routined_scheduler_due_unclaimed \d+$/m);
    expect(text).toMatch(/^routined_scheduler_lag_seconds [\d.e-]+$/m);
    expect(text).toMatch(/^routined_delivery_queue_depth\{status="queued"\} \d+$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    if (ENGINE === "postgres") expect(text).toMatch(/^routined_db_pool_connections\{state="in_use"\} \d+$/m);
    // Bounded cardinality: no id is ever a label value.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toContain(hook.publicId ?? fireUrl.split("/")[4]);

    // The logs: one info line per fire, with what an operator needs.
    const fires = logs().filter((l) => l.msg === "fire");
    expect(fires.filter((l) => l.source === "manual")).toHaveLength(4);
    expect(fires.find((l) => l.source === "schedule")).toMatchObject({ level: 30, routineId: routine.id, outcome: "issue_created", triggerId: expect.any(String), lagMs: expect.any(Number) });
    expect(logs().find((l) => l.msg === "delivery failed for good")).toMatchObject({ level: 30, adapter: "http", status: "failed", agentId: broken.id });
    // A request's lines carry its id.
    const ofRequest = logs().filter((l) => l.requestId === "ops-test-0");
    expect(ofRequest.map((l) => l.msg)).toContain("request completed");

    // Probes and scrapes are not logged at info.
    await api("GET", "/healthz");
    await api("GET", "/readyz");
    const probes = logs().filter((l) => ["/healthz", "/readyz", "/metrics"].includes(l.route));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((l) => l.level < 30)).toBe(true);

    // No secret, key or signature in any line of the whole run (logged at trace, the most verbose).
    const all = lines.join("\n");
    const delivered = await ok.next();
    const secrets = [key, secret, agent.deliverySecret, broken.deliverySecret, signed["x-paperclip-signature"], forged["x-paperclip-signature"], delivered.headers["webhook-signature"]];
    for (const s of secrets) {
      expect(typeof s).toBe("string");
      expect(all).not.toContain(s as string);
    }
  } finally {
    await ok.close();
    await failing.close();
  }
});

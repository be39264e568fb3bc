/**
 * The dispatcher while its PostgreSQL database refuses connections (`ALTER DATABASE … ALLOW_CONNECTIONS
 * false`, SQLSTATE 55000): one warning for the outage, naming its cause and never query text, no
 * error-level line per failed cycle, one line when the database is back, and deliveries resume without a
 * restart. PostgreSQL only (PGlite cannot refuse connections).
 */
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AGENTS_ENV, type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { PG_ADMIN_URL } from "../helpers/engine";
import { enqueueTestRun, recordings, startAgentServer } from "../helpers/heartbeat";
import { testDispatcher } from "../helpers/dispatcher";

const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
let t: TestApp;
beforeAll(async () => {
  await admin.connect();
  t = await createTestApp({ env: LOCAL_AGENTS_ENV });
});
afterAll(async () => {
  await admin.query(`alter database ${databaseOf(t)} allow_connections true`).catch(() => {});
  await t.close();
  await admin.end();
});

const databaseOf = (app: TestApp) => new URL(app.db.url!).pathname.slice(1);

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the dispatcher during a database outage", () => {
  it("logs one warning without query text, one line when the database is back, and delivers again", async () => {
    const w = await seedWorld(t);
    const server = await startAgentServer(() => 204);
    const res = await t.request("POST", `/api/companies/${w.company.id}/agents`, {
      body: { name: "Hook", adapterType: "http", adapterConfig: { url: server.url } },
    });
    expect(res.status).toBe(201);
    const logged: { level: number; msg: string; [k: string]: unknown }[] = [];
    const raw: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => (raw.push(line), logged.push(JSON.parse(line))) });
    const rec = recordings();
    const dispatcher = testDispatcher({
      source: t.services.heartbeatDispatch,
      listen: t.db.store.listen,
      processPolicy: t.config.adapters.process,
      onRecord: rec.onRecord,
      logger,
    });
    await dispatcher.start();
    try {
      const name = databaseOf(t);
      await admin.query(`alter database ${name} allow_connections false`);
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
      // Several cycles fail (each wake cuts the back-off sleep short).
      for (let i = 0; i < 4; i++) {
        dispatcher.wake();
        await new Promise((r) => setTimeout(r, 300));
      }
      const warnings = logged.filter((l) => /database unavailable/.test(l.msg));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, component: "dispatcher", cause: expect.stringMatching(/^(55000|57P01|connection lost)$/) });
      expect(logged.filter((l) => l.level >= 50)).toEqual([]);
      expect(raw.join("\n")).not.toMatch(/select|update|heartbeat_runs/i);

      await admin.query(`alter database ${name} allow_connections true`);
      dispatcher.wake();
      await until("the recovery line", () => logged.some((l) => l.msg === "database available again"), 10_000);
      expect(logged.filter((l) => l.msg === "database available again")).toEqual([
        expect.objectContaining({ level: 30, component: "dispatcher", failures: expect.any(Number) }),
      ]);

      const { run } = await enqueueTestRun(t.db.store.db, { companyId: w.company.id, agentId: res.body.id });
      dispatcher.wake();
      expect(await rec.waitFor(run.id, "succeeded")).toMatchObject({ attempt: 1 });
    } finally {
      await dispatcher.stop();
      await server.close();
    }
  });
});

/**
 * /readyz on PostgreSQL, in a database of its own: 503 naming the database while it refuses
 * connections, 200 again once it is back — without restarting the server.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server";
import { testConfig } from "../helpers/app";
import { PG_ADMIN_URL } from "../helpers/engine";
import { pgAdmin } from "../helpers/pg-admin";

const name = `routined_test_ready_${crypto.randomBytes(5).toString("hex")}`;
let server: RunningServer;

beforeAll(async () => {
  await pgAdmin(`create database ${name}`);
  server = await startServer(testConfig({ PORT: "0", DATABASE_URL: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), ROUTINED_DB_POOL_SIZE: "3" }));
});
afterAll(async () => {
  await pgAdmin(`alter database ${name} allow_connections true`).catch(() => {});
  await server?.stop().catch(() => {});
  await pgAdmin(`drop database if exists ${name} with (force)`);
});

const readyz = async () => {
  const res = await fetch(`${server.url}/readyz`);
  return { status: res.status, body: (await res.json()) as any };
};

async function until(what: string, check: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it("answers 503 naming the database while it is unreachable, and 200 again once it is back", { timeout: 90_000 }, async () => {
  await until("ready", async () => (await readyz()).status === 200);

  // The database goes away: no new connections, every open one cut.
  await pgAdmin(`alter database ${name} allow_connections false`);
  await pgAdmin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
  await until("not ready", async () => (await readyz()).status === 503);
  const down = await readyz();
  expect(down.body.status).toBe("not_ready");
  expect(down.body.checks.database).toMatchObject({ ok: false, detail: expect.stringContaining("database unreachable") });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // alive, just not ready

  await pgAdmin(`alter database ${name} allow_connections true`);
  await until("ready again", async () => (await readyz()).status === 200);
  expect((await readyz()).body.checks).toMatchObject({ database: { ok: true }, migrations: { ok: true } });
});

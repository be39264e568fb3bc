/**
 * A PostgreSQL database that refuses connections (`ALTER DATABASE … ALLOW_CONNECTIONS false`, SQLSTATE 55000)
 * or no longer exists (3D000) makes the API answer 503 with Retry-After, logged once per outage as a warning
 * without query text, and one line when it is back; the server recovers without a restart. Each case runs on
 * a database of its own. PostgreSQL only.
 */
import { sql } from "drizzle-orm";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transientDatabaseError } from "../../src/domain/database-errors";
import { type TestApp, createTestApp } from "../helpers/app";
import { PG_ADMIN_URL } from "../helpers/engine";

const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
beforeAll(() => admin.connect());
afterAll(() => admin.end());

function appWithLog() {
  const logged: { level: number; msg: string; [k: string]: unknown }[] = [];
  const raw: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => (raw.push(line), logged.push(JSON.parse(line))) });
  return { logged, raw, make: () => createTestApp({ logger }) };
}

const databaseOf = (t: TestApp) => new URL(t.db.url!).pathname.slice(1);
/** Cuts every connection of the database (what a restart or a failover does to a pool). */
const cutConnections = (name: string) =>
  admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a database that refuses connections (ALLOW_CONNECTIONS false)", () => {
  const log = appWithLog();
  let t: TestApp;
  beforeAll(async () => {
    t = await log.make();
  });
  afterAll(async () => {
    await admin.query(`alter database ${databaseOf(t)} allow_connections true`).catch(() => {});
    await t.close();
  });

  it("is 503 with Retry-After, logged once without the query, and recovers without a restart", async () => {
    const name = databaseOf(t);
    expect((await t.request("POST", "/api/companies", { body: { name: "Before" } })).status).toBe(201);
    await admin.query(`alter database ${name} allow_connections false`);
    await cutConnections(name);
    await new Promise((r) => setTimeout(r, 300)); // the pool hears of its idle connections' end
    for (const [method, url, body] of [
      ["GET", "/api/companies", undefined],
      ["POST", "/api/companies", { name: "During" }],
      ["GET", "/api/companies", undefined],
    ] as const) {
      const res = await t.request(method, url, { body });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.body).toEqual({ error: "The database is unavailable: retry shortly", retryAfterSeconds: 5 });
    }
    const warnings = log.logged.filter((l) => /database unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, cause: "55000" });
    expect(log.logged.filter((l) => l.level >= 50)).toEqual([]);
    expect(log.raw.join("\n")).not.toMatch(/select|insert|During/i);

    await admin.query(`alter database ${name} allow_connections true`);
    await until("the recovery line", () => log.logged.some((l) => l.msg === "database available again"), 5_000);
    expect(log.logged.find((l) => l.msg === "database available again")).toMatchObject({ level: 30, failures: 3 });
    expect((await t.request("POST", "/api/companies", { body: { name: "After" } })).status).toBe(201);
    const names = ((await t.request("GET", "/api/companies")).body as { name: string }[]).map((c) => c.name);
    expect(names.sort()).toEqual(["After", "Before"]);
  });
});

describe("a database that does not exist (3D000)", () => {
  const log = appWithLog();
  let t: TestApp;
  beforeAll(async () => {
    t = await log.make();
  });
  afterAll(() => t.close());

  it("is 503 with Retry-After, logged once", async () => {
    await admin.query(`drop database ${databaseOf(t)} with (force)`);
    for (let i = 0; i < 3; i++) {
      const res = await t.request("GET", "/api/companies");
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
    }
    const warnings = log.logged.filter((l) => /database unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, cause: "3D000" });
    expect(log.logged.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe("a connection cut in the middle of a transaction", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("fails that transaction as 'database unavailable' and the process carries on", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      const outcome = await t.db.store.db
        .transaction(async (tx) => {
          const { rows } = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] };
          const pid = rows[0]!.pid;
          // between two statements, the connection is cut (a failover, an operator, a restart)
          await admin.query(`select pg_terminate_backend($1)`, [pid]);
          await new Promise((r) => setTimeout(r, 300));
          await tx.execute(sql`select 1`);
        })
        .then(
          () => "committed",
          (err: unknown) => transientDatabaseError(err)?.kind ?? `other: ${String(err)}`,
        );
      expect(outcome).toBe("unavailable");
      await new Promise((r) => setTimeout(r, 300));
      expect(uncaught).toEqual([]);
      expect((await t.request("GET", "/api/companies")).status).toBe(200);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});

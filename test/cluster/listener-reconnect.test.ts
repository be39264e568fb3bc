/**
 * The LISTEN connection comes back after PostgreSQL drops it (pg_terminate_backend, a restart), and on its
 * return every loop looks for work at once, since a NOTIFY sent while it was down is lost. PostgreSQL only:
 * PGlite's LISTEN is in-process and has no connection to lose.
 */
import { once } from "node:events";
import pg from "pg";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { CHANNELS } from "../../src/domain/channels";
import { createScheduler } from "../../src/scheduler/scheduler";
import { dbNow, notify } from "../../src/store/db";
import { PG_ADMIN_URL } from "../helpers/engine";
import { seededApp } from "../helpers/app";

const s = seededApp();
const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
let adminConnected: Promise<unknown> | undefined;
afterAll(() => admin.end());

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  adminConnected ??= admin.connect();
  await adminConnected;
  return (await admin.query(text, params)).rows as T[];
}
const database = () => new URL(s.t.db.url!).pathname.slice(1);

/** The backend of this database's LISTEN connection (its last statement was a LISTEN). */
async function listenerPids(): Promise<number[]> {
  const rows = await sql<{ pid: number }>(
    `select pid from pg_stat_activity where datname = $1 and query ilike 'listen %' and pid <> pg_backend_pid()`,
    [database()],
  );
  return rows.map((r) => r.pid);
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

/** Cuts the LISTEN connection and refuses new connections to the database while `meanwhile` runs. */
async function withListenerCutOff(meanwhile: () => Promise<void>): Promise<void> {
  const [pid] = await listenerPids();
  expect(pid).toBeDefined();
  // the app's pool keeps connections open (idle ones close after 10 s): `meanwhile` runs on them
  await Promise.all(Array.from({ length: 4 }, () => dbNow(s.t.db.store.db)));
  await sql(`alter database ${database()} allow_connections false`);
  try {
    await sql(`select pg_terminate_backend($1)`, [pid]);
    await until("the listener's backend is gone", async () => !(await listenerPids()).includes(pid!), 5_000);
    await meanwhile();
  } finally {
    await sql(`alter database ${database()} allow_connections true`);
  }
}

function startScheduler() {
  return createScheduler({
    scheduling: s.t.services.scheduling,
    log: pino({ level: "silent" }),
  });
}

async function routine(title: string) {
  const res = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: { title, assigneeAgentId: s.w.agent.id, projectId: s.w.project.id, concurrencyPolicy: "always_enqueue" },
  });
  return res.body.id as string;
}

describe("a terminated LISTEN connection", () => {
  it("is re-established, and a NOTIFY after it wakes the scheduler within a second", async () => {
    const scheduler = startScheduler();
    const firstSleep = once(scheduler, "sleep");
    await scheduler.start();
    try {
      expect((await firstSleep)[0]).toBe(60_000); // nothing scheduled: it sleeps the full cap
      const [pid] = await listenerPids();
      await sql(`select pg_terminate_backend($1)`, [pid]);
      await until("a new LISTEN connection", async () => (await listenerPids()).some((p) => p !== pid), 5_000);
      expect(s.t.db.store.listenerUp()).toBe(true);

      const woken = once(scheduler, "sleep");
      const sent = Date.now();
      await notify(s.t.db.store.db, CHANNELS.triggers);
      await Promise.race([woken, new Promise((_, reject) => setTimeout(() => reject(new Error("scheduler not woken within 1 s")), 1_000))]);
      expect(Date.now() - sent).toBeLessThan(1_000);
    } finally {
      await scheduler.stop();
    }
  });

  it("wakes the scheduler when it is back: a trigger added while it was down fires at once", async () => {
    const scheduler = startScheduler();
    const firstSleep = once(scheduler, "sleep");
    await scheduler.start();
    try {
      await firstSleep;
      const routineId = await routine("added while the listener was down");
      await withListenerCutOff(async () => {
        // the NOTIFY of this new trigger reaches nobody
        const created = await s.t.request("POST", `/api/routines/${routineId}/triggers`, { body: { kind: "schedule", cronExpression: "* * * * * *" } });
        expect(created.status).toBe(201);
        await until("the store notices the lost listener", () => !s.t.db.store.listenerUp(), 2_000);
        const ready = await s.t.request("GET", "/readyz");
        expect(ready.status).toBe(503);
        expect(ready.body.checks.listener.ok).toBe(false);
      });
      const restoredAt = Date.now();
      await until("the listener is back", () => s.t.db.store.listenerUp(), 2_000);
      const runs = async () => (await s.t.request("GET", `/api/routines/${routineId}/runs`)).body as unknown[];
      const waited = await until("the new trigger fires", async () => (await runs()).length > 0, 5_000);
      expect((await s.t.request("GET", "/readyz")).body.checks.listener).toEqual({ ok: true });
      expect(Date.now() - restoredAt).toBeLessThan(3_000);
      expect(waited).toBeLessThan(3_000);
    } finally {
      await scheduler.stop();
    }
  });

  it("wakes a waiting long-poll claim when it is back: a heartbeat run queued meanwhile is claimed at once", async () => {
    // runs the earlier tests' every-second trigger queued for this agent would answer the claim at once: take them
    while ((await s.t.request("POST", "/api/agents/me/heartbeat-runs/claim", { token: s.w.agent.key, body: { waitSec: 0 } })).status === 200);
    const routineId = await routine("queued while the listener was down");
    const claim = s.t.request("POST", "/api/agents/me/heartbeat-runs/claim", { token: s.w.agent.key, body: { waitSec: 25 } });
    await until("the claim waits", () => s.t.services.heartbeatRuns.waitingClaims(s.w.agent.id) > 0, 5_000);
    await withListenerCutOff(async () => {
      const fired = await s.t.request("POST", `/api/routines/${routineId}/run`, { body: {} });
      expect(fired.status).toBeLessThan(300);
    });
    const restoredAt = Date.now();
    const answer = await Promise.race([claim, new Promise<"late">((r) => setTimeout(() => r("late"), 5_000))]);
    expect(answer).not.toBe("late");
    expect((answer as { status: number }).status).toBe(200);
    expect(Date.now() - restoredAt).toBeLessThan(3_000);
  });
});

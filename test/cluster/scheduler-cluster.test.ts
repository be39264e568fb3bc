/**
 * Several scheduler processes on one PostgreSQL (each with its own connection pool) split the
 * due triggers with SKIP LOCKED; the unique (trigger_id, scheduled_for) index makes a double fire
 * impossible. Every (trigger, second) must be fired exactly once, none missing.
 * (The full-size run — 3 processes, 500 triggers every second for 60 s — is `bench/scheduler-cluster.ts`.)
 */
import { once } from "node:events";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFiring } from "../../src/firing/batch";
import { createSchedulingService } from "../../src/services/scheduling";
import { createScheduler } from "../../src/scheduler/scheduler";
import { type Store, dbNow, queryRows } from "../../src/store/db";
import { type TestApp, createTestApp, seedWorld } from "../helpers/app";

const TRIGGERS = 40;
const PROCESSES = 3;
const SECONDS = 6;
let t: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;
const stores: Store[] = [];

beforeAll(async () => {
  t = await createTestApp();
  w = await seedWorld(t);
  for (let i = 0; i < PROCESSES; i++) stores.push(await t.db.openAnother());
});
afterAll(() => t.close());

describe(`${PROCESSES} scheduler processes on one PostgreSQL`, () => {
  it(`fire each of ${TRIGGERS} every-second triggers exactly once per second`, async () => {
    for (let i = 0; i < TRIGGERS; i++) {
      const routine = await t.request("POST", `/api/companies/${w.company.id}/routines`, {
        body: { title: `r${i}`, assigneeAgentId: w.agent.id, projectId: w.project.id, concurrencyPolicy: "skip_if_active" },
      });
      await t.request("POST", `/api/routines/${routine.body.id}/triggers`, { body: { kind: "schedule", cronExpression: "* * * * * *" } });
    }
    const schedulers = stores.map((store) => {
      const firing = createFiring(t.config);
      const scheduling = createSchedulingService({ db: store.db, config: t.config, firing, listen: store.listen });
      return createScheduler({ scheduling, log: pino({ level: "silent" }) });
    });
    const start = await dbNow(t.db.store.db);
    await Promise.all(schedulers.map((s) => s.start()));
    // run until every trigger fired for SECONDS seconds (bounded by database time on a busy machine)
    const fewestRuns = async () =>
      Number((await queryRows<{ n: string }>(t.db.store.db, sql`select coalesce(min(c), 0) as n from (select count(*) as c from routine_runs group by trigger_id) x`))[0]!.n);
    const elapsed = async () => (await dbNow(t.db.store.db)).getTime() - start.getTime();
    while ((await elapsed()) < 90_000 && (await fewestRuns()) < SECONDS) await once(schedulers[0]!, "sleep");
    await Promise.all(schedulers.map((s) => s.stop()));

    const perTrigger = await queryRows<{ trigger_id: string; runs: string; slots: string; span: string; first: Date }>(
      t.db.store.db,
      sql`select trigger_id, count(*) as runs, count(distinct scheduled_for) as slots,
                 extract(epoch from max(scheduled_for) - min(scheduled_for)) + 1 as span, min(scheduled_for) as first
            from routine_runs where source = 'schedule' group by trigger_id`,
    );
    expect(perTrigger).toHaveLength(TRIGGERS);
    for (const r of perTrigger) {
      expect(Number(r.runs)).toBe(Number(r.slots)); // never twice
      expect(Number(r.runs)).toBe(Number(r.span)); // none missing between first and last
      expect(Number(r.runs)).toBeGreaterThanOrEqual(SECONDS);
    }
    const [dropped] = await queryRows<{ n: string }>(t.db.store.db, sql`select count(*) as n from routine_runs where failure_reason like 'Dropped%'`);
    expect(Number(dropped!.n)).toBe(0);
  }, 180_000);
});

/**
 * Idle cost: 100,000 enabled schedule triggers, none of them due (next runs spread over the next
 * month), one scheduler process running for 60 s (its longest sleep) after it settled. Reports its
 * CPU time as % of one core and its queries per minute (every pg client query counted), plus what
 * one look at the triggers costs (the claim and the earliest-due query, timed from the client).
 * Goal: < 1% CPU.
 */
import { sql } from "drizzle-orm";
import { dueTriggersRepo } from "../src/store/repos/due-triggers";
import { type Executor, dbNow } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { startSchedulers } from "./lib/schedulers";
import { insertScheduleRoutines, seedCompany } from "./lib/seed";
import { report, sleep } from "./lib/stats";

const TRIGGERS = 100_000;
const MEASURE_SEC = Number(process.argv[2] ?? 60); // the loop sleeps at most 60 s: one full cycle

/** Round-trip time (ms) of a repository call, median of 5, each in its own transaction. */
async function roundTripMs(db: Executor, run: (db: Executor) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await db.transaction(async (tx) => {
      const start = performance.now();
      await run(tx);
      times.push(performance.now() - start);
    });
  }
  return Math.round(times.sort((a, b) => a - b)[2]! * 100) / 100;
}

await withBenchDatabase(async ({ url, store }) => {
  const db = store.db;
  const world = await seedCompany(db);
  const farAhead = new Date((await dbNow(db)).getTime() + 86_400_000);
  await insertScheduleRoutines(db, world, { count: TRIGGERS, policy: "coalesce_if_active", cron: "0 9 * * *", nextRunAt: farAhead });
  // Spread them over the following days, as real schedules would be.
  await db.execute(sql`update routine_triggers set next_run_at = next_run_at + (random() * interval '30 days')`);
  await db.execute(sql`vacuum analyze`);

  const [scheduler] = await startSchedulers(url, 1);
  await sleep(2000); // start-up: the first tick and the first look at the earliest due time
  await scheduler!.mark();
  await sleep(MEASURE_SEC * 1000);
  const stats = await scheduler!.stop();

  const now = await dbNow(db);
  const cpuPct = Math.round((stats.cpuMs / stats.elapsedMs) * 10000) / 100;
  report({
    name: "scheduler-idle",
    triggers: TRIGGERS,
    seconds: Math.round(stats.elapsedMs / 1000),
    cpuPctOfOneCore: cpuPct,
    cpuMs: stats.cpuMs,
    queriesPerMinute: Math.round((stats.queries / stats.elapsedMs) * 60_000 * 10) / 10,
    claimRoundTripMs: await roundTripMs(db, (tx) => dueTriggersRepo.claim(tx, now, 100)),
    earliestDueRoundTripMs: await roundTripMs(db, (tx) => dueTriggersRepo.earliestDue(tx)),
    goalCpuPct: 1,
    met: cpuPct < 1,
  });
});

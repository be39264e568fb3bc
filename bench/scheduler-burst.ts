/**
 * A burst: 10,000 schedule triggers due in the same second, fired by 1 and by 3 scheduler processes
 * (separate OS processes, each its own pool). Measured from the due second until the last run is
 * committed (the last firing transaction's commit, noted by the process that ran it).
 * Policies: `skip_if_active` and `coalesce_if_active` with an open execution issue per routine (as
 * after a first fire), and `always_enqueue`, which creates an issue + heartbeat run per fire.
 * Goal: all committed ≤ 3 s. Each case stops after CASE_LIMIT_SEC and reports what it reached.
 * Run one case: `npx tsx bench/scheduler-burst.ts skip_if_active 3 [triggers]`.
 */
import { sql } from "drizzle-orm";
import type { ConcurrencyPolicy } from "../src/domain/enums";
import { queryRows } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { startSchedulers } from "./lib/schedulers";
import { count, insertScheduleRoutines, openExecutionIssues, seedCompany, setDue, wholeSecondAhead } from "./lib/seed";
import { report, sleep } from "./lib/stats";

const CASE_LIMIT_SEC = 90;
const [argPolicy, argProcesses, argTriggers] = process.argv.slice(2);
const TRIGGERS = Number(argTriggers ?? 10_000);
const policies: ConcurrencyPolicy[] = argPolicy ? [argPolicy as ConcurrencyPolicy] : ["skip_if_active", "coalesce_if_active", "always_enqueue"];
const processCounts = argProcesses ? [Number(argProcesses)] : [1, 3];

async function burst(policy: ConcurrencyPolicy, processes: number): Promise<void> {
  await withBenchDatabase(async ({ url, store }) => {
    const db = store.db;
    const world = await seedCompany(db);
    await insertScheduleRoutines(db, world, { count: TRIGGERS, policy, cron: "0 0 1 1 *" });
    if (policy !== "always_enqueue") await openExecutionIssues(db, world);
    await db.execute(sql`vacuum analyze`);
    const schedulers = await startSchedulers(url, processes);
    await Promise.all(schedulers.map((s) => s.mark())); // count from here: nothing is due yet
    const due = await wholeSecondAhead(db, 2);
    await setDue(db, due);
    const deadline = due.getTime() + CASE_LIMIT_SEC * 1000;
    const committed = () => count(db, sql`select count(*) as n from routine_runs where source = 'schedule'`);
    while (Date.now() < deadline && (await committed()) < TRIGGERS) await sleep(200);
    const stats = await Promise.all(schedulers.map((s) => s.stop()));

    const runs = await committed();
    const slots = await count(db, sql`select count(distinct trigger_id) as n from routine_runs where source = 'schedule' and scheduled_for = ${due.toISOString()}::timestamptz`);
    const statuses = await queryRows<{ status: string; n: string }>(
      db,
      sql`select case when failure_reason like 'Dropped%' then 'dropped' else status end as status, count(*) as n
            from routine_runs where source = 'schedule' group by 1 order by 1`,
    );
    const lastCommit = Math.max(...stats.map((s) => s.lastCommitAt ?? 0));
    const firstClaim = Math.min(...stats.map((s) => s.firstClaimAt ?? Infinity));
    const fired = stats.reduce((a, s) => a + s.fired, 0);
    const allCommittedMs = runs === TRIGGERS ? lastCommit - due.getTime() : null;
    report({
      name: "scheduler-burst",
      policy,
      processes,
      triggers: TRIGGERS,
      runsCommitted: runs,
      exactlyOncePerTrigger: runs === slots && slots === TRIGGERS,
      allCommittedMs,
      firstClaimAfterDueMs: Number.isFinite(firstClaim) ? firstClaim - due.getTime() : null,
      firesPerSec: Math.round(runs / ((lastCommit - due.getTime()) / 1000)),
      goalMs: 3000,
      met: allCommittedMs !== null && allCommittedMs <= 3000,
      queriesPerFire: Math.round((stats.reduce((a, s) => a + s.queries, 0) / Math.max(1, fired)) * 10) / 10,
      schedulerCpuMsPerFire: Math.round((stats.reduce((a, s) => a + s.cpuMs, 0) / Math.max(1, fired)) * 100) / 100,
      runStatuses: Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)])),
      firedPerProcess: stats.map((s) => s.fired),
      errors: stats.reduce((a, s) => a + s.errors, 0),
    });
  });
}

for (const policy of policies) for (const processes of processCounts) await burst(policy, processes);

/**
 * The full-size cluster check of the scheduler issue: 3 scheduler processes (separate OS processes,
 * each its own pool) on one PostgreSQL, 500 triggers due every second (`* * * * * *`) for 60 s.
 * Then, in SQL: every (trigger, second) of the window fired exactly once, none missing; how late the
 * firing transactions began; how the work was split. After the window the processes get DRAIN_SEC
 * to finish what is already due, so a slow cluster shows up as lag (or dropped occurrences), not as
 * a cut-off. Run smaller: `npx tsx bench/scheduler-cluster.ts [seconds] [triggers] [processes]`.
 */
import { sql } from "drizzle-orm";
import { queryRows } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { startSchedulers } from "./lib/schedulers";
import { count, insertScheduleRoutines, seedCompany, setDue, wholeSecondAhead } from "./lib/seed";
import { report, sleep } from "./lib/stats";

const [argSec, argTriggers, argProcesses] = process.argv.slice(2);
const SECONDS = Number(argSec ?? 60);
const TRIGGERS = Number(argTriggers ?? 500);
const PROCESSES = Number(argProcesses ?? 3);
const DRAIN_SEC = 30;

await withBenchDatabase(async ({ url, store }) => {
  const db = store.db;
  const world = await seedCompany(db);
  // skip_if_active: the first fire of each routine creates its execution issue, the rest are skipped.
  await insertScheduleRoutines(db, world, { count: TRIGGERS, policy: "skip_if_active", cron: "* * * * * *" });
  const schedulers = await startSchedulers(url, PROCESSES);
  const first = await wholeSecondAhead(db, 1);
  const last = new Date(first.getTime() + (SECONDS - 1) * 1000);
  await Promise.all(schedulers.map((s) => s.mark())); // count from here: nothing is due yet
  await setDue(db, first);

  // Run through the window, then until every slot of the window is done (or the drain time is up).
  await sleep(last.getTime() + 1000 - Date.now());
  const window = sql`scheduled_for between ${first.toISOString()}::timestamptz and ${last.toISOString()}::timestamptz`;
  const pending = () => count(db, sql`select count(*) as n from routine_triggers where next_run_at <= ${last.toISOString()}::timestamptz`);
  const drainUntil = Date.now() + DRAIN_SEC * 1000;
  while (Date.now() < drainUntil && (await pending()) > 0) await sleep(250);
  const stats = await Promise.all(schedulers.map((s) => s.stop()));

  const expected = TRIGGERS * SECONDS;
  const fired = await count(db, sql`select count(*) as n from routine_runs where ${window} and coalesce(failure_reason, '') not like 'Dropped%'`);
  const duplicates = await count(
    db,
    sql`select count(*) as n from (select 1 from routine_runs where ${window} group by trigger_id, scheduled_for having count(*) > 1) d`,
  );
  const missing = await queryRows<{ trigger_id: string; at: string }>(
    db,
    sql`select t.id as trigger_id, s.at from routine_triggers t
          cross join generate_series(${first.toISOString()}::timestamptz, ${last.toISOString()}::timestamptz, interval '1 second') s(at)
          left join routine_runs r on r.trigger_id = t.id and r.scheduled_for = s.at
         where r.id is null order by s.at, t.id`,
  );
  const dropped = await queryRows<{ n: string; reason: string }>(
    db,
    sql`select count(*) as n, min(failure_reason) as reason from routine_runs where failure_reason like 'Dropped%'`,
  );
  const [lag] = await queryRows<{ p50: number; p99: number; max: number }>(
    db,
    sql`select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99, max(ms) as max
          from (select extract(epoch from created_at - scheduled_for) * 1000 as ms from routine_runs where ${window}) x`,
  );
  const missingSeconds = [...new Set(missing.map((m) => new Date(m.at).toISOString()))];
  report({
    name: "scheduler-cluster",
    processes: PROCESSES,
    triggers: TRIGGERS,
    seconds: SECONDS,
    window: [first.toISOString(), last.toISOString()],
    expectedSlots: expected,
    firedSlots: fired,
    duplicateSlots: duplicates,
    missingSlots: missing.length,
    missingSecondsSample: missingSeconds.slice(0, 5),
    droppedRecords: Number(dropped[0]?.n ?? 0),
    droppedReasonSample: dropped[0]?.reason ?? null,
    exactlyOnceNoneMissing: fired === expected && duplicates === 0 && missing.length === 0,
    txStartLagMs: { p50: Math.round(Number(lag?.p50)), p99: Math.round(Number(lag?.p99)), max: Math.round(Number(lag?.max)) },
    firedPerProcess: stats.map((s) => s.fired),
    cpuPctPerProcess: stats.map((s) => Math.round((s.cpuMs / s.elapsedMs) * 100)),
    queriesPerFire: Math.round((stats.reduce((a, s) => a + s.queries, 0) / Math.max(1, stats.reduce((a, s) => a + s.fired, 0))) * 10) / 10,
    errors: stats.reduce((a, s) => a + s.errors, 0),
  });
});

/**
 * Fire latency: 200 schedule triggers due at spread-out seconds over 20 s (10 per second), one
 * scheduler process running as in production. For each run: how long after its due time the
 * firing transaction began (`created_at − scheduled_for`) and when the committed run became visible
 * to another connection (polled every 5 ms). Goal: p99 ≤ 250 ms.
 */
import { sql } from "drizzle-orm";
import { queryRows } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { startSchedulers } from "./lib/schedulers";
import { insertScheduleRoutines, seedCompany, setDue, wholeSecondAhead } from "./lib/seed";
import { report, sleep, summarize } from "./lib/stats";

const TRIGGERS = 200;
const SPREAD_SEC = 20;
const POLL_MS = 5;

await withBenchDatabase(async ({ url, store }) => {
  const world = await seedCompany(store.db);
  // Each routine fires once, with no active execution: the full path (issue + heartbeat run).
  await insertScheduleRoutines(store.db, world, { count: TRIGGERS, policy: "coalesce_if_active", cron: "0 0 1 1 *" });
  const [scheduler] = await startSchedulers(url, 1);
  const first = await wholeSecondAhead(store.db, 2);
  await scheduler!.mark(); // count from here: nothing is due yet
  await setDue(store.db, first, SPREAD_SEC);

  const seen = new Map<string, { created: number; visible: number }>();
  const deadline = first.getTime() + (SPREAD_SEC + 15) * 1000;
  while (seen.size < TRIGGERS && Date.now() < deadline) {
    const rows = await queryRows<{ id: string; created: number; visible: number }>(
      store.db,
      sql`select id, extract(epoch from created_at - scheduled_for) * 1000 as created,
                 extract(epoch from clock_timestamp() - scheduled_for) * 1000 as visible
            from routine_runs where source = 'schedule'`,
    );
    for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, { created: Number(r.created), visible: Number(r.visible) });
    await sleep(POLL_MS);
  }
  const stats = await scheduler!.stop();
  const runs = [...seen.values()];
  const visible = summarize(runs.map((r) => r.visible));
  report({
    name: "scheduler-latency",
    triggers: TRIGGERS,
    spreadSec: SPREAD_SEC,
    runs: runs.length,
    txStartLagMs: summarize(runs.map((r) => r.created)),
    visibleLagMs: visible,
    pollMs: POLL_MS,
    goalP99Ms: 250,
    met: runs.length === TRIGGERS && visible.p99 <= 250,
    queriesPerFire: Math.round((stats.queries / Math.max(1, stats.fired)) * 10) / 10,
    schedulerCpuPct: Math.round((stats.cpuMs / stats.elapsedMs) * 1000) / 10,
  });
});

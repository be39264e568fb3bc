/**
 * routined beside two PostgreSQL job queues, graphile-worker and pg-boss, in one run on one database:
 * N every-minute schedules fall due at the same minute boundary and each wakes a handler. Per
 * system, the lag from the due minute to the handler being entered (routined: the agent's HTTP
 * handler, signed delivery included; the peers: their in-process job handler), p50/p99/max, and for
 * graphile-worker also when its job row was created. The systems take turns, one minute each, so
 * they do not compete for the CPU. `--quick`: 20 schedules (3 minutes); otherwise 20 and 500.
 *
 * Each is configured for low latency as its documentation describes, with pools that fit
 * PostgreSQL's default max_connections = 100 together with the bench's own connections:
 * - routined: defaults (pool 10; LISTEN/NOTIFY and in-process wake; dispatch concurrency 64, 8 per agent).
 * - graphile-worker 0.18: LISTEN/NOTIFY for new jobs, `concurrency` 16 on `maxPoolSize` 20, crontab
 *   items in the runner (each its own `?id=`); cron fires at the minute boundary.
 * - pg-boss 12: `useListenNotify` with notify-enabled queues, `cronMonitorIntervalSeconds` 1 and
 *   `cronWorkerIntervalSeconds` 1 (the lowest allowed), `pollingIntervalSeconds` 0.5 (lowest), pool 10,
 *   batchSize 50 with `burstWhenBatchFull`.
 * Run: `npm run bench -- --peers [--quick]` (installs bench/peers' packages on first use).
 */
import os from "node:os";
import { sql } from "drizzle-orm";
import { run as runGraphile } from "graphile-worker";
import { PgBoss } from "pg-boss";
import { startBenchAgent } from "../lib/agent-server";
import { withBenchDatabase } from "../lib/db";
import { startRoutined } from "../lib/routined-process";
import { report, sleep, summarize } from "../lib/stats";
import { SECRET_KEY, disableTriggers, seedWakeCompany, wakeLags } from "../lib/wake-scenario";
import type { Executor } from "../../src/store/db";
import { queryRows } from "../../src/store/db";

const quick = process.argv.includes("--quick");
const sizes = quick ? [20] : [20, 500];
const ROUND_TIMEOUT_MS = 55_000;

/** Sleeps until `lead` ms before the next minute boundary that is at least `minAheadMs` away; returns that boundary. */
async function nextMinute(minAheadMs: number): Promise<Date> {
  let boundary = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  if (boundary - Date.now() < minAheadMs) boundary += 60_000;
  return new Date(boundary);
}

async function untilAfter(at: Date, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = at.getTime() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
}

async function routinedRound(db: Executor, url: string, n: number, i: number) {
  const agent = await startBenchAgent();
  const routined = await startRoutined({ DATABASE_URL: url, ROUTINED_SECRET_KEY: SECRET_KEY });
  try {
    const companyId = await seedWakeCompany(db, { prefix: `P${i}`, agents: Math.min(n, 50), triggers: n, agentUrl: agent.url, cron: "* * * * *" });
    const due = await nextMinute(5_000);
    await db.execute(sql`update routine_triggers set next_run_at = ${due.toISOString()}::timestamptz where company_id = ${companyId}`);
    await db.execute(sql`select pg_notify('routined_triggers', '')`);
    await untilAfter(due, ROUND_TIMEOUT_MS, () => agent.arrivals.length >= n);
    await disableTriggers(db, companyId);
    const lags = await wakeLags(db, companyId, agent, due);
    return { system: "routined", due, handled: lags.delivered, handlerLagMs: lags.handlerLagMs, runCreatedLagMs: lags.txStartLagMs, claimLagMs: lags.claimLagMs };
  } finally {
    await routined.stop();
    await agent.close();
  }
}

async function graphileRound(url: string, n: number) {
  const entered: number[] = [];
  const rowCreated: number[] = [];
  const due = await nextMinute(8_000);
  const crontab = Array.from({ length: n }, (_, k) => `* * * * * wake ?id=wake_${k} {"k":${k}}`).join("\n");
  const runner = await runGraphile({
    connectionString: url,
    concurrency: 16,
    maxPoolSize: 20,
    noHandleSignals: true,
    pollInterval: 2_000,
    crontab,
    logger: undefined,
    taskList: {
      wake: async (payload, helpers) => {
        const at = Date.now();
        const ts = Date.parse((payload as { _cron: { ts: string } })._cron.ts);
        if (ts !== due.getTime()) return;
        entered.push(at - ts);
        rowCreated.push(new Date(helpers.job.created_at).getTime() - ts);
      },
    },
  });
  try {
    await untilAfter(due, ROUND_TIMEOUT_MS, () => entered.length >= n);
  } finally {
    await runner.stop();
  }
  return { system: "graphile-worker", due, handled: entered.length, handlerLagMs: summarize(entered), jobRowLagMs: summarize(rowCreated) };
}

async function pgBossRound(url: string, n: number, i: number) {
  const entered: number[] = [];
  const boss = new PgBoss({
    connectionString: url,
    max: 10,
    useListenNotify: true,
    cronMonitorIntervalSeconds: 1,
    cronWorkerIntervalSeconds: 1,
  });
  boss.on("error", (err) => console.error("pg-boss:", err.message));
  await boss.start();
  const queue = `wake_${i}`;
  await boss.createQueue(queue, { notify: true });
  for (let k = 0; k < n; k++) await boss.schedule(queue, "* * * * *", { k }, { key: `k${k}` });
  const due = await nextMinute(8_000);
  await boss.work(queue, { pollingIntervalSeconds: 0.5, batchSize: 50, burstWhenBatchFull: true }, async (jobs) => {
    const at = Date.now();
    if (at < due.getTime()) return;
    for (const _ of jobs) entered.push(at - due.getTime());
  });
  try {
    await untilAfter(due, ROUND_TIMEOUT_MS, () => entered.length >= n);
  } finally {
    for (let k = 0; k < n; k++) await boss.unschedule(queue, `k${k}`);
    await boss.stop({ graceful: false });
  }
  return { system: "pg-boss", due, handled: entered.length, handlerLagMs: summarize(entered) };
}

await withBenchDatabase(async ({ url, store }) => {
  const [max] = await queryRows<{ max_connections: string }>(store.db, sql`show max_connections`);
  for (const [i, n] of sizes.entries()) {
    for (const round of [() => routinedRound(store.db, url, n, i), () => graphileRound(url, n), () => pgBossRound(url, n, i)]) {
      const r = await round();
      report({ name: "peers-every-minute", triggers: n, ...r, due: r.due.toISOString(), maxConnections: Number(max!.max_connections), loadAvg: os.loadavg().map((x) => Math.round(x * 10) / 10) });
    }
  }
}, { poolSize: 2 });

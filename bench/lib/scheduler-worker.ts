/**
 * One scheduler process of a benchmark, as in production: its own store (connection pool) and the
 * scheduler loop on the database clock. It counts its queries (every pg client query) and CPU time,
 * and notes when each batch committed. Started by `schedulers.ts` with fork; answers "mark" (restart
 * the counters) and "stop" (send the numbers, exit).
 */
import pino from "pino";
import { loadConfig } from "../../src/config";
import { createFiring } from "../../src/firing/batch";
import { createSchedulingService } from "../../src/services/scheduling";
import { createScheduler } from "../../src/scheduler/scheduler";
import { openStore } from "../../src/store/db";
import { countQueries } from "./query-count";

export interface WorkerStats {
  pid: number;
  /** Since the last mark (or the start). */
  elapsedMs: number;
  cpuMs: number;
  queries: number;
  /** Batches (runDue calls) that claimed at least one trigger, and what they did. */
  batches: number;
  triggers: number;
  fired: number;
  /** Epoch ms when the first batch with triggers began, and when the last one had committed. */
  firstClaimAt: number | null;
  lastCommitAt: number | null;
  errors: number;
}

const queries = countQueries();
let queriesAtMark = 0;

const url = process.env.DATABASE_URL!;
const config = loadConfig({ DATABASE_URL: url, ROUTINED_LOG_LEVEL: "silent", ROUTINED_DISPATCHER: "false" });
const store = await openStore({ databaseUrl: url, poolSize: config.dbPoolSize });
const log = pino({ level: "error" }, pino.destination(2));
let errors = 0;
const countingLog = { error: (...a: Parameters<typeof log.error>) => (errors++, log.error(...a)), debug: () => {}, warn: (...a: Parameters<typeof log.warn>) => (errors++, log.warn(...a)), info: () => {} };
const firing = createFiring(config);
const scheduling = createSchedulingService({ db: store.db, config, firing, log: countingLog, listen: store.listen });

let since = Date.now();
let cpu = process.cpuUsage();
const stats = { batches: 0, triggers: 0, fired: 0, firstClaimAt: null as number | null, lastCommitAt: null as number | null };
const runDue = scheduling.runDue;
scheduling.runDue = async (...args: Parameters<typeof runDue>) => {
  const start = Date.now();
  const result = await runDue(...args);
  if (process.env.BENCH_TRACE) process.stderr.write(`trace ${process.pid} ${start} ${Date.now()} ${result.triggers} ${result.fired}\n`);
  if (result.triggers) {
    stats.batches++;
    stats.triggers += result.triggers;
    stats.fired += result.fired;
    stats.firstClaimAt ??= start;
    stats.lastCommitAt = Math.max(stats.lastCommitAt ?? 0, Date.now());
  }
  return result;
};

// Knobs for comparing settings (unset: the production defaults).
const knob = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const scheduler = createScheduler({
  scheduling,
  log: countingLog,
  batchSize: knob("BENCH_BATCH_SIZE"),
  parallelBatches: knob("BENCH_PARALLEL_BATCHES"),
});
await scheduler.start();

process.on("message", async (msg: { type: "mark" | "stop" }) => {
  if (msg.type === "mark") {
    since = Date.now();
    cpu = process.cpuUsage();
    queriesAtMark = queries();
    Object.assign(stats, { batches: 0, triggers: 0, fired: 0, firstClaimAt: null, lastCommitAt: null });
    errors = 0;
    process.send!({ type: "marked" });
    return;
  }
  const used = process.cpuUsage(cpu);
  const out: WorkerStats = {
    pid: process.pid,
    elapsedMs: Date.now() - since,
    cpuMs: Math.round((used.user + used.system) / 1000),
    queries: queries() - queriesAtMark,
    ...stats,
    errors,
  };
  await scheduler.stop();
  await store.close();
  process.send!({ type: "stats", stats: out }, () => process.exit(0));
});
process.send!({ type: "ready" });

/**
 * HMAC-verified webhook fires per second through the real server on PostgreSQL, next to the ceiling of a bare
 * fastify route doing one INSERT, both driven by the same client loop in the same run. Goal: ≥ 1,500 fires/s
 * and ≥ 40 % of the ceiling.
 *
 * Each fire is a unique `hmac_sha256`-signed JSON body to an `always_enqueue` routine, so every fire does the
 * full work: verify, then in one transaction lock the routine, insert the run, allocate an issue number, insert
 * the execution issue and a queued heartbeat run (+ NOTIFY), update trigger, routine and run, and record the
 * signature's fingerprint in webhook_replays. The bare route inserts one row per request into a scratch table.
 *
 * Loopback only; the client runs in a worker thread (its own event loop); a database of its own is created on
 * ROUTINED_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.
 * Also measured: every fire to ONE routine (its row lock serialises them: the hot-routine worst case), and
 * fires to 16 routines of the default policy, `coalesce_if_active`, each with an open issue (a run and a
 * comment per fire).
 * Concurrent deliveries fire together (group commit), so throughput grows with the number of concurrent
 * senders: each level of concurrency is measured, for the fires and for the ceiling alike.
 * Run: npx tsx bench/webhook-fire.ts [seconds per target, default 6] [concurrency levels, default 32,64,128,256]
 */
import crypto from "node:crypto";
import os from "node:os";
import { Worker } from "node:worker_threads";
import Fastify from "fastify";
import pg from "pg";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { startServer } from "../src/server";
import { createBenchDatabase } from "./lib/db";
import { countQueries } from "./lib/query-count";

const SECONDS = Number(process.argv[2] ?? 6);
/** Fires go round-robin to this many routines (fires of one routine are serialised by its row lock). */
const SPREAD = 16;
/** Concurrent senders (keep-alive connections), one measurement of each target per level. */
const CONCURRENCY = (process.argv[3] ?? "32,64,128,256").split(",").map(Number);
const WARMUP_SECONDS = 1.5;
const POOL_SIZE = 10;

/**
 * The client loop: `concurrency` keep-alive connections (undici), each sending its next request as soon as one
 * answers. Bodies and signatures are made before the clock starts, so the load generator spends as little as
 * possible of the CPU it shares with the server and PostgreSQL (the same for every target).
 */
const CLIENT = `
const crypto = require("node:crypto");
const { Pool } = require("undici");
const { parentPort, workerData } = require("node:worker_threads");
const { targets, seconds, concurrency, expect } = workerData;
const pools = new Map();
const poolOf = (origin) => pools.get(origin) ?? pools.set(origin, new Pool(origin, { connections: concurrency })).get(origin);
let n = 0;
function make() {
  const { url, secret } = targets[n % targets.length];
  const target = new URL(url);
  const body = JSON.stringify({ event: "bench", n: n++, nonce: crypto.randomBytes(6).toString("hex") });
  const headers = { "content-type": "application/json" };
  if (secret) {
    const ts = String(Math.floor(Date.now() / 1000));
    headers["x-paperclip-timestamp"] = ts;
    headers["x-paperclip-signature"] = "sha256=" + crypto.createHmac("sha256", secret).update(ts + "." + body).digest("hex");
  }
  return { pool: poolOf(target.origin), path: target.pathname, headers, body };
}
const prepared = Array.from({ length: seconds * 4000 }, make);
let next = 0;
async function request() {
  const r = next < prepared.length ? prepared[next++] : make();
  const start = performance.now();
  try {
    const res = await r.pool.request({ path: r.path, method: "POST", headers: r.headers, body: r.body });
    await res.body.dump();
    return { ok: res.statusCode === expect, ms: performance.now() - start };
  } catch {
    return { ok: false, ms: performance.now() - start };
  }
}
(async () => {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const r = await request();
      if (r.ok) latencies.push(r.ms); else errors++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all([...pools.values()].map((p) => p.close()));
  parentPort.postMessage({ latencies, errors, elapsed });
})();
`;

/** Every query any pg client of this process sends (the server's and the bare route's). */
const queries = countQueries();

interface Measured {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Main-thread (server) event-loop busy time per request: the Node CPU cost, independent of machine load. */
  serverBusyMsPerRequest: number;
  /** Database round trips per request (a batch of concurrent fires shares its queries). */
  queriesPerRequest: number;
}

type Target = { url: string; secret: string | null };

function drive(targets: Target[], seconds: number, concurrency: number, expect = 202): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { targets, seconds, concurrency, expect } });
    const elu = performance.eventLoopUtilization();
    const queriesBefore = queries();
    worker.once("error", reject);
    worker.once("message", ({ latencies, errors, elapsed }: { latencies: number[]; errors: number; elapsed: number }) => {
      const busyMs = performance.eventLoopUtilization(elu).active;
      latencies.sort((a, b) => a - b);
      const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN) * 100) / 100;
      resolve({
        requests: latencies.length,
        perSec: Math.round(latencies.length / elapsed),
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        errors,
        serverBusyMsPerRequest: Math.round((busyMs / Math.max(1, latencies.length + errors)) * 1000) / 1000,
        queriesPerRequest: Math.round(((queries() - queriesBefore) / Math.max(1, latencies.length + errors)) * 100) / 100,
      });
      void worker.terminate();
    });
  });
}

const { url: dbUrl, drop: dropDatabase } = await createBenchDatabase();
try {
  const config = loadConfig({
    DATABASE_URL: dbUrl,
    PORT: "0",
    ROUTINED_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
    ROUTINED_LOG_LEVEL: "warn",
    ROUTINED_SCHEDULER: "false",
    ROUTINED_DISPATCHER: "false",
    ROUTINED_DB_POOL_SIZE: String(POOL_SIZE),
    ROUTINED_WEBHOOK_RATE_PER_TRIGGER: "1000000",
    ROUTINED_WEBHOOK_RATE_PER_IP: "1000000",
  });
  const server = await startServer(config, { logger: createLogger("warn") });

  const bareDb = new pg.Pool({ connectionString: dbUrl, max: POOL_SIZE });
  await bareDb.query("create table bench_scratch (id bigserial primary key, body jsonb not null, created_at timestamptz not null default now())");
  const bare = Fastify({ logger: false });
  bare.post("/bare", async (req, reply) => {
    await bareDb.query("insert into bench_scratch (body) values ($1)", [req.body]);
    return reply.status(202).send({ ok: true });
  });
  const bareUrl = `${await bare.listen({ port: 0, host: "127.0.0.1" })}/bare`;

  try {
    const api = async (path: string, body: unknown) => {
      const res = await fetch(server.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as any;
    };
    const company = await api("/api/companies", { name: "Bench" });
    const agent = await api(`/api/companies/${company.id}/agents`, { name: "Worker" });
    const project = await api(`/api/companies/${company.id}/projects`, { name: "Bench" });
    const webhookTarget = async (i: number, concurrencyPolicy = "always_enqueue"): Promise<Target> => {
      const routine = await api(`/api/companies/${company.id}/routines`, {
        title: `Bench ${i}`,
        assigneeAgentId: agent.id,
        projectId: project.id,
        concurrencyPolicy,
      });
      const { trigger, secretMaterial } = await api(`/api/routines/${routine.id}/triggers`, { kind: "webhook", signingMode: "hmac_sha256" });
      return { url: `${server.url}/api/routine-triggers/public/${trigger.publicId}/fire`, secret: secretMaterial.webhookSecret };
    };
    const spread: Target[] = [];
    for (let i = 0; i < SPREAD; i++) spread.push(await webhookTarget(i));
    const one = [spread[0]!];
    /** The default policy: after the first fire each routine has an open issue, so a fire is a run and a comment. */
    const coalescing: Target[] = [];
    for (let i = 0; i < SPREAD; i++) coalescing.push(await webhookTarget(SPREAD + i, "coalesce_if_active"));
    const bareTarget = [{ url: bareUrl, secret: null }];

    await drive(bareTarget, WARMUP_SECONDS, CONCURRENCY[0]!);
    await drive(spread, WARMUP_SECONDS, CONCURRENCY[0]!);
    const levels = [];
    for (const concurrency of CONCURRENCY) {
      const ceiling = await drive(bareTarget, SECONDS, concurrency);
      const fires = await drive(spread, SECONDS, concurrency);
      const hotRoutine = await drive(one, SECONDS, concurrency);
      const coalesced = await drive(coalescing, SECONDS, concurrency);
      const percent = (m: Measured) => Math.round((m.perSec / ceiling.perSec) * 1000) / 10;
      levels.push({
        concurrency,
        hmacFires: { routines: SPREAD, ...fires, percentOfCeiling: percent(fires) },
        hmacFiresOneRoutine: { ...hotRoutine, percentOfCeiling: percent(hotRoutine) },
        hmacFiresCoalescing: { routines: SPREAD, ...coalesced, percentOfCeiling: percent(coalesced) },
        bareInsertCeiling: ceiling,
        goalMet: fires.perSec >= 1500 && percent(fires) >= 40,
      });
    }
    console.log(
      JSON.stringify({
        benchmark: "webhook-fire",
        engine: "postgres",
        node: process.version,
        dbPoolSize: POOL_SIZE,
        secondsPerTarget: SECONDS,
        loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10,
        levels,
        eachFireWrites:
          "routine_runs + issues + heartbeat_runs rows, companies issue counter, routine and trigger last-fired fields, " +
          "webhook_replays fingerprint, NOTIFY; concurrent deliveries share one lookup and one transaction " +
          "(begin, lock routines, context read, write, commit)",
        bareWrites: "one bench_scratch row (autocommit)",
        goal: { firesPerSec: 1500, percentOfCeiling: 40 },
        goalMetAtConcurrency: levels.filter((l) => l.goalMet).map((l) => l.concurrency),
      }),
    );
  } finally {
    await bare.close();
    await bareDb.end();
    await server.stop();
  }
} finally {
  await dropDatabase();
}

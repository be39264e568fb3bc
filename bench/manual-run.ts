/**
 * Manual-run throughput through the HTTP API on PostgreSQL: a real server (`startServer`, port 0,
 * scheduler and dispatcher off), CLIENTS concurrent clients on keep-alive connections, each posting
 * `POST /api/routines/{id}/run` back to back for SECONDS. Cases: `always_enqueue` (an issue + heartbeat
 * run per fire) and `coalesce_if_active` (one issue, then a coalesced run + comment per fire), with
 * all clients on one routine and with a routine per client. Concurrent runs are group-committed: the runs
 * that arrive while a batch is written go together in the next one.
 * Reports runs/s and request latency p50/p99. The clients run in this process (fetch), beside the server.
 */
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config";
import type { ConcurrencyPolicy } from "../src/domain/enums";
import { createLogger } from "../src/logger";
import { startServer } from "../src/server";
import { queryRows } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { insertScheduleRoutines, seedCompany } from "./lib/seed";
import { report, summarize } from "./lib/stats";

const CLIENTS = Number(process.argv[2] ?? 8);
const SECONDS = Number(process.argv[3] ?? 5);
const WARMUP_MS = 1000;

async function hammer(url: string, routineIds: string[], untilMs: number, latencies: number[] | null): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const routineId = routineIds[client % routineIds.length];
      while (Date.now() < untilMs) {
        const start = performance.now();
        const res = await fetch(`${url}/api/routines/${routineId}/run`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ source: "api", payload: { client } }),
        });
        await res.arrayBuffer();
        latencies?.push(performance.now() - start);
        if (res.status === 202) ok++;
        else failed++;
      }
    }),
  );
  return { ok, failed };
}

async function runCase(policy: ConcurrencyPolicy, routinesCount: number): Promise<void> {
  await withBenchDatabase(async ({ url, store }) => {
    const world = await seedCompany(store.db);
    await insertScheduleRoutines(store.db, world, { count: routinesCount, policy, cron: "0 0 1 1 *" }); // never due
    const routineIds = (await queryRows<{ id: string }>(store.db, sql`select id from routines order by id`)).map((r) => r.id);
    const config = loadConfig({
      DATABASE_URL: url,
      PORT: "0",
      ROUTINED_SCHEDULER: "false",
      ROUTINED_DISPATCHER: "false",
      ROUTINED_SECRET_KEY: "bench-secret-key-0123456789abcdef",
    });
    const server = await startServer(config, { logger: createLogger("silent") });
    try {
      await hammer(server.url, routineIds, Date.now() + WARMUP_MS, null);
      const latencies: number[] = [];
      const start = Date.now();
      const { ok, failed } = await hammer(server.url, routineIds, start + SECONDS * 1000, latencies);
      const elapsed = (Date.now() - start) / 1000;
      const statuses = await queryRows<{ status: string; n: string }>(store.db, sql`select status, count(*) as n from routine_runs group by status order by status`);
      report({
        name: "manual-run",
        policy,
        routines: routinesCount,
        clients: CLIENTS,
        seconds: Math.round(elapsed * 10) / 10,
        runsPerSec: Math.round(ok / elapsed),
        latencyMs: summarize(latencies),
        failedRequests: failed,
        runStatuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
      });
    } finally {
      await server.stop();
    }
  });
}

for (const policy of ["always_enqueue", "coalesce_if_active"] as const) {
  await runCase(policy, 1);
  await runCase(policy, CLIENTS);
}

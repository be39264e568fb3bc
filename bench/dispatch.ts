/**
 * Heartbeat dispatch on PostgreSQL: two dispatcher "processes" (own pools and LISTEN connections,
 * default concurrency) delivering to 16 HTTP agents on one local server that answers 204 at once.
 * - throughput: 2000 runs queued in one transaction → deliveries per second until all succeeded;
 * - wake latency: 100 runs queued one at a time → enqueue-commit to request-received, p50/p95/max
 *   (the NOTIFY wakes a sleeping dispatcher: there is no polling interval to wait out).
 * `--concurrency=N` sets each process's ROUTINED_DISPATCH_CONCURRENCY (default 64).
 * `--agent-delay-ms=200`: the agents answer after 200 ms; the throughput is then bounded by the
 * configured concurrency (processes × slots / delay, printed as `boundPerSec`), not by the database.
 * One JSON line each. Needs PostgreSQL at ROUTINED_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import crypto from "node:crypto";
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { createDispatcher } from "../src/dispatch/dispatcher";
import { createHttpAdapter } from "../src/dispatch/http-adapter";
import { createProcessAdapter } from "../src/dispatch/process-adapter";
import { generateWebhookSecret } from "../src/domain/webhook-auth";
import { createSecretBox } from "../src/domain/secret-box";
import { createHeartbeatDispatchService } from "../src/services/heartbeat-dispatch";
import { openStore, queryRows } from "../src/store/db";
import { migrate } from "../src/store/migrate";
import { agentsRepo } from "../src/store/repos/agents";
import { companiesRepo } from "../src/store/repos/companies";
import { enqueueHeartbeatRun } from "../src/store/repos/heartbeat-runs";
import { createBenchDatabase } from "./lib/db";

const AGENTS = 16;
const CONCURRENCY = Number(process.argv.find((a) => a.startsWith("--concurrency="))?.split("=")[1] ?? 64);
const PER_AGENT = 8;
const agentDelayMs = Number(process.argv.find((a) => a.startsWith("--agent-delay-ms="))?.split("=")[1] ?? 0);
const { url, drop: dropDatabase } = await createBenchDatabase();

let onRequest: () => void = () => {};
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (agentDelayMs > 0) setTimeout(() => res.writeHead(204).end(), agentDelayMs);
    else res.writeHead(204).end();
    onRequest();
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const agentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const secretBox = createSecretBox(crypto.randomBytes(32));
const main = await openStore({ databaseUrl: url });
try {
  await migrate(main.db);
  const company = await companiesRepo.insert(main.db, { name: "Bench", issuePrefix: "B" });
  // 16 agents (one local server): the per-agent cap (8 in flight) is not what bounds the throughput.
  const agents: { id: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    agents.push(
      await agentsRepo.insert(main.db, {
        companyId: company.id,
        name: `Hook ${i}`,
        adapterType: "http",
        adapterConfig: { url: agentUrl },
        deliverySecretCiphertext: secretBox.encrypt(generateWebhookSecret("standard_webhooks")),
      }),
    );
  }
  const agent = agents[0]!;
  const stores = [main, await openStore({ databaseUrl: url })];
  const dispatchers = stores.map((s) =>
    createDispatcher({
      source: createHeartbeatDispatchService({ db: s.db, secretBox }),
      listen: s.listen,
      // the agent is on 127.0.0.1: allow local targets (a server refuses them by default)
      adapters: {
        http: createHttpAdapter({ allowLocal: true }),
        process: createProcessAdapter({ apiUrl: "http://unused", policy: { enabled: false, allowlist: [] } }),
      },
      timeoutMs: 10_000,
      leaseMs: 60_000,
      concurrency: CONCURRENCY,
      perAgent: PER_AGENT,
    }),
  );
  await Promise.all(dispatchers.map((d) => d.start()));
  const run = { companyId: company.id, agentId: agent.id, issueId: null, routineRunId: null, maxAttempts: 3 };

  const N = 2000;
  let received = 0;
  const allDelivered = new Promise<void>((resolve) => (onRequest = () => ++received === N && resolve()));
  const t0 = performance.now();
  await main.db.transaction(async (tx) => {
    for (let i = 0; i < N; i++) await enqueueHeartbeatRun(tx, { ...run, agentId: agents[i % AGENTS]!.id });
  });
  const committed = performance.now();
  await allDelivered;
  const deliveredAt = performance.now();
  // wait for the results to be recorded too
  for (;;) {
    const [r] = await queryRows<{ n: number }>(main.db, sql`select count(*)::int as n from heartbeat_runs where status = 'succeeded'`);
    if (r!.n === N) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const recordedAt = performance.now();
  console.log(JSON.stringify({ loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10,
    bench: "dispatch-throughput-postgres",
    processes: 2,
    concurrencyPerProcess: CONCURRENCY,
    perAgent: PER_AGENT,
    agents: AGENTS,
    agentDelayMs,
    ...(agentDelayMs > 0 ? { boundPerSec: Math.round((stores.length * Math.min(CONCURRENCY, AGENTS * PER_AGENT) * 1000) / agentDelayMs) } : {}),
    runs: N,
    enqueueMs: Math.round(committed - t0),
    deliveriesPerSec: Math.round(N / ((deliveredAt - committed) / 1000)),
    recordedPerSec: Math.round(N / ((recordedAt - committed) / 1000)),
  }));

  const latencies: number[] = [];
  for (let i = 0; i < 100; i++) {
    const arrived = new Promise<void>((resolve) => (onRequest = resolve));
    await enqueueHeartbeatRun(main.db, run);
    const t = performance.now();
    await arrived;
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.floor(p * (latencies.length - 1))]! * 10) / 10;
  console.log(JSON.stringify({ loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10, bench: "dispatch-wake-latency-postgres", samples: 100, p50Ms: q(0.5), p95Ms: q(0.95), maxMs: q(1) }));

  await Promise.all(dispatchers.map((d) => d.stop()));
  await stores[1]!.close();
} finally {
  await main.close();
  server.close();
  await dropDatabase();
}

/**
 * A local HTTP agent for benchmarks: answers every delivery (204 at once, or after `delayMs`) and
 * notes when its handler was entered, with the routine run's due time from the delivery.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Arrival {
  /** Epoch ms when the request handler was entered (headers received). */
  enteredAt: number;
  /** The routine run's scheduled time (epoch ms), when the delivery has one. */
  dueAt: number | null;
  heartbeatRunId: string;
}

export async function startBenchAgent(opts: { delayMs?: number } = {}) {
  const arrivals: Arrival[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const enteredAt = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        heartbeatRun: { id: string };
        routineRun: { scheduledFor: string | null } | null;
      };
      const due = body.routineRun?.scheduledFor;
      arrivals.push({ enteredAt, dueAt: due ? Date.parse(due) : null, heartbeatRunId: body.heartbeatRun.id });
      const answer = () => res.writeHead(204).end();
      if (opts.delayMs) setTimeout(answer, opts.delayMs);
      else answer();
      waiters = waiters.filter((w) => (arrivals.length >= w.n ? (w.resolve(), false) : true));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrivals,
    /** Resolves once `n` deliveries have arrived in all (or after `timeoutMs`). */
    waitFor(n: number, timeoutMs: number): Promise<void> {
      if (arrivals.length >= n) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    reset() {
      arrivals.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BenchAgent = Awaited<ReturnType<typeof startBenchAgent>>;

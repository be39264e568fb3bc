/**
 * The dispatch loop of one process: claims runnable heartbeat runs of http/process agents
 * (`SKIP LOCKED`, so any number of processes share the work), delivers each through its adapter
 * with a timeout, and records the result. It sleeps until a NOTIFY (enqueue, resume), the earliest
 * retry or lease expiry (capped), or a delivery finishing — it never polls in a tight loop.
 *
 * A claim's lease outlasts the delivery timeout, so while this process may still be delivering a
 * run no other process can take it; a run abandoned by `stop` or a crash is retried by any process
 * once its lease expires.
 */
import crypto from "node:crypto";
import os from "node:os";
import type { Logger } from "pino";
import { type BackoffOptions, retryDelayMs } from "../domain/backoff";
import type { HeartbeatDispatchService } from "../services/heartbeat-dispatch";
import type { Store } from "../store/db";
import { HEARTBEAT_CHANNEL, type HeartbeatRunRow } from "../store/repos/heartbeat-runs";
import type { Adapter, AttemptResult } from "./adapter";
import { createWakeSignal } from "../services/wake-signal";

export interface DispatcherOptions {
  source: HeartbeatDispatchService;
  listen: Store["listen"];
  adapters: { http: Adapter; process: Adapter };
  /** Default delivery timeout; an agent's `adapterConfig.timeoutSec` overrides it. */
  timeoutMs: number;
  /** Minimum lease; a claim is always leased for the delivery timeout plus `leaseMarginMs`. */
  leaseMs: number;
  leaseMarginMs?: number;
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
  /** Longest sleep between checks when nothing is due (a safety net, not the wake-up mechanism). */
  maxSleepMs?: number;
  workerId?: string;
  /** Called with the run after each recorded attempt (observability; tests wait on it). */
  onRecord?: (run: HeartbeatRunRow, adapter: string) => void;
  logger?: Pick<Logger, "info" | "warn" | "error">;
}

interface InFlight {
  controller: AbortController;
  abandoned: boolean;
  done: Promise<void>;
}

export function createDispatcher(o: DispatcherOptions) {
  const workerId = o.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  const concurrency = o.concurrency ?? 8;
  const maxSleepMs = o.maxSleepMs ?? 30_000;
  const backoff: BackoffOptions = { baseMs: 5_000, maxMs: 600_000, random: Math.random, ...o.backoff };
  const wake = createWakeSignal();
  const inFlight = new Set<InFlight>();
  let stopping = false;
  let loopDone: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function deliver(run: HeartbeatRunRow, entry: InFlight): Promise<void> {
    try {
      const target = await o.source.target(run);
      if (!target) return;
      const adapter = target.agent.adapterType === "poll" ? undefined : o.adapters[target.agent.adapterType];
      const timeoutSec = target.agent.adapterConfig.timeoutSec;
      const result: AttemptResult = adapter
        ? await adapter.deliver({
            ...target,
            deliveryId: run.id,
            timeoutMs: typeof timeoutSec === "number" ? timeoutSec * 1000 : o.timeoutMs,
            signal: entry.controller.signal,
          })
        : { ok: false, timedOut: false, error: "The agent now uses the poll adapter: it claims this run itself" };
      if (entry.abandoned) return;
      const recorded = await o.source.record(run, result, retryDelayMs(run.attempt, backoff));
      if (recorded) o.onRecord?.(recorded, target.agent.adapterType);
      else o.logger?.warn({ heartbeatRunId: run.id, attempt: run.attempt }, "heartbeat run claim lapsed before its result was recorded");
    } catch (err) {
      // The run stays claimed; once its lease expires any process retries it.
      o.logger?.error({ err, heartbeatRunId: run.id }, "heartbeat delivery failed");
    }
  }

  function startDelivery(run: HeartbeatRunRow): void {
    const entry = { controller: new AbortController(), abandoned: false } as InFlight;
    inFlight.add(entry);
    entry.done = deliver(run, entry).finally(() => {
      inFlight.delete(entry);
      wake.notify();
    });
  }

  /** One pass: reclaim lapsed leases, claim what fits, and say how long to sleep. */
  async function tick(): Promise<number> {
    await o.source.reclaimExpired();
    const free = concurrency - inFlight.size;
    if (free <= 0) return maxSleepMs; // a finishing delivery wakes the loop
    const timeoutMs = o.timeoutMs;
    const runs = await o.source.claim({
      workerId,
      limit: free,
      leaseSec: o.leaseMs / 1000,
      timeoutSec: timeoutMs / 1000,
      marginSec: (o.leaseMarginMs ?? 5_000) / 1000,
    });
    for (const run of runs) startDelivery(run);
    if (runs.length === free) return 0; // there may be more
    const next = await o.source.nextWakeInMs();
    // A due run we could not claim is locked by another process's claim: look again shortly.
    return Math.min(maxSleepMs, next === undefined ? maxSleepMs : Math.max(next, 100));
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let sleepMs: number;
      try {
        sleepMs = await tick();
        failures = 0;
      } catch (err) {
        failures++;
        sleepMs = Math.min(maxSleepMs, 500 * 2 ** Math.min(failures, 6));
        o.logger?.error({ err }, "dispatcher could not reach the database; retrying");
      }
      if (sleepMs > 0 && !stopping) await wake.wait(sleepMs);
    }
  }

  return {
    workerId,
    async start(): Promise<void> {
      if (loopDone) return;
      stopping = false;
      unlisten = await o.listen(HEARTBEAT_CHANNEL, () => wake.notify());
      loopDone = loop();
      o.logger?.info({ workerId }, "dispatcher started");
    },
    /**
     * Stops claiming and waits for deliveries in flight, up to `abandonAfterMs`; then abandons the
     * rest (aborts them and records nothing): their runs are retried after their leases expire.
     */
    async stop({ abandonAfterMs = Number.POSITIVE_INFINITY }: { abandonAfterMs?: number } = {}): Promise<void> {
      if (!loopDone) return;
      stopping = true;
      wake.notify();
      await loopDone;
      const all = Promise.all([...inFlight].map((e) => e.done));
      if (Number.isFinite(abandonAfterMs)) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((r) => (timer = setTimeout(r, abandonAfterMs)))]);
        clearTimeout(timer);
        for (const entry of inFlight) {
          entry.abandoned = true;
          entry.controller.abort();
        }
      }
      await all;
      await unlisten?.();
      loopDone = undefined;
    },
    /** Deliveries in progress (for tests and health). */
    get inFlight(): number {
      return inFlight.size;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * The dispatch loop of one process: claims runnable heartbeat runs of http/process agents in
 * batches, with what each delivery needs, in one query (`SKIP LOCKED`, so any number of processes
 * share the work), delivers each through its adapter with a timeout, and records the results —
 * those that finish together in one statement. Up to `concurrency` deliveries run at once, at most
 * `perAgent` of them to one agent, so a slow agent cannot hold every slot; a slot is free again as
 * soon as the agent answers, and no database connection is held while an agent works. It sleeps
 * until a NOTIFY (enqueue, resume), an in-process `wake` (a fire committed here), the earliest retry
 * or lease expiry (capped), or a delivery finishing while runs wait for a slot — it never polls in a
 * tight loop. While runs wait for slots, a claim for one or two slots waits up to 5 ms for more to free
 * up, so a burst is claimed in a few large batches rather than one statement per delivery.
 *
 * A claim's lease outlasts the delivery timeout, so while this process may still be delivering a
 * run no other process can take it; a run abandoned by `stop` or a crash is retried by any process
 * once its lease expires.
 */
import crypto from "node:crypto";
import os from "node:os";
import type { Logger } from "pino";
import { type BackoffOptions, retryDelayMs } from "../domain/backoff";
import {
  type Claimed,
  HEARTBEAT_CHANNEL,
  type HeartbeatDispatchService,
  type HeartbeatRunRow,
  type Listen,
} from "../services/heartbeat-dispatch";
import { createWakeSignal } from "../lib/wake-signal";
import { transientDatabaseError } from "../domain/database-errors";
import { createOutageLog } from "../services/database-outage";
import type { Adapter, AttemptResult } from "./adapter";

export interface DispatcherOptions {
  source: HeartbeatDispatchService;
  listen: Listen;
  adapters: { http: Adapter; process: Adapter };
  /** Default delivery timeout; an agent's `adapterConfig.timeoutSec` overrides it. */
  timeoutMs: number;
  /** Minimum lease; a claim is always leased for the delivery timeout plus `leaseMarginMs`. */
  leaseMs: number;
  leaseMarginMs?: number;
  /** Deliveries in flight at once in this process (default 64). */
  concurrency?: number;
  /** Deliveries to one agent in flight at once in this process (default 8). */
  perAgent?: number;
  backoff?: Partial<BackoffOptions>;
  /** Longest sleep between checks when nothing is due (a safety net, not the wake-up mechanism). */
  maxSleepMs?: number;
  /** Shortest interval between two sweeps for lapsed leases (default 1 s). */
  reclaimEveryMs?: number;
  workerId?: string;
  /** Called with the run after each recorded attempt (observability; tests wait on it). */
  onRecord?: (run: HeartbeatRunRow, adapter: string) => void;
  logger?: Pick<Logger, "info" | "warn" | "error">;
}

interface InFlight {
  agentId: string;
  controller: AbortController;
  abandoned: boolean;
  /** Settles when the delivery's result is recorded (or dropped). */
  done: Promise<void>;
}

/** Longest wait for more free slots before a small claim, while runs wait for slots (see `tick`). */
const COALESCE_MS = 5;

export function createDispatcher(o: DispatcherOptions) {
  const workerId = o.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  const concurrency = o.concurrency ?? 64;
  const perAgent = Math.min(o.perAgent ?? 8, concurrency);
  const maxSleepMs = o.maxSleepMs ?? 30_000;
  const reclaimEveryMs = o.reclaimEveryMs ?? 1_000;
  const backoff: BackoffOptions = { baseMs: 5_000, maxMs: 600_000, random: Math.random, ...o.backoff };
  const wake = createWakeSignal();
  // The database being down is logged once when it happens (its SQLSTATE or errno, never query text) and
  // once when it is back, not once per failed cycle or result write.
  const outage = o.logger ? createOutageLog({ log: o.logger, component: "dispatcher" }) : undefined;
  /** Logs a failed database call: an outage once, anything else (a bug) as an error. */
  function databaseFailed(err: unknown, msg: string, fields: Record<string, unknown> = {}): void {
    const transient = transientDatabaseError(err);
    if (transient?.kind === "unavailable") outage?.failed(transient.cause);
    else o.logger?.error({ ...fields, err }, msg);
  }
  /** Deliveries waiting on an agent; each holds a slot (and a slot of its agent). */
  const delivering = new Set<InFlight>();
  /** Every delivery not yet recorded (those waiting on an agent and those whose result is being written). */
  const unrecorded = new Set<InFlight>();
  const perAgentBusy = new Map<string, number>();
  let lastReclaim = 0;
  /**
   * The last pass may have left claimable runs behind (it found some, or had no free slot): a slot
   * freed or a result written is then a reason to claim again. Otherwise only new work is (a NOTIFY, a
   * `wake`, a retry written here, an agent leaving its cap, a timer): a delivery finishing when the
   * queue is empty costs no claim.
   */
  let backlog = false;
  /** When the loop first saw too few free slots to be worth a claim while a backlog waits. */
  let fewFreeSince: number | undefined;
  let stopping = false;
  let loopDone: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  /** Delivers one claimed run; no database connection is held while the agent works. */
  async function deliver({ run, target }: Claimed, entry: InFlight): Promise<void> {
    let result: AttemptResult;
    try {
      const adapter = target.agent.adapterType === "poll" ? undefined : o.adapters[target.agent.adapterType];
      const timeoutSec = target.agent.adapterConfig.timeoutSec;
      result = adapter
        ? await adapter.deliver({
            ...target,
            deliveryId: run.id,
            timeoutMs: typeof timeoutSec === "number" ? timeoutSec * 1000 : o.timeoutMs,
            signal: entry.controller.signal,
          })
        : { ok: false, timedOut: false, error: "The agent now uses the poll adapter: it claims this run itself" };
    } finally {
      release(entry); // the slot is free as soon as the agent has answered
    }
    if (entry.abandoned) return;
    try {
      const recorded = await o.source.record(run, result, retryDelayMs(run.attempt, backoff));
      if (recorded?.status === "scheduled_retry") wake.notify(); // it may be due soon: the loop computes when
      if (recorded) o.onRecord?.(recorded, target.agent.adapterType);
      else o.logger?.warn({ heartbeatRunId: run.id, attempt: run.attempt }, "heartbeat run claim lapsed before its result was recorded");
    } catch (err) {
      // The run stays claimed; once its lease expires any process retries it.
      databaseFailed(err, "could not record a heartbeat delivery's result", { heartbeatRunId: run.id });
    }
  }

  function release(entry: InFlight): void {
    if (!delivering.delete(entry)) return;
    const was = perAgentBusy.get(entry.agentId) ?? 1;
    if (was > 1) perAgentBusy.set(entry.agentId, was - 1);
    else perAgentBusy.delete(entry.agentId);
    // The agent's waiting runs were left out of claims while it was at its cap.
    if (backlog || was >= perAgent) wake.notify();
  }

  function startDelivery(claimed: Claimed): void {
    const entry = { agentId: claimed.run.agentId, controller: new AbortController(), abandoned: false } as InFlight;
    delivering.add(entry);
    unrecorded.add(entry);
    perAgentBusy.set(entry.agentId, (perAgentBusy.get(entry.agentId) ?? 0) + 1);
    entry.done = deliver(claimed, entry)
      .catch((err) => o.logger?.error({ err, heartbeatRunId: claimed.run.id }, "heartbeat delivery failed"))
      .finally(() => {
        release(entry);
        unrecorded.delete(entry);
        if (backlog) wake.notify(); // a backlog of results to write may have held claims back
      });
  }

  /** One pass: reclaim lapsed leases (at most once per `reclaimEveryMs`), claim what fits, and say how long to sleep. */
  async function tick(): Promise<number> {
    // The sweep runs beside the claim, not before it: what it frees is claimed on the next pass.
    let sweep: Promise<unknown> | undefined;
    if (Date.now() - lastReclaim >= reclaimEveryMs) {
      lastReclaim = Date.now();
      sweep = o.source.reclaimExpired();
      // Its failure is thrown below, once the claim is done; until then it is not unhandled.
      sweep.catch(() => {});
    }
    try {
      // Results still being written hold no slot, but a backlog of them (a slow database) slows claiming.
      const free = concurrency - delivering.size - Math.max(0, unrecorded.size - delivering.size - concurrency);
      if (free <= 0) {
        backlog = true;
        return maxSleepMs; // a finishing delivery wakes the loop
      }
      // While a backlog waits, a claim for a slot or two costs the database as much as one for many: let a few
      // more deliveries finish first (they answer within milliseconds when agents are fast), but not for long.
      if (backlog && free < Math.ceil(concurrency / 4) && delivering.size > 0) {
        const waited = Date.now() - (fewFreeSince ??= Date.now());
        if (waited < COALESCE_MS) return COALESCE_MS - waited;
      }
      fewFreeSince = undefined;
      const claimed = await o.source.claim({
        workerId,
        limit: free,
        leaseSec: o.leaseMs / 1000,
        timeoutSec: o.timeoutMs / 1000,
        marginSec: (o.leaseMarginMs ?? 5_000) / 1000,
        perAgent,
        busy: Object.fromEntries(perAgentBusy),
      });
      // A claim that found runs may have left more behind (no slot for them, or locked by another
      // process's claim at that instant): freed slots claim again until a claim finds nothing.
      backlog = claimed.length > 0;
      for (const c of claimed) startDelivery(c);
      if (claimed.length === free) return 0; // there may be more
      // A retry falling due while deliveries are in flight waits ≤ 1 s.
      if (claimed.length > 0) return Math.min(1_000, maxSleepMs);
      const next = await o.source.nextWakeInMs();
      // A due run we could not claim is locked by another process's claim, or its agent is at its cap
      // here (a finishing delivery wakes us), or its lease lapsed since the last sweep: look again shortly.
      return Math.min(maxSleepMs, next === undefined ? maxSleepMs : Math.max(next, 100));
    } finally {
      await sweep;
    }
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let sleepMs: number;
      try {
        sleepMs = await tick();
        failures = 0;
        outage?.succeeded();
      } catch (err) {
        failures++;
        sleepMs = Math.min(maxSleepMs, 500 * 2 ** Math.min(failures, 6));
        databaseFailed(err, "dispatcher cycle failed; retrying");
      }
      if (sleepMs > 0 && !stopping) await wake.wait(sleepMs);
    }
  }

  return {
    workerId,
    /** Look for work now (a fire committed in this process: no need to wait for its NOTIFY). */
    wake(): void {
      wake.notify();
    },
    async start(): Promise<void> {
      if (loopDone) return;
      stopping = false;
      unlisten = await o.listen(HEARTBEAT_CHANNEL, () => wake.notify());
      loopDone = loop();
      o.logger?.info({ workerId, concurrency, perAgent }, "dispatcher started");
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
      const all = Promise.all([...unrecorded].map((e) => e.done));
      if (Number.isFinite(abandonAfterMs)) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((r) => (timer = setTimeout(r, abandonAfterMs)))]);
        clearTimeout(timer);
        for (const entry of delivering) {
          entry.abandoned = true;
          entry.controller.abort();
        }
      }
      await all;
      await unlisten?.();
      outage?.close();
      loopDone = undefined;
    },
    /** Deliveries in progress (for tests and health). */
    get inFlight(): number {
      return delivering.size;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * The scheduler loop of one process. It fires due triggers, then sleeps until the earliest
 * `nextRunAt` (capped), or until a NOTIFY says triggers changed — no fixed tick, no busy polling.
 * The time comes from the scheduling service's `now()`, the database clock: every process of a
 * cluster agrees on it. The loop reaches the store only through that service. Timers are injectable
 * so tests drive the loop without sleeping.
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { transientDatabaseError } from "../domain/database-errors";
import { createOutageLog } from "../services/database-outage";
import type { SchedulingService, TickResult } from "../services/scheduling";

export interface SchedulerOptions {
  scheduling: Pick<SchedulingService, "runDue" | "earliestDue" | "now" | "onTriggersChanged">;
  log: Pick<Logger, "error" | "warn" | "info" | "debug">;
  /** Longest sleep, so a lost NOTIFY delays work by at most this (default 60 s). */
  maxSleepMs?: number;
  /** Sleep after an error (database down) before trying again (default 1 s). */
  retryMs?: number;
  /** Sleep when due triggers are held by another process (default 50 ms). */
  contendedMs?: number;
  /**
   * Triggers claimed per transaction (default 500): a batch is planned in memory and written by one
   * statement, so a burst goes faster in large batches; an ordinary tick claims only what is due.
   */
  batchSize?: number;
  /**
   * When more is due than one batch holds: how many batches to fire at once, each its own
   * transaction on its own connection (default 2, one per core of a small machine; keep it below the
   * pool size).
   */
  parallelBatches?: number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

/** What the loop tells: a tick that claimed triggers (its totals), and each sleep it starts (in ms). */
export interface SchedulerEvents {
  fired: [TickResult];
  /** A batch with fires committed (its heartbeat runs are claimable): the dispatcher of this process wakes. */
  committed: [TickResult];
  sleep: [number];
}

export interface Scheduler extends EventEmitter<SchedulerEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Fires everything due now; the loop calls it, tests may too. */
  tick(): Promise<TickResult>;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { scheduling, log } = opts;
  const now = () => scheduling.now();
  const maxSleepMs = opts.maxSleepMs ?? 60_000;
  const retryMs = opts.retryMs ?? 1_000;
  const contendedMs = opts.contendedMs ?? 50;
  const batchSize = opts.batchSize ?? 500;
  const parallelBatches = opts.parallelBatches ?? 2;
  const timers = opts.timers ?? { setTimeout, clearTimeout };
  const events = new EventEmitter<SchedulerEvents>() as Scheduler;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let wakeRequested = false;
  let unlisten: (() => Promise<void>) | undefined;
  // The database being down is logged once when it happens and once when it is back, not every retry.
  const outage = createOutageLog({ log, component: "scheduler" });

  async function tick(): Promise<TickResult> {
    const total: TickResult = { triggers: 0, fired: 0, dropped: 0, more: false };
    const batch = async () => {
      const result = await scheduling.runDue(await now(), batchSize);
      total.triggers += result.triggers;
      total.fired += result.fired;
      total.dropped += result.dropped;
      // Heartbeat runs of this batch are committed: the dispatcher of this process need not wait for the NOTIFY.
      if (result.fired) events.emit("committed", result);
      return result.more;
    };
    // One batch; when it was full (a burst), several at once until the burst is fired.
    if ((await batch()) && running) {
      const lanes = await Promise.allSettled(
        Array.from({ length: parallelBatches }, async () => {
          while ((await batch()) && running);
        }),
      );
      const failed = lanes.find((l) => l.status === "rejected");
      if (failed) throw failed.reason;
    }
    if (total.triggers) events.emit("fired", total);
    return total;
  }

  /**
   * How long to sleep: until the earliest due time. A due time already past means another process
   * holds that trigger right now (we skipped it): look again shortly rather than spin.
   */
  async function sleepDelay(): Promise<number> {
    const [earliest, current] = await Promise.all([scheduling.earliestDue(), now()]);
    if (!earliest) return maxSleepMs;
    const delay = earliest.getTime() - current.getTime();
    return delay <= 0 ? contendedMs : Math.min(maxSleepMs, delay);
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = undefined;
      loop = loop.then(cycle);
    }, delayMs);
  }

  async function cycle(): Promise<void> {
    if (!running) return;
    wakeRequested = false;
    try {
      await tick();
      const delay = wakeRequested ? 0 : await sleepDelay();
      outage.succeeded();
      events.emit("sleep", delay);
      schedule(delay);
    } catch (err) {
      const transient = transientDatabaseError(err);
      if (transient?.kind === "unavailable") outage.failed(transient.cause);
      else log.error({ err }, "scheduler cycle failed; retrying");
      schedule(retryMs);
    }
  }

  function wake(): void {
    wakeRequested = true;
    schedule(0);
  }

  events.tick = tick;
  events.start = async () => {
    if (running) return;
    running = true;
    unlisten = await scheduling.onTriggersChanged(wake);
    schedule(0);
  };
  events.stop = async () => {
    running = false;
    if (timer) timers.clearTimeout(timer);
    timer = undefined;
    await unlisten?.();
    await loop;
  };
  return events;
}

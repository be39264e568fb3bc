/**
 * The scheduler loop of one process. It fires due triggers, then sleeps until the earliest
 * `nextRunAt` (capped), or until a NOTIFY says triggers changed — no fixed tick, no busy polling.
 * The time comes from the scheduling service's `now()`, the database clock: every process of a
 * cluster agrees on it. It is read when the loop is about to sleep, not when it wakes: a wake-up claims at
 * once, on the clock extrapolated from the last reading (`database-clock.ts`), and the claim never takes a
 * time ahead of the database's own. The loop reaches the store only through that service. Timers and the
 * monotonic clock are injectable so tests drive the loop without sleeping.
 */
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { transientDatabaseError } from "../domain/database-errors";
import { createOutageLog } from "../services/database-outage";
import type { SchedulingService, TickResult } from "../services/scheduling";
import { createDatabaseClock } from "./database-clock";

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
  /** This process's monotonic clock in ms (default `performance.now()`), to extrapolate the database clock. */
  monotonic?: () => number;
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
  const clock = createDatabaseClock(() => scheduling.now(), opts.monotonic);
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
  /** Every trigger due at or before this was looked at by the last claim (claimed, or held by another process). */
  let lookedUpTo = -Infinity;
  /** The database time the current timer waits for (a timer may fire a little early). */
  let wakeAt: number | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  // The database being down is logged once when it happens and once when it is back, not every retry.
  const outage = createOutageLog({ log, component: "scheduler" });

  async function tick(): Promise<TickResult> {
    const total: TickResult = { triggers: 0, fired: 0, dropped: 0, more: false };
    const batch = async () => {
      // The extrapolated clock (read only before the first claim); the claim caps it at the database's now().
      if (clock.estimate() === undefined) await clock.read();
      const at = clock.estimate()!;
      const result = await scheduling.runDue(new Date(at), batchSize, { notAfterDatabaseClock: true });
      lookedUpTo = Math.max(lookedUpTo, at);
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
   * How long to sleep: until the earliest due time, counted from now on a fresh reading of the database
   * clock (not from when the database read it). A due time already past that the last claim looked at
   * means another process holds that trigger right now: look again shortly rather than spin. One the
   * claim may not have reached (its extrapolated clock ran behind) is looked at again at once.
   */
  async function sleepDelay(): Promise<{ delay: number; at?: number }> {
    const [earliest] = await Promise.all([scheduling.earliestDue(), clock.read()]);
    if (!earliest) return { delay: maxSleepMs };
    const due = earliest.getTime();
    const delay = due - clock.estimate()!;
    if (delay > 0) return delay > maxSleepMs ? { delay: maxSleepMs } : { delay, at: due };
    return { delay: due <= lookedUpTo ? contendedMs : 0 };
  }

  function schedule(delayMs: number, at?: number): void {
    if (!running) return;
    if (timer) timers.clearTimeout(timer);
    wakeAt = at;
    timer = timers.setTimeout(() => {
      timer = undefined;
      // A timer can fire a little before its time (the event loop's clock is coarse): wait out the rest.
      const early = wakeAt === undefined ? 0 : wakeAt - clock.estimate()!;
      if (early > 0) return schedule(early, wakeAt);
      loop = loop.then(cycle);
    }, delayMs);
  }

  async function cycle(): Promise<void> {
    if (!running) return;
    wakeRequested = false;
    try {
      await tick();
      const next = wakeRequested ? undefined : await sleepDelay();
      // A NOTIFY heard while this cycle ran (even while it read the clock to sleep) may be about a trigger its
      // claim did not see: look again at once rather than let this sleep replace the wake-up.
      const { delay, at } = wakeRequested || !next ? { delay: 0, at: undefined } : next;
      outage.succeeded();
      events.emit("sleep", delay);
      schedule(delay, at);
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

/**
 * The scheduler's use case: at time `now`, claim due schedule triggers, fire every occurrence they owe (catch-up
 * policy applied), record what was dropped, and advance `nextRunAt`, all in one fire batch and transaction.
 * Exactly once per (trigger, scheduled time) is a database fact: SKIP LOCKED splits the work, the unique
 * (trigger_id, scheduled_for) index forbids a second run for the same slot.
 *
 * A batch is three statements however many triggers: the claim (which locks the triggers and their routines),
 * the batch's context read, and its write. When it fails, the batch's triggers are tried one by one
 * (`togetherOrOneByOne`): a broken trigger is noted as failed and moved on, the others still fire.
 */
import type { Logger } from "pino";
import type { Config } from "../config";
import { droppedReason, planCatchUp } from "../domain/catch-up";
import { nextAfter } from "../domain/cron";
import { type Firing, togetherOrOneByOne } from "../firing/batch";
import type { FireRequest } from "../firing/plan";
import { CHANNELS } from "../domain/channels";
import { type Db, type Executor, type Store, dbNow } from "../store/db";
import { type DueTrigger, dueTriggersRepo } from "../store/repos/due-triggers";

export interface TickResult {
  triggers: number;
  fired: number;
  dropped: number;
  /** True when the batch was full: more triggers may be due right now. */
  more: boolean;
}

/** What one due trigger owes at `now`. */
interface Owed {
  due: DueTrigger;
  fires: FireRequest[];
  dropped: { count: number; scheduledFor: Date; reason: string } | null;
  nextRunAt: Date | null;
}

export interface SchedulingDeps {
  db: Db;
  config: Pick<Config, "scheduler">;
  firing: Firing;
  log?: Pick<Logger, "error">;
  /** LISTEN for NOTIFYs (`Store.listen`): wakes the loop when schedule triggers change. */
  listen?: Store["listen"];
}

export function createSchedulingService({ db, config, firing, log, listen }: SchedulingDeps) {
  const { graceSec, catchUpCap } = config.scheduler;

  /** The occurrences a trigger owes (catch-up policy applied), the ones it drops, and its next run. */
  function owedBy(due: DueTrigger, now: Date): Owed {
    const { trigger, routine } = due;
    const { cronExpression, timezone } = trigger;
    const caughtUp = planCatchUp({
      nextRunAt: trigger.nextRunAt,
      now,
      graceMs: graceSec * 1000,
      policy: routine.catchUpPolicy,
      cap: catchUpCap,
      next: (after) => nextAfter(cronExpression, timezone, after),
    });
    const fires = caughtUp.fire.map((scheduledFor): FireRequest => ({
      routineId: routine.id,
      triggerId: trigger.id,
      source: "schedule",
      scheduledFor,
      payload: { scheduledFor: scheduledFor.toISOString() },
    }));
    const dropped = caughtUp.dropped && {
      count: caughtUp.dropped.count,
      scheduledFor: caughtUp.dropped.last,
      reason: droppedReason(caughtUp.dropped, routine.catchUpPolicy, graceSec, catchUpCap),
    };
    return { due, fires, dropped, nextRunAt: caughtUp.nextRunAt };
  }

  /** Fires what `dues` owe in one batch; per trigger, how many occurrences it fired and dropped. */
  async function fireDue(tx: Executor, dues: DueTrigger[], now: Date): Promise<{ fired: number; dropped: number }[]> {
    if (dues.length === 0) return [];
    const owed = dues.map((d) => owedBy(d, now));
    const batch = await firing.open(tx, { fires: owed.flatMap((o) => o.fires), claimed: dues });
    batch.fire();
    for (const { due, dropped, nextRunAt } of owed) {
      if (dropped) batch.drop(due.routine, due.trigger, dropped);
      batch.mark(due.trigger.id, { nextRunAt });
    }
    await batch.flushQuietly();
    return owed.map((o) => ({ fired: o.fires.length, dropped: o.dropped?.count ?? 0 }));
  }

  return {
    /**
     * One batch of due triggers at `at` (the database clock in production). With `notAfterDatabaseClock` (the
     * scheduler, whose `at` is extrapolated) the batch runs at the earlier of `at` and the transaction's own
     * `now()`, so an estimate running ahead of the database never fires an occurrence before it is due.
     */
    async runDue(at: Date, batchSize = 50, opts: { notAfterDatabaseClock?: boolean } = {}): Promise<TickResult> {
      let claimed = 0;
      let now = at;
      const results = await togetherOrOneByOne(db, {
        items: async (tx) => {
          const { due, txNow } = await dueTriggersRepo.claim(tx, at, batchSize, opts.notAfterDatabaseClock);
          if (opts.notAfterDatabaseClock && txNow && txNow < at) now = txNow;
          claimed = due.length;
          return due;
        },
        together: (tx, dues) => fireDue(tx, dues, now),
        failed: (due, err) => {
          log?.error({ err, triggerId: due.trigger.id }, "schedule trigger failed to fire");
          return { fired: 0, dropped: 0 };
        },
        // A broken trigger moves on to its next occurrence, saying why it did not fire.
        afterwards: async (tx, failures) => {
          const batch = await firing.open(tx, { fires: [], claimed: failures.map((f) => f.item) });
          for (const { item, err } of failures) {
            batch.mark(item.trigger.id, { nextRunAt: nextAfterSafe(item, now), lastResult: `Failed to fire: ${(err as Error).message}`.slice(0, 500) });
          }
          await batch.flushQuietly();
        },
      });
      return {
        triggers: claimed,
        fired: results.reduce((n, r) => n + r.fired, 0),
        dropped: results.reduce((n, r) => n + r.dropped, 0),
        more: claimed === batchSize,
      };
    },
    earliestDue: () => dueTriggersRepo.earliestDue(db),
    /** The database clock, the one every process of a cluster agrees on. */
    now: () => dbNow(db),
    /** Calls `wake` whenever schedule triggers change (on any process); returns how to stop. */
    async onTriggersChanged(wake: () => void): Promise<() => Promise<void>> {
      if (!listen) return async () => {};
      return listen(CHANNELS.triggers, wake);
    },
  };
}

function nextAfterSafe({ trigger }: DueTrigger, now: Date): Date | null {
  try {
    return nextAfter(trigger.cronExpression, trigger.timezone, now);
  } catch {
    return null;
  }
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;

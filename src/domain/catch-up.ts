/**
 * What a schedule trigger owes when the scheduler looks at it at `now`: every occurrence from its
 * stored `nextRunAt` up to now. Occurrences found within the grace period fire normally; older ones
 * are *missed* and the catch-up policy decides:
 * - `skip_missed`: all missed occurrences are dropped (recorded once, with how many and which);
 * - `enqueue_missed_with_cap`: missed occurrences fire oldest first up to `cap`; the rest are dropped.
 * Pure: the cron evaluator and the clock are parameters.
 */
import type { CatchUpPolicy } from "./enums";

export interface Dropped {
  count: number;
  first: Date;
  last: Date;
  /** True when there were more occurrences than `maxScan` looks at: `count` is a lower bound. */
  atLeast: boolean;
}

export interface CatchUpPlan {
  /** Occurrences to fire, oldest first. */
  fire: Date[];
  dropped: Dropped | null;
  /** The first occurrence after `now`: the trigger's new `nextRunAt`. */
  nextRunAt: Date | null;
}

export interface CatchUpInput {
  nextRunAt: Date;
  now: Date;
  graceMs: number;
  policy: CatchUpPolicy;
  cap: number;
  /** The occurrence strictly after a time (cron in the trigger's zone). */
  next: (after: Date) => Date | null;
  maxScan?: number;
}

export function planCatchUp({ nextRunAt, now, graceMs, policy, cap, next, maxScan = 10_000 }: CatchUpInput): CatchUpPlan {
  const missed: Date[] = [];
  const onTime: Date[] = [];
  let occurrence: Date | null = nextRunAt;
  let scanned = 0;
  while (occurrence && occurrence.getTime() <= now.getTime() && scanned < maxScan) {
    (now.getTime() - occurrence.getTime() > graceMs ? missed : onTime).push(occurrence);
    occurrence = next(occurrence);
    scanned++;
  }
  const atLeast = occurrence !== null && occurrence.getTime() <= now.getTime();
  const nextRun = atLeast ? next(now) : occurrence;
  const firedMissed = policy === "enqueue_missed_with_cap" ? missed.slice(0, cap) : [];
  const droppedList = missed.slice(firedMissed.length);
  return {
    fire: [...firedMissed, ...onTime],
    dropped: droppedList.length
      ? { count: droppedList.length, first: droppedList[0]!, last: droppedList[droppedList.length - 1]!, atLeast }
      : null,
    nextRunAt: nextRun,
  };
}

/** The failure reason of the run that records dropped occurrences. */
export function droppedReason(d: Dropped, policy: CatchUpPolicy, graceSec: number, cap: number): string {
  const count = `${d.atLeast ? "at least " : ""}${d.count} missed scheduled run${d.count === 1 && !d.atLeast ? "" : "s"}`;
  const span = d.count === 1 ? d.first.toISOString() : `${d.first.toISOString()} … ${d.last.toISOString()}`;
  const why =
    policy === "skip_missed"
      ? "catch-up policy skip_missed drops occurrences found more than " + graceSec + " s late"
      : `beyond the catch-up cap of ${cap}`;
  return `Dropped ${count} (${span}): ${why}`;
}

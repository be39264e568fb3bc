/**
 * A plan of fires: what one or many fires decided, held in memory under their routines' locks until
 * `firing.flush` writes it all at once (issue numbers in one statement, every row in another). A plan
 * also remembers what its fires changed, so that the next fire of the same routine in the plan decides
 * on it without asking the database: the routine's active execution, the idempotency keys taken.
 */
import type { ActivityInsert } from "../store/repos/activity";
import type { CommentInsert, IssueInsert, RunInsert } from "../store/repos/fire";
import type { IssueRow } from "../store/repos/issues";
import type { RunRow } from "../store/repos/runs";

/** An open execution issue as a fire sees it: one in the database, or one this plan will create. */
export interface ActiveExecution {
  id: string;
  originRunId: string | null;
  /** Known for an issue in the database; set by the flush for a planned one (its number is allocated then). */
  identifier: string | null;
}

export const executionOf = (issue: IssueRow): ActiveExecution => ({
  id: issue.id,
  originRunId: issue.originRunId,
  identifier: issue.identifier,
});

/** A run to write; its text may name an issue this plan creates, so it may be a function, called once numbered. */
export type PlannedRun = Omit<RunInsert, "failureReason"> & { failureReason: string | null | (() => string) };

/**
 * The execution issue of a run that creates one (and the heartbeat run that wakes its assignee); its id and
 * number come from `execution` when the plan is flushed.
 */
export type PlannedIssue = Omit<IssueInsert, "id" | "issueNumber" | "identifier"> & { execution: ActiveExecution };

/** A system comment on an issue, written only if its run is. */
export type PlannedComment = CommentInsert;

/** The trigger and routine fields fires set; a later fire's value replaces an earlier one's. */
export interface TriggerMark {
  lastFiredAt?: Date;
  lastResult?: string | null;
  nextRunAt?: Date | null;
}
export interface RoutineMark {
  lastTriggeredAt?: Date;
  lastEnqueuedAt?: Date;
}

export interface FirePlan {
  runs: PlannedRun[];
  issues: PlannedIssue[];
  comments: PlannedComment[];
  /** Routine id → its active execution (null: none), as the batch owner read it and the plan changed it. */
  active: Map<string, ActiveExecution | null>;
  /**
   * Idempotency keys (`keyOf`) → the run that holds it: planned here, or found in the database
   * (`existing`); null: none. The batch owner looks every key of its fires up before planning them.
   */
  keys: Map<string, { runId: string; existing?: RunRow } | null>;
  triggerMarks: Map<string, TriggerMark>;
  routineMarks: Map<string, RoutineMark>;
  /** Fingerprints of accepted webhook deliveries, recorded with the fires (replay protection). */
  replays: { triggerId: string; fingerprint: string; retentionSec: number }[];
  /** The activity log entry of each run, written only if its run is. */
  activity: ActivityInsert[];
}

export function newFirePlan(): FirePlan {
  return { runs: [], issues: [], comments: [], active: new Map(), keys: new Map(), triggerMarks: new Map(), routineMarks: new Map(), replays: [], activity: [] };
}

/** An idempotency key is unique per routine and trigger (no trigger counts as one). */
export function keyOf(routineId: string, triggerId: string | null | undefined, key: string): string {
  return `${routineId}/${triggerId ?? "-"}/${key}`;
}

/**
 * Tells the plan the active execution of each of `routineIds` as a read found it (`found`, by routine id;
 * a routine missing from it has none): what their fires decide on.
 */
export function knowActive(plan: FirePlan, routineIds: Iterable<string>, found: Map<string, IssueRow>): void {
  for (const id of routineIds) {
    const issue = found.get(id);
    plan.active.set(id, issue ? executionOf(issue) : null);
  }
}

export function markTrigger(plan: FirePlan, id: string, mark: TriggerMark): void {
  plan.triggerMarks.set(id, { ...plan.triggerMarks.get(id), ...mark });
}

export function markRoutine(plan: FirePlan, id: string, mark: RoutineMark): void {
  plan.routineMarks.set(id, { ...plan.routineMarks.get(id), ...mark });
}

export const isEmptyPlan = (plan: FirePlan): boolean =>
  plan.runs.length === 0 && plan.triggerMarks.size === 0 && plan.routineMarks.size === 0 && plan.replays.length === 0;

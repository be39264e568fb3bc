/**
 * A plan of fires: what one or many fires decided, held in memory under their routines' locks until
 * `firing.flush` writes it all at once (issue numbers in one statement, every row in another). A plan
 * also remembers what its fires changed, so that the next fire of the same routine in the plan decides
 * on it without asking the database: the routine's active execution, the idempotency keys taken.
 */
import type { RunSource, RunStatus } from "../domain/enums";
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

export interface PlannedRun {
  id: string;
  companyId: string;
  routineId: string;
  triggerId: string | null;
  source: RunSource;
  status: RunStatus;
  triggeredAt: Date;
  scheduledFor: Date | null;
  idempotencyKey: string | null;
  triggerPayload: Record<string, unknown> | null;
  linkedIssueId: string | null;
  coalescedIntoRunId: string | null;
  /** A function when the text names an issue this plan creates: it is known once the issue is numbered. */
  failureReason: string | null | (() => string);
  completedAt: Date | null;
}

/** The execution issue of a run that creates one, and the heartbeat run that wakes its assignee. */
export interface PlannedIssue {
  execution: ActiveExecution;
  companyId: string;
  routineId: string;
  runId: string;
  projectId: string | null;
  goalId: string | null;
  parentId: string | null;
  title: string;
  description: string | null;
  priority: string;
  assigneeAgentId: string | null;
  context: Record<string, unknown>;
}

/** A system comment on an issue, written only if its run is. */
export interface PlannedComment {
  companyId: string;
  issueId: string;
  runId: string;
  body: string;
}

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
  /** Routine id → its active execution (null: none). Absent: not known yet, the fire reads it. */
  active: Map<string, ActiveExecution | null>;
  /**
   * Idempotency keys (`keyOf`) → the run that holds it: planned here, or found in the database
   * (`existing`). Absent: not known yet, the fire reads it.
   */
  keys: Map<string, { runId: string; existing?: RunRow } | null>;
  triggerMarks: Map<string, TriggerMark>;
  routineMarks: Map<string, RoutineMark>;
  /** Fingerprints of accepted webhook deliveries, recorded with the fires (replay protection). */
  replays: { triggerId: string; fingerprint: string; retentionSec: number }[];
}

export function newFirePlan(): FirePlan {
  return { runs: [], issues: [], comments: [], active: new Map(), keys: new Map(), triggerMarks: new Map(), routineMarks: new Map(), replays: [] };
}

/** An idempotency key is unique per routine and trigger (no trigger counts as one). */
export function keyOf(routineId: string, triggerId: string | null | undefined, key: string): string {
  return `${routineId}/${triggerId ?? "-"}/${key}`;
}

export function markTrigger(plan: FirePlan, id: string, mark: TriggerMark): void {
  plan.triggerMarks.set(id, { ...plan.triggerMarks.get(id), ...mark });
}

export function markRoutine(plan: FirePlan, id: string, mark: RoutineMark): void {
  plan.routineMarks.set(id, { ...plan.routineMarks.get(id), ...mark });
}

export const isEmptyPlan = (plan: FirePlan): boolean =>
  plan.runs.length === 0 && plan.triggerMarks.size === 0 && plan.routineMarks.size === 0 && plan.replays.length === 0;

/**
 * The rows a plan of fires writes, as the write statement takes them: JSON records, one list per table, their keys
 * the statement's record columns (so they are sent as they are, without a copy per row).
 */
import type { ActorColumns } from "../../../domain/activity-entry";
import type { RunSource, RunStatus } from "../../../domain/enums";

export interface RunInsert {
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
  /** The routine's revision the run fired with, and Paperclip's fingerprint of what it dispatches. */
  routineRevisionId: string | null;
  dispatchFingerprint: string | null;
  /** A skipped or coalesced run's active issue; a skipped run's reason names it when read. */
  linkedIssueId: string | null;
  coalescedIntoRunId: string | null;
  failureReason: string | null;
  completedAt: Date | null;
}

/**
 * An execution issue; numbered from its company's counter by the write, which also writes its context (the
 * routine, the run, its source, trigger, occurrence and payload) from its run.
 */
export interface IssueInsert {
  id: string;
  companyId: string;
  routineId: string;
  /** The run that creates the issue: the issue is written only if the run is. */
  runId: string;
  projectId: string | null;
  goalId: string | null;
  parentId: string | null;
  title: string;
  description: string | null;
  priority: string;
  assigneeAgentId: string | null;
}

/** A system comment; written only if its run is. */
export interface CommentInsert {
  companyId: string;
  issueId: string;
  runId: string;
  body: string;
}

/**
 * A run's activity log entry (`routine.run_triggered` on the run): who fired it and the project its execution is
 * filed under; the write takes the rest (company, entity, details) from the run, and writes it only with its run.
 */
export interface RunActivityInsert extends ActorColumns {
  id: string;
  routineRunId: string;
  projectId: string | null;
  /** The heartbeat run the caller said it acted for (`X-Paperclip-Run-Id`). */
  runId: string | null;
}

/** A webhook delivery's fingerprint, kept until `now() + retentionSec` (replay protection). */
export interface ReplayInsert {
  triggerId: string;
  fingerprint: string;
  retentionSec: number;
}

/** Only the fields to set (a present null is written). */
export type Mark = { id: string } & Record<string, unknown>;

/** Everything a plan of fires writes. */
export interface FireRows {
  runs: RunInsert[];
  issues: IssueInsert[];
  comments: CommentInsert[];
  /** Fingerprints found absent or expired under the routines' locks. */
  replays: ReplayInsert[];
  /** The runs' activity log entries. */
  activity: RunActivityInsert[];
  /** Of the heartbeat runs that wake the issues' assignees. */
  maxAttempts: number;
  triggerMarks: Mark[];
  routineMarks: Mark[];
}

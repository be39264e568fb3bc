/**
 * A routine run's status after its fire: the one owner of every transition. A run that created its execution
 * issue (`issue_created`) ends when its work does:
 *
 * | event                                               | run                                                   |
 * |-----------------------------------------------------|-------------------------------------------------------|
 * | its issue moves to `done`                           | `completed`                                           |
 * | its issue moves to `cancelled` or `blocked`         | `failed`: "Execution issue moved to cancelled"        |
 * | its heartbeat run ends `failed` or `timed_out` for good | `failed`, with the heartbeat's reason             |
 * | the board retries its failed delivery               | back to `issue_created` (from `failed` only)          |
 *
 * Any other run (skipped, coalesced, already ended) keeps its status. Both transitions run in the statement or
 * transaction of the event, on the database clock.
 */
import { type SQL, sql } from "drizzle-orm";
import type { IssueStatus } from "../../domain/enums";
import type { Executor } from "../db";

/** What an issue's new status does to the run that created it, or null. */
export function runTransitionForIssue(status: IssueStatus): { status: "completed" | "failed"; failureReason: string | null } | null {
  if (status === "done") return { status: "completed", failureReason: null };
  if (status === "cancelled" || status === "blocked") return { status: "failed", failureReason: `Execution issue moved to ${status}` };
  return null;
}

export const runStatusRepo = {
  /** The run that created `issue` (an execution issue) follows its new status. */
  async issueMoved(tx: Executor, issue: { originKind: string | null; originRunId: string | null; status: IssueStatus }): Promise<void> {
    const transition = runTransitionForIssue(issue.status);
    if (!transition || issue.originKind !== "routine_execution" || !issue.originRunId) return;
    await tx.execute(sql`update routine_runs
       set status = ${transition.status}, failure_reason = ${transition.failureReason}, completed_at = now(), updated_at = now()
     where id = ${issue.originRunId} and status = 'issue_created'`);
  },

  /**
   * The runs of heartbeat runs that just ended failed or timed out for good fail with `reason`: an `update`
   * for a CTE of a heartbeat statement, where `ended` names the CTE of the ended heartbeat runs (with
   * `status` and `routine_run_id`), so the two change together.
   */
  /** A failed run waits on its execution again: the board queued a retry of its delivery. */
  async deliveryRetried(tx: Executor, routineRunId: string): Promise<void> {
    await tx.execute(sql`update routine_runs
       set status = 'issue_created', failure_reason = null, completed_at = null, updated_at = now()
     where id = ${routineRunId} and status = 'failed'`);
  },

  heartbeatEnded(ended: string, reason: SQL): SQL {
    return sql`
  update routine_runs r
     set status = 'failed', failure_reason = ${reason}, completed_at = now(), updated_at = now()
    from ${sql.raw(ended)} e
   where r.id = e.routine_run_id and e.status in ('failed', 'timed_out') and r.status = 'issue_created'`;
  },
};

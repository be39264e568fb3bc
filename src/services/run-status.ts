/**
 * What an issue's status change does beyond the issue, in the change's transaction: the routine run that
 * created it follows it (`store/repos/run-status.ts` owns every run transition), and a closed issue's pending
 * heartbeat runs are cancelled (the agent is not woken for work that is over).
 */
import type { Executor } from "../store/db";
import { heartbeatRunsRepo } from "../store/repos/heartbeat-runs";
import type { IssueRow } from "../store/repos/issues";
import { runStatusRepo } from "../store/repos/run-status";

export async function onIssueStatusChange(tx: Executor, issue: IssueRow): Promise<void> {
  if (issue.status === "done" || issue.status === "cancelled") {
    await heartbeatRunsRepo.cancelPendingForIssue(tx, issue.id, `Issue moved to ${issue.status}`);
  }
  await runStatusRepo.issueMoved(tx, issue);
}

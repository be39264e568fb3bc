/** Runs as Paperclip serves them (`RoutineRunSummary`): each with its linked issue and its trigger. */
import type { Executor } from "../store/db";
import { issuesRepo } from "../store/repos/issues";
import type { RunRow } from "../store/repos/runs";
import type { Trigger } from "../domain/trigger-kinds";
import { triggersRepo } from "../store/repos/triggers";
import { presentIssueSummary } from "./views";

export async function withRunContext(db: Executor, runs: RunRow[], knownTriggers?: Trigger[]) {
  const triggerIds = [...new Set(runs.flatMap((r) => (r.triggerId ? [r.triggerId] : [])))];
  const [issues, triggers] = await Promise.all([
    issuesRepo.byIds(db, runs.flatMap((r) => (r.linkedIssueId ? [r.linkedIssueId] : []))),
    knownTriggers ?? Promise.all(triggerIds.map((id) => triggersRepo.get(db, id))).then((ts) => ts.filter((t) => t !== undefined)),
  ]);
  return runs.map((run) => {
    const issue = run.linkedIssueId ? issues.get(run.linkedIssueId) : undefined;
    const trigger = triggers.find((t) => t.id === run.triggerId);
    return {
      ...run,
      linkedIssue: issue ? presentIssueSummary(issue) : null,
      trigger: trigger ? { id: trigger.id, kind: trigger.kind, label: trigger.label } : null,
    };
  });
}

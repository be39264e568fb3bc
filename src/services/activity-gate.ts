/**
 * The activity gate of scheduled fires: a gated routine fires only if someone other than its agent (and
 * routined) did something in its scope since its last dispatched run. Read under the claim's locks, before
 * the batch plans; the planner records a gated-out fire as a skipped run with the gate's reason.
 */
import { type GateDecision, decideGate, gateApplies } from "../domain/activity-gate";
import type { Executor } from "../store/db";
import { activityRepo } from "../store/repos/activity";
import type { DueTrigger } from "../store/repos/due-triggers";
import { projectsRepo } from "../store/repos/projects";
import { runsRepo } from "../store/repos/runs";

/** The gate's decision for each gated routine of `due` (routine id → decision). Ungated routines read nothing. */
export async function gateDecisions(tx: Executor, due: DueTrigger[]): Promise<Map<string, GateDecision>> {
  const decisions = new Map<string, GateDecision>();
  for (const { routine } of due) {
    if (decisions.has(routine.id) || !gateApplies({ policy: routine.activityGatePolicy, source: "schedule" })) continue;
    const scopedProject = routine.activityGateScope === "project" ? routine.projectId : null;
    const [lastDispatchedAt, project] = await Promise.all([
      runsRepo.lastDispatchedAt(tx, routine.id),
      scopedProject ? projectsRepo.get(tx, scopedProject) : undefined,
    ]);
    const firstOutsideActivityAt = lastDispatchedAt
      ? await activityRepo.firstOutside(tx, { companyId: routine.companyId, projectId: scopedProject, agentId: routine.assigneeAgentId, since: lastDispatchedAt })
      : null;
    decisions.set(
      routine.id,
      decideGate({
        policy: routine.activityGatePolicy,
        scope: routine.activityGateScope,
        source: "schedule",
        project: project ? { id: project.id, name: project.name } : null,
        lastDispatchedAt,
        firstOutsideActivityAt,
      }),
    );
  }
  return decisions;
}

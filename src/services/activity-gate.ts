/**
 * The activity gate of scheduled fires: a gated routine fires only if someone other than its agent (and
 * routined) did something in its scope since its last dispatched run. Read under the claim's locks, before
 * the batch plans; the planner records a gated-out fire as a skipped run with the gate's reason.
 */
import { type GateDecision, decideGate, gateApplies } from "../domain/activity-gate";
import type { Executor } from "../store/db";
import { activityRepo } from "../store/repos/activity";
import type { DueTrigger } from "../store/repos/due-triggers";

/** The gate's decision for each gated routine of `due` (routine id → decision): one read for all of them, none when none is gated. */
export async function gateDecisions(tx: Executor, due: DueTrigger[]): Promise<Map<string, GateDecision>> {
  const gated = new Map(due.filter(({ routine }) => gateApplies({ policy: routine.activityGatePolicy, source: "schedule" })).map((d) => [d.routine.id, d.routine]));
  const facts = await activityRepo.gateFacts(tx, [...gated.keys()]);
  return new Map(
    [...gated].map(([id, routine]) => {
      const f = facts.get(id) ?? { project: null, lastDispatchedAt: null, firstOutsideActivityAt: null };
      return [id, decideGate({ policy: routine.activityGatePolicy, scope: routine.activityGateScope, source: "schedule", ...f })];
    }),
  );
}

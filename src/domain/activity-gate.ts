/**
 * The activity gate: a scheduled fire of a routine with `activityGatePolicy: "require_external_activity"`
 * wakes its agent only if someone other than that agent did something in the gate's scope (the company, or
 * the routine's project) since the routine's last dispatched run. Pure: the facts are read by the caller.
 */
import type { ActivityGatePolicy, ActivityGateScope, RunSource } from "./enums";

export interface GateFacts {
  policy: ActivityGatePolicy;
  scope: ActivityGateScope;
  source: RunSource;
  /** The routine's project (name for the reason); null for a routine without one. */
  project: { id: string; name: string } | null;
  /** When the routine's last dispatched run (one that was not skipped or coalesced) was triggered; null: never. */
  lastDispatchedAt: Date | null;
  /** The first activity in scope after `lastDispatchedAt` by anyone but the routine's agent and routined itself; null: none. */
  firstOutsideActivityAt: Date | null;
}

export type GateDecision = { fire: true } | { fire: false; reason: string };

/** Whether the gate applies to this fire at all: only scheduled fires of gated routines that have fired before. */
export function gateApplies(f: Pick<GateFacts, "policy" | "source">): boolean {
  return f.policy === "require_external_activity" && f.source === "schedule";
}

export function decideGate(f: GateFacts): GateDecision {
  if (!gateApplies(f) || f.lastDispatchedAt === null) return { fire: true };
  if (f.scope === "project" && !f.project) {
    return { fire: false, reason: "Skipped: activity gate scope is project, but the routine has no project" };
  }
  if (f.firstOutsideActivityAt !== null && f.firstOutsideActivityAt > f.lastDispatchedAt) return { fire: true };
  const where = f.scope === "project" ? `project ${f.project!.name}` : "the company";
  return { fire: false, reason: `Skipped: no activity in ${where} since ${f.lastDispatchedAt.toISOString()}` };
}

/**
 * What a fire does when the routine may already be running: the concurrency policy applied to
 * whether the routine has an active execution (an open execution issue).
 *
 * - `always_enqueue`: always a new execution issue.
 * - `skip_if_active`: recorded as `skipped`, linked to the active issue; nothing else happens.
 * - `coalesce_if_active`: recorded as `coalesced`, linked to the active issue, and the payload is
 *   attached to that issue so the agent working on it sees it.
 */
import type { ConcurrencyPolicy } from "./enums";

export type ConcurrencyOutcome = "create" | "skip" | "coalesce";

export function decideConcurrency(policy: ConcurrencyPolicy, hasActiveExecution: boolean): ConcurrencyOutcome {
  if (!hasActiveExecution || policy === "always_enqueue") return "create";
  return policy === "skip_if_active" ? "skip" : "coalesce";
}

/** The comment a coalesced fire leaves on the active issue. */
export function coalescedComment(source: string, at: Date, payload: Record<string, unknown> | null): string {
  const body = payload && Object.keys(payload).length ? JSON.stringify(payload) : "(no payload)";
  return `Coalesced ${source} fire at ${at.toISOString()}: ${body}`;
}

/** The access rules of the spec, in one place. */
import type { Actor } from "../domain/actor";
import { forbidden } from "../domain/errors";

/** Agents act only inside their own company. */
export function assertCompanyAccess(actor: Actor, companyId: string): void {
  if (actor.kind === "agent" && actor.companyId !== companyId) {
    throw forbidden("Agents can only access their own company");
  }
}

export function assertBoard(actor: Actor, what: string): void {
  if (actor.kind !== "board") throw forbidden(`Only the board can ${what}`);
}

/** Agents manage only routines assigned to themselves (spec: "own only"). */
export function assertManagesRoutine(actor: Actor, routine: { companyId: string; assigneeAgentId: string | null }): void {
  assertCompanyAccess(actor, routine.companyId);
  if (actor.kind === "agent" && routine.assigneeAgentId !== actor.agentId) {
    throw forbidden("Agents can only manage routines assigned to themselves");
  }
}

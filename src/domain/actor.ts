/**
 * Who is making a request: the board (operators) or one agent of one company. `runId` is the heartbeat run the
 * caller says it acts for (Paperclip's `X-Paperclip-Run-Id` header): recorded with what it changes, an audit
 * trail from a change back to the wake-up that made it.
 */
export type Actor =
  | { kind: "board"; runId?: string }
  | { kind: "agent"; agentId: string; companyId: string; keyId: string; runId?: string };

export const BOARD: Actor = { kind: "board" };

/** Paperclip's board user id for the board (a local board has no user of its own). */
export const BOARD_USER_ID = "board";

/** The `…ByAgentId` / `…ByUserId` pair a change records. */
export function authorOf(actor: Actor): { agentId: string | null; userId: string | null } {
  return actor.kind === "agent" ? { agentId: actor.agentId, userId: null } : { agentId: null, userId: BOARD_USER_ID };
}

/**
 * The routine lifecycle: `active ↔ paused`, either `→ archived`; archived is terminal.
 * Returns what a status change means, or the reason it is refused.
 */
import type { RoutineStatus } from "./enums";

export type StatusChange =
  | { ok: true; resumed: boolean }
  | { ok: false; reason: "archived" };

export function changeStatus(from: RoutineStatus, to: RoutineStatus | undefined): StatusChange {
  if (to === undefined || to === from) return { ok: true, resumed: false };
  if (from === "archived") return { ok: false, reason: "archived" };
  return { ok: true, resumed: to === "active" };
}

/**
 * What a draft lacks before it may be active and fire: a default agent (`assigneeAgentId`) and a project
 * (`projectId`). Empty for a complete routine.
 */
export function draftGaps(r: { assigneeAgentId: string | null; projectId: string | null }): ("assigneeAgentId" | "projectId")[] {
  const gaps: ("assigneeAgentId" | "projectId")[] = [];
  if (!r.assigneeAgentId) gaps.push("assigneeAgentId");
  if (!r.projectId) gaps.push("projectId");
  return gaps;
}

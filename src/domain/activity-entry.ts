/** An activity log entry as written: who did what to which entity (pure; the store writes it). */
import { type Actor, BOARD_USER_ID } from "./actor";

export interface ActivityEntry {
  companyId: string;
  action: string;
  entityType: "routine" | "routine_trigger" | "routine_run" | "issue" | "issue_comment" | "project";
  entityId: string;
  projectId?: string | null;
  runId?: string | null;
  details?: Record<string, unknown>;
}

export interface ActivityRecord {
  companyId: string;
  actorType: "user" | "agent" | "system";
  actorId: string;
  agentId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  projectId: string | null;
  runId: string | null;
  details: Record<string, unknown> | null;
}

/** Who an activity row says did it. */
export type ActorColumns = Pick<ActivityRecord, "actorType" | "actorId" | "agentId">;

const SYSTEM: ActorColumns = Object.freeze({ actorType: "system", actorId: "routined", agentId: null });

/** The actor columns of an activity row done by `actor` (`"system"`: routined itself). */
export function actorColumns(actor: Actor | "system"): ActorColumns {
  if (actor === "system") return SYSTEM;
  return actor.kind === "agent" ? { actorType: "agent", actorId: actor.agentId, agentId: actor.agentId } : { actorType: "user", actorId: BOARD_USER_ID, agentId: null };
}

/** The activity row of `entry` done by `actor` (`"system"`: routined itself). */
export function activityRow(actor: Actor | "system", entry: ActivityEntry): ActivityRecord {
  const who = actorColumns(actor);
  // Field by field: spreading `entry` over `who` and then overwriting some of its keys took V8's slow path
  // (~10 µs a row: a quarter of a scheduled fire's CPU time in a burst).
  return {
    actorType: who.actorType,
    actorId: who.actorId,
    agentId: who.agentId,
    companyId: entry.companyId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    projectId: entry.projectId ?? null,
    runId: entry.runId ?? (actor === "system" ? null : (actor.runId ?? null)),
    details: entry.details ?? null,
  };
}

/** The activity log: recording who did what (in the transaction of the change), and reading it back. */
import type { Actor } from "../domain/actor";
import { BOARD_USER_ID } from "../domain/actor";
import { badRequest } from "../domain/errors";
import type { ListActivityQuery } from "../domain/schemas/activity";
import type { Db, Executor } from "../store/db";
import { type ActivityInsert, activityRepo } from "../store/repos/activity";
import type { CompanyService } from "./companies";

export interface ActivityEntry {
  companyId: string;
  action: string;
  entityType: "routine" | "routine_trigger" | "routine_run" | "issue" | "issue_comment" | "project";
  entityId: string;
  projectId?: string | null;
  runId?: string | null;
  details?: Record<string, unknown>;
}

/** The activity row of `entry` done by `actor` (`"system"`: routined itself). */
export function activityRow(actor: Actor | "system", entry: ActivityEntry): ActivityInsert {
  const who =
    actor === "system"
      ? { actorType: "system" as const, actorId: "routined", agentId: null }
      : actor.kind === "agent"
        ? { actorType: "agent" as const, actorId: actor.agentId, agentId: actor.agentId }
        : { actorType: "user" as const, actorId: BOARD_USER_ID, agentId: null };
  return { ...who, ...entry, projectId: entry.projectId ?? null, runId: entry.runId ?? null, details: entry.details ?? null };
}

export async function logActivity(tx: Executor, actor: Actor | "system", entry: ActivityEntry): Promise<void> {
  await activityRepo.insert(tx, [activityRow(actor, entry)]);
}

export function createActivityService(db: Db, companies: CompanyService) {
  return {
    async list(actor: Actor, companyId: string, q: ListActivityQuery) {
      await companies.load(actor, companyId);
      let before: { createdAt: Date; id: string } | undefined;
      if (q.before) {
        const cursor = await activityRepo.get(db, q.before);
        if (!cursor || cursor.companyId !== companyId) throw badRequest("before: no activity with this id in this company");
        before = { createdAt: cursor.createdAt, id: cursor.id };
      }
      return activityRepo.list(db, companyId, { ...q, since: q.since ? new Date(q.since) : undefined, before });
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;

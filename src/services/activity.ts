/** The activity log: recording who did what (in the transaction of the change), and reading it back. */
import type { Actor } from "../domain/actor";
import { type ActivityEntry, activityRow } from "../domain/activity-entry";
import { badRequest } from "../domain/errors";
import type { ListActivityQuery } from "../domain/schemas/activity";
import type { Db, Executor } from "../store/db";
import { activityRepo } from "../store/repos/activity";
import type { CompanyService } from "./companies";

export { type ActivityEntry, activityRow } from "../domain/activity-entry";

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

/** The activity log: who did what, for the audit trail and the activity gate. */
import { and, asc, desc, eq, gt, lt, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { activityLog } from "../schema";

export type ActivityRow = typeof activityLog.$inferSelect;
export type ActivityInsert = typeof activityLog.$inferInsert;

export interface ActivityFilter {
  actorType?: string;
  actorId?: string;
  agentId?: string;
  entityType?: string;
  entityId?: string;
  /** The routine's own entries, and those of its triggers and runs (which name it in their details). */
  routineId?: string;
  action?: string;
  projectId?: string;
  since?: Date;
  before?: { createdAt: Date; id: string };
  limit: number;
}

export const activityRepo = {
  async insert(db: Executor, rows: ActivityInsert[]): Promise<void> {
    if (rows.length) await db.insert(activityLog).values(rows);
  },
  async get(db: Executor, id: string): Promise<ActivityRow | undefined> {
    const [row] = await db.select().from(activityLog).where(eq(activityLog.id, id));
    return row;
  },
  /** Newest first; `before` is the (createdAt, id) of the last row of the previous page. */
  async list(db: Executor, companyId: string, f: ActivityFilter): Promise<ActivityRow[]> {
    return db
      .select()
      .from(activityLog)
      .where(
        and(
          eq(activityLog.companyId, companyId),
          f.actorType ? eq(activityLog.actorType, f.actorType as ActivityRow["actorType"]) : undefined,
          f.actorId ? eq(activityLog.actorId, f.actorId) : undefined,
          f.agentId ? eq(activityLog.agentId, f.agentId) : undefined,
          f.entityType ? eq(activityLog.entityType, f.entityType) : undefined,
          f.entityId ? eq(activityLog.entityId, f.entityId) : undefined,
          f.routineId
            ? or(
                and(eq(activityLog.entityType, "routine"), eq(activityLog.entityId, f.routineId)),
                sql`${activityLog.details}->>'routineId' = ${f.routineId}`,
              )
            : undefined,
          f.action ? eq(activityLog.action, f.action) : undefined,
          f.projectId ? eq(activityLog.projectId, f.projectId) : undefined,
          f.since ? gt(activityLog.createdAt, f.since) : undefined,
          f.before
            ? or(lt(activityLog.createdAt, f.before.createdAt), and(eq(activityLog.createdAt, f.before.createdAt), lt(activityLog.id, f.before.id)))
            : undefined,
        ),
      )
      .orderBy(desc(activityLog.createdAt), desc(activityLog.id))
      .limit(f.limit);
  },
};

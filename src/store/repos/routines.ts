import { and, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { routines } from "../schema";

export type RoutineRow = typeof routines.$inferSelect;

export const routinesRepo = {
  async insert(db: Executor, values: typeof routines.$inferInsert): Promise<RoutineRow> {
    const [row] = await db.insert(routines).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<RoutineRow | undefined> {
    const [row] = await db.select().from(routines).where(eq(routines.id, id));
    return row;
  },
  /** Locks the routine row: serialises every fire and change of one routine across processes. */
  async getForUpdate(db: Executor, id: string): Promise<RoutineRow | undefined> {
    const [row] = await db.select().from(routines).where(eq(routines.id, id)).for("update");
    return row;
  },
  async list(
    db: Executor,
    companyId: string,
    filter: { projectId?: string; status?: RoutineRow["status"]; assigneeAgentId?: string },
  ): Promise<RoutineRow[]> {
    return db
      .select()
      .from(routines)
      .where(
        and(
          eq(routines.companyId, companyId),
          filter.projectId ? eq(routines.projectId, filter.projectId) : undefined,
          filter.status ? eq(routines.status, filter.status) : undefined,
          filter.assigneeAgentId ? eq(routines.assigneeAgentId, filter.assigneeAgentId) : undefined,
        ),
      )
      .orderBy(desc(routines.updatedAt), desc(routines.id));
  },
  async update(db: Executor, id: string, values: Partial<typeof routines.$inferInsert>): Promise<RoutineRow> {
    const [row] = await db
      .update(routines)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(routines.id, id))
      .returning();
    return row!;
  },
};

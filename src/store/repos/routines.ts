import { and, desc, eq, sql } from "drizzle-orm";
import { type Executor, pgArray, queryPrepared } from "../db";
import { rowOf } from "../raw-rows";
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
  /** Locks several routines in id order (the order every batch uses, so two batches cannot deadlock). */
  async lockMany(db: Executor, ids: string[]): Promise<Map<string, RoutineRow>> {
    if (ids.length === 0) return new Map();
    // Raw SQL: on the webhook hot path, building this with the query builder cost more than running it.
    const rows = await queryPrepared<Record<string, unknown>>(
      db,
      sql`select * from routines where id = any(${pgArray(ids, "uuid")}) order by id for update`,
    );
    return new Map(rows.map((raw) => {
      const row = rowOf(routines, raw);
      return [row.id, row];
    }));
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

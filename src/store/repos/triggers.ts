import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { routineTriggers } from "../schema";

export type TriggerRow = typeof routineTriggers.$inferSelect;

export const triggersRepo = {
  async insert(db: Executor, values: typeof routineTriggers.$inferInsert): Promise<TriggerRow> {
    const [row] = await db.insert(routineTriggers).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<TriggerRow | undefined> {
    const [row] = await db.select().from(routineTriggers).where(eq(routineTriggers.id, id));
    return row;
  },
  async listByRoutine(db: Executor, routineId: string): Promise<TriggerRow[]> {
    return db
      .select()
      .from(routineTriggers)
      .where(eq(routineTriggers.routineId, routineId))
      .orderBy(asc(routineTriggers.createdAt), asc(routineTriggers.id));
  },
  async listByRoutines(db: Executor, routineIds: string[]): Promise<TriggerRow[]> {
    if (routineIds.length === 0) return [];
    return db
      .select()
      .from(routineTriggers)
      .where(inArray(routineTriggers.routineId, routineIds))
      .orderBy(asc(routineTriggers.createdAt), asc(routineTriggers.id));
  },
  async update(db: Executor, id: string, values: Partial<typeof routineTriggers.$inferInsert>): Promise<TriggerRow> {
    const [row] = await db
      .update(routineTriggers)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(routineTriggers.id, id))
      .returning();
    return row!;
  },
  async delete(db: Executor, id: string): Promise<void> {
    await db.delete(routineTriggers).where(eq(routineTriggers.id, id));
  },
};

import { asc, eq, inArray, sql } from "drizzle-orm";
import type { RoutineStatus } from "../../domain/enums";
import { type Trigger, narrowTrigger } from "../../domain/trigger-kinds";
import { type Executor, pgArray, queryPrepared } from "../db";
import { rowOf } from "../raw-rows";
import { routineTriggers } from "../schema";

/** A trigger row as stored; every read and write below returns it narrowed to its kind (`Trigger`). */
export type TriggerRow = typeof routineTriggers.$inferSelect;

export const triggersRepo = {
  /** Webhook triggers by public ids, each with its routine's status, in one read (raw SQL: the hot path). */
  async findWebhookTargets(db: Executor, publicIds: string[]): Promise<Map<string, { trigger: Trigger; routineStatus: RoutineStatus }>> {
    if (publicIds.length === 0) return new Map();
    const rows = await queryPrepared<Record<string, unknown> & { routine_status__: RoutineStatus }>(
      db,
      sql`select t.*, r.status as routine_status__ from routine_triggers t join routines r on r.id = t.routine_id
          where t.public_id = any(${pgArray(publicIds, "text")})`,
    );
    return new Map(rows.map((raw) => {
      const row = rowOf(routineTriggers, raw);
      return [row.publicId!, { trigger: narrowTrigger(row), routineStatus: raw.routine_status__ }];
    }));
  },
  /** Notes a refused request to a webhook trigger (the database clock); not a change of the trigger: `updatedAt` stays. */
  async noteRefusal(db: Executor, id: string, refusal: string): Promise<void> {
    await db.execute(sql`update routine_triggers set last_refused_at = now(), last_refusal = ${refusal} where id = ${id}`);
  },
  async insert(db: Executor, values: typeof routineTriggers.$inferInsert): Promise<Trigger> {
    const [row] = await db.insert(routineTriggers).values(values).returning();
    return narrowTrigger(row!);
  },
  async get(db: Executor, id: string): Promise<Trigger | undefined> {
    const [row] = await db.select().from(routineTriggers).where(eq(routineTriggers.id, id));
    return row && narrowTrigger(row);
  },
  async listByRoutine(db: Executor, routineId: string): Promise<Trigger[]> {
    const rows = await db
      .select()
      .from(routineTriggers)
      .where(eq(routineTriggers.routineId, routineId))
      .orderBy(asc(routineTriggers.createdAt), asc(routineTriggers.id));
    return rows.map(narrowTrigger);
  },
  async listByRoutines(db: Executor, routineIds: string[]): Promise<Trigger[]> {
    if (routineIds.length === 0) return [];
    const rows = await db
      .select()
      .from(routineTriggers)
      .where(inArray(routineTriggers.routineId, routineIds))
      .orderBy(asc(routineTriggers.createdAt), asc(routineTriggers.id));
    return rows.map(narrowTrigger);
  },
  async update(db: Executor, id: string, values: Partial<typeof routineTriggers.$inferInsert>): Promise<Trigger> {
    const [row] = await db
      .update(routineTriggers)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(routineTriggers.id, id))
      .returning();
    return narrowTrigger(row!);
  },
  async delete(db: Executor, id: string): Promise<void> {
    await db.delete(routineTriggers).where(eq(routineTriggers.id, id));
  },
};

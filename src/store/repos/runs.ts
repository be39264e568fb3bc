/** Routine runs: the record of every fire and its outcome. */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { RunStatus } from "../../domain/enums";
import type { Executor } from "../db";
import { routineRuns } from "../schema";

export type RunRow = typeof routineRuns.$inferSelect;

export const runsRepo = {
  async findByIdempotencyKey(db: Executor, routineId: string, triggerId: string | null, key: string) {
    const [row] = await db
      .select()
      .from(routineRuns)
      .where(
        and(
          eq(routineRuns.routineId, routineId),
          triggerId ? eq(routineRuns.triggerId, triggerId) : isNull(routineRuns.triggerId),
          eq(routineRuns.idempotencyKey, key),
        ),
      );
    return row;
  },
  /** The runs already recorded for any of a schedule trigger's `slots`, by slot time (ms). */
  async findBySlots(db: Executor, triggerId: string, slots: Date[]): Promise<Map<number, RunRow>> {
    if (slots.length === 0) return new Map();
    const rows = await db
      .select()
      .from(routineRuns)
      .where(and(eq(routineRuns.triggerId, triggerId), inArray(routineRuns.scheduledFor, slots)));
    return new Map(rows.map((r) => [r.scheduledFor!.getTime(), r]));
  },
  async get(db: Executor, id: string): Promise<RunRow | undefined> {
    const [row] = await db.select().from(routineRuns).where(eq(routineRuns.id, id));
    return row;
  },
  async update(db: Executor, id: string, values: Partial<typeof routineRuns.$inferInsert>): Promise<RunRow> {
    const [row] = await db
      .update(routineRuns)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(routineRuns.id, id))
      .returning();
    return row!;
  },
  /** Newest first; `before` is a cursor of (createdAt, id) from the previous page. */
  async listByRoutine(
    db: Executor,
    routineId: string,
    opts: { limit: number; status?: RunStatus; before?: { createdAt: Date; id: string } },
  ): Promise<RunRow[]> {
    const { before } = opts;
    return db
      .select()
      .from(routineRuns)
      .where(
        and(
          eq(routineRuns.routineId, routineId),
          opts.status ? eq(routineRuns.status, opts.status) : undefined,
          before
            ? or(
                lt(routineRuns.createdAt, before.createdAt),
                and(eq(routineRuns.createdAt, before.createdAt), lt(routineRuns.id, before.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(routineRuns.createdAt), desc(routineRuns.id))
      .limit(opts.limit);
  },
  /** When the routine's last dispatched run (one not skipped or coalesced) was triggered: the activity gate's mark. */
  async lastDispatchedAt(db: Executor, routineId: string): Promise<Date | null> {
    const [row] = await db
      .select({ at: routineRuns.triggeredAt })
      .from(routineRuns)
      .where(and(eq(routineRuns.routineId, routineId), sql`${routineRuns.status} not in ('skipped', 'coalesced')`))
      .orderBy(desc(routineRuns.triggeredAt))
      .limit(1);
    return row?.at ?? null;
  },
  /** The newest run of each routine. */
  async lastRuns(db: Executor, routineIds: string[]): Promise<Map<string, RunRow>> {
    if (routineIds.length === 0) return new Map();
    const rows = await db
      .selectDistinctOn([routineRuns.routineId])
      .from(routineRuns)
      .where(inArray(routineRuns.routineId, routineIds))
      .orderBy(routineRuns.routineId, desc(routineRuns.createdAt), desc(routineRuns.id));
    return new Map(rows.map((r) => [r.routineId, r]));
  },
};

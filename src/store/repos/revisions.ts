/** Routine revisions: a snapshot per change, numbered per routine. */
import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "../db";
import { routineRevisions } from "../schema";

export type RevisionRow = typeof routineRevisions.$inferSelect;

export const revisionsRepo = {
  async insert(db: Executor, values: typeof routineRevisions.$inferInsert): Promise<RevisionRow> {
    const [row] = await db.insert(routineRevisions).values(values).returning();
    return row!;
  },
  async get(db: Executor, routineId: string, id: string): Promise<RevisionRow | undefined> {
    const [row] = await db
      .select()
      .from(routineRevisions)
      .where(and(eq(routineRevisions.routineId, routineId), eq(routineRevisions.id, id)));
    return row;
  },
  /** Newest first. */
  async list(db: Executor, routineId: string, limit: number): Promise<RevisionRow[]> {
    return db
      .select()
      .from(routineRevisions)
      .where(eq(routineRevisions.routineId, routineId))
      .orderBy(desc(routineRevisions.revisionNumber))
      .limit(limit);
  },
};

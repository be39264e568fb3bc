/** A routine's description document (key "description") and its numbered revisions. */
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { routineDocumentRevisions, routineDocuments } from "../schema";

export type RoutineDocumentRow = typeof routineDocuments.$inferSelect;
export type RoutineDocumentRevisionRow = typeof routineDocumentRevisions.$inferSelect;

export const DESCRIPTION_KEY = "description";

export const routineDocumentsRepo = {
  async get(db: Executor, routineId: string): Promise<RoutineDocumentRow | undefined> {
    const [row] = await db
      .select()
      .from(routineDocuments)
      .where(and(eq(routineDocuments.routineId, routineId), eq(routineDocuments.key, DESCRIPTION_KEY)));
    return row;
  },
  /** The document, locked until the transaction ends (a new thread anchors to its latest revision). */
  async getForUpdate(db: Executor, routineId: string): Promise<RoutineDocumentRow | undefined> {
    const [row] = await db
      .select()
      .from(routineDocuments)
      .where(and(eq(routineDocuments.routineId, routineId), eq(routineDocuments.key, DESCRIPTION_KEY)))
      .for("update");
    return row;
  },
  async insert(db: Executor, values: typeof routineDocuments.$inferInsert): Promise<RoutineDocumentRow> {
    const [row] = await db.insert(routineDocuments).values(values).returning();
    return row!;
  },
  async update(db: Executor, id: string, values: Partial<typeof routineDocuments.$inferInsert>): Promise<RoutineDocumentRow> {
    const [row] = await db
      .update(routineDocuments)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(routineDocuments.id, id))
      .returning();
    return row!;
  },
  async insertRevision(db: Executor, values: typeof routineDocumentRevisions.$inferInsert): Promise<RoutineDocumentRevisionRow> {
    const [row] = await db.insert(routineDocumentRevisions).values(values).returning();
    return row!;
  },
};

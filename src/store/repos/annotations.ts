/** Annotation threads on a routine's description, and their comments (oldest first within a thread). */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Executor } from "../db";
import { annotationComments, annotationThreads } from "../schema";

export type AnnotationThreadRow = typeof annotationThreads.$inferSelect;
export type AnnotationCommentRow = typeof annotationComments.$inferSelect;
export type AnnotationThreadStatus = AnnotationThreadRow["status"];

export const annotationsRepo = {
  /** Newest activity first. */
  async listThreads(db: Executor, routineId: string, documentId: string, status?: AnnotationThreadStatus): Promise<AnnotationThreadRow[]> {
    return db
      .select()
      .from(annotationThreads)
      .where(
        and(
          eq(annotationThreads.routineId, routineId),
          eq(annotationThreads.documentId, documentId),
          status ? eq(annotationThreads.status, status) : undefined,
        ),
      )
      .orderBy(desc(annotationThreads.updatedAt), desc(annotationThreads.id));
  },
  async getThread(db: Executor, routineId: string, id: string): Promise<AnnotationThreadRow | undefined> {
    const [row] = await db
      .select()
      .from(annotationThreads)
      .where(and(eq(annotationThreads.routineId, routineId), eq(annotationThreads.id, id)));
    return row;
  },
  async insertThread(db: Executor, values: typeof annotationThreads.$inferInsert): Promise<AnnotationThreadRow> {
    const [row] = await db.insert(annotationThreads).values(values).returning();
    return row!;
  },
  async updateThread(db: Executor, id: string, values: PgUpdateSetSource<typeof annotationThreads>): Promise<AnnotationThreadRow> {
    const [row] = await db
      .update(annotationThreads)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(annotationThreads.id, id))
      .returning();
    return row!;
  },
  async comments(db: Executor, threadIds: string[]): Promise<AnnotationCommentRow[]> {
    if (threadIds.length === 0) return [];
    return db
      .select()
      .from(annotationComments)
      .where(inArray(annotationComments.threadId, threadIds))
      .orderBy(asc(annotationComments.createdAt), asc(annotationComments.id));
  },
  async insertComment(db: Executor, values: typeof annotationComments.$inferInsert): Promise<AnnotationCommentRow> {
    const [row] = await db.insert(annotationComments).values(values).returning();
    return row!;
  },
};

/** Issues and their comments. Issue numbers are allocated per company under the company row lock. */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { IssueStatus } from "../../domain/enums";
import type { Executor } from "../db";
import { issueComments, issues } from "../schema";
import { companiesRepo } from "./companies";

export type IssueRow = typeof issues.$inferSelect;
export type IssueCommentRow = typeof issueComments.$inferSelect;
export type NewIssue = Omit<typeof issues.$inferInsert, "issueNumber" | "identifier">;

export const issuesRepo = {
  /** Inserts an issue with the company's next number (`ACME-12`). Call inside a transaction. */
  async insert(db: Executor, values: NewIssue): Promise<IssueRow> {
    const { issueNumber, issuePrefix } = await companiesRepo.nextIssueNumber(db, values.companyId);
    const [row] = await db
      .insert(issues)
      .values({ ...values, issueNumber, identifier: `${issuePrefix}-${issueNumber}` })
      .returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<IssueRow | undefined> {
    const [row] = await db.select().from(issues).where(eq(issues.id, id));
    return row;
  },
  async getForUpdate(db: Executor, id: string): Promise<IssueRow | undefined> {
    const [row] = await db.select().from(issues).where(eq(issues.id, id)).for("update");
    return row;
  },
  async update(db: Executor, id: string, values: Partial<typeof issues.$inferInsert>): Promise<IssueRow | undefined> {
    const [row] = await db
      .update(issues)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(issues.id, id))
      .returning();
    return row;
  },
  /** The newest open execution issue of a routine: its active execution, if any. */
  async findOpenExecution(db: Executor, routineId: string, openStatuses: readonly IssueStatus[]): Promise<IssueRow | undefined> {
    const [row] = await db
      .select()
      .from(issues)
      .where(
        and(
          eq(issues.originKind, "routine_execution"),
          eq(issues.originId, routineId),
          inArray(issues.status, [...openStatuses]),
        ),
      )
      .orderBy(desc(issues.createdAt))
      .limit(1);
    return row;
  },
  async insertComment(db: Executor, values: typeof issueComments.$inferInsert): Promise<IssueCommentRow> {
    const [row] = await db.insert(issueComments).values(values).returning();
    return row!;
  },
  async listComments(db: Executor, issueId: string): Promise<IssueCommentRow[]> {
    return db.select().from(issueComments).where(eq(issueComments.issueId, issueId)).orderBy(asc(issueComments.createdAt));
  },
};

/** The newest open execution issue of each routine (its active execution). */
export async function openExecutionsByRoutine(
  db: Executor,
  routineIds: string[],
  openStatuses: readonly IssueStatus[],
): Promise<Map<string, IssueRow>> {
  if (routineIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([issues.originId])
    .from(issues)
    .where(
      and(
        eq(issues.originKind, "routine_execution"),
        inArray(issues.originId, routineIds),
        inArray(issues.status, [...openStatuses]),
      ),
    )
    .orderBy(issues.originId, desc(issues.createdAt));
  return new Map(rows.map((r) => [r.originId!, r]));
}

export async function issuesByIds(db: Executor, ids: string[]): Promise<Map<string, IssueRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(issues).where(inArray(issues.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Issues and their comments. Issue numbers are allocated per company under the company row lock. */
import { type SQL, and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { IssueStatus } from "../../domain/enums";
import type { PgInsertValue, PgUpdateSetSource } from "drizzle-orm/pg-core";
import { type Executor, pgArray, queryPrepared } from "../db";
import { isSelfOrAncestor, lockTree } from "../tree";
import { rowOf } from "../raw-rows";
import { issueComments, issues } from "../schema";
import { takeIssueNumber } from "./issue-numbers";

export type IssueRow = typeof issues.$inferSelect;
export type IssueCommentRow = typeof issueComments.$inferSelect;
/** Column values, or SQL evaluated by the database (e.g. `now()` for status timestamps). */
export type NewIssue = Omit<PgInsertValue<typeof issues>, "issueNumber" | "identifier" | "companyId"> & { companyId: string };

export interface IssueListFilter {
  statuses?: readonly IssueStatus[];
  assigneeAgentId?: string;
  projectId?: string;
  originKind?: string;
  originId?: string;
  /** Only issues after this one in newest-first order (by createdAt, then id). */
  beforeId?: string;
  limit: number;
}

/**
 * The timestamps a status change sets, on the database clock: entering `in_progress` sets
 * `startedAt` once; entering `done` / `cancelled` sets `completedAt` / `cancelledAt`, and leaving
 * them clears it again (a reopened issue is not completed). `previous` is undefined on insert.
 */
export function statusStamps(next: IssueStatus, previous?: IssueStatus): Partial<Record<"startedAt" | "completedAt" | "cancelledAt", SQL | null>> {
  if (next === previous) return {};
  const stamps: Partial<Record<"startedAt" | "completedAt" | "cancelledAt", SQL | null>> = {};
  if (next === "in_progress") stamps.startedAt = previous === undefined ? sql`now()` : sql`coalesce(${issues.startedAt}, now())`;
  if (next === "done") stamps.completedAt = sql`now()`;
  else if (previous === "done") stamps.completedAt = null;
  if (next === "cancelled") stamps.cancelledAt = sql`now()`;
  else if (previous === "cancelled") stamps.cancelledAt = null;
  return stamps;
}

export const issuesRepo = {
  /** Inserts an issue with the company's next number (`ACME-12`). Call inside a transaction. */
  async insert(db: Executor, values: NewIssue): Promise<IssueRow> {
    const { issueNumber, identifier } = await takeIssueNumber(db, values.companyId);
    const [row] = await db
      .insert(issues)
      .values({ ...values, issueNumber, identifier })
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
  async update(db: Executor, id: string, values: PgUpdateSetSource<typeof issues>): Promise<IssueRow | undefined> {
    const [row] = await db
      .update(issues)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(issues.id, id))
      .returning();
    return row;
  },
  /** A company's issues, newest first, filtered; `beforeId` pages through them. */
  async list(db: Executor, companyId: string, f: IssueListFilter): Promise<IssueRow[]> {
    return issuesRepo.listQuery(db, companyId, f);
  },
  /** The query `list` runs, unexecuted (its plan is checked against the `issues_company_created_idx` index). */
  listQuery(db: Executor, companyId: string, f: IssueListFilter) {
    const where = [
      eq(issues.companyId, companyId),
      f.statuses && inArray(issues.status, [...f.statuses]),
      f.assigneeAgentId && eq(issues.assigneeAgentId, f.assigneeAgentId),
      f.projectId && eq(issues.projectId, f.projectId),
      f.originKind && eq(issues.originKind, f.originKind),
      f.originId && eq(issues.originId, f.originId),
      f.beforeId && sql`(${issues.createdAt}, ${issues.id}) < (select c.created_at, c.id from issues c where c.id = ${f.beforeId})`,
    ];
    return db
      .select()
      .from(issues)
      .where(and(...where.filter((w): w is SQL => !!w)))
      .orderBy(desc(issues.createdAt), desc(issues.id))
      .limit(f.limit);
  },
  /** True when `ancestorId` is `id` itself or one of its ancestors (parent, parent's parent, ...). */
  isSelfOrAncestor: (db: Executor, id: string, ancestorId: string) => isSelfOrAncestor(db, "issues", id, ancestorId),
  /** Serialises re-parenting in the company's issue tree until the transaction ends. */
  lockTree: (db: Executor, companyId: string) => lockTree(db, "issues", companyId),
  async insertComment(db: Executor, values: typeof issueComments.$inferInsert): Promise<IssueCommentRow> {
    const [row] = await db.insert(issueComments).values(values).returning();
    return row!;
  },
  async listComments(db: Executor, issueId: string): Promise<IssueCommentRow[]> {
    return db.select().from(issueComments).where(eq(issueComments.issueId, issueId)).orderBy(asc(issueComments.createdAt));
  },
  /** The newest open execution issue of each routine (its active execution), by routine id. */
  async openExecutions(db: Executor, routineIds: string[], openStatuses: readonly IssueStatus[]): Promise<Map<string, IssueRow>> {
    if (routineIds.length === 0) return new Map();
    const rows = await queryPrepared<Record<string, unknown>>(db, activeExecutionsQuery(routineIds, openStatuses));
    return new Map(
      rows.map((raw) => {
        const row = rowOf(issues, raw);
        return [row.originId!, row];
      }),
    );
  },
  async byIds(db: Executor, ids: string[]): Promise<Map<string, IssueRow>> {
    if (ids.length === 0) return new Map();
    const rows = await db.select().from(issues).where(inArray(issues.id, [...new Set(ids)]));
    return new Map(rows.map((r) => [r.id, r]));
  },
};

/**
 * The newest open execution issue of each of `routineIds` (its active execution), as a query to select
 * from: the one definition every fire batch and the routine views read (`columns` of it; default all).
 */
export function activeExecutionsQuery(routineIds: readonly string[], openStatuses: readonly IssueStatus[], columns: SQL = sql`*`): SQL {
  return sql`select distinct on (origin_id) ${columns} from issues
              where origin_kind = 'routine_execution' and origin_id = any(${pgArray(routineIds, "text")})
                and status = any(${pgArray(openStatuses, "text")})
              order by origin_id, created_at desc`;
}


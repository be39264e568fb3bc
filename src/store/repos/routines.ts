import { and, desc, eq, sql } from "drizzle-orm";
import { type Executor, pgArray, queryPrepared } from "../db";
import { routines } from "../schema";

export type RoutineRow = typeof routines.$inferSelect;

/**
 * The routine fields a fire reads (the planner, the activity gate, the catch-up policy), and nothing more: the
 * scheduler's claim and a batch's lock read thousands of routines in a burst, and every other column would be
 * sent, parsed and collected for nothing.
 */
export type FiringRoutine = Pick<
  RoutineRow,
  | "id"
  | "companyId"
  | "projectId"
  | "goalId"
  | "parentIssueId"
  | "title"
  | "description"
  | "assigneeAgentId"
  | "priority"
  | "status"
  | "concurrencyPolicy"
  | "catchUpPolicy"
  | "activityGatePolicy"
  | "activityGateScope"
  | "variables"
  | "latestRevisionId"
>;

/** `FiringRoutine`'s columns of the routine aliased `alias`, each named `r_<column>` (beside another table's columns). */
export const firingRoutineColumns = (alias: string) =>
  sql.raw(
    ["id", "company_id", "project_id", "goal_id", "parent_issue_id", "title", "description", "assignee_agent_id", "priority", "status",
      "concurrency_policy", "catch_up_policy", "activity_gate_policy", "activity_gate_scope", "variables", "latest_revision_id"]
      .map((c) => `${alias}.${c} as r_${c}`)
      .join(", "),
  );

/** A `FiringRoutine` from a row selected with `firingRoutineColumns`. */
export function firingRoutineOf(raw: Record<string, any>): FiringRoutine {
  return {
    id: raw.r_id,
    companyId: raw.r_company_id,
    projectId: raw.r_project_id,
    goalId: raw.r_goal_id,
    parentIssueId: raw.r_parent_issue_id,
    title: raw.r_title,
    description: raw.r_description,
    assigneeAgentId: raw.r_assignee_agent_id,
    priority: raw.r_priority,
    status: raw.r_status,
    concurrencyPolicy: raw.r_concurrency_policy,
    catchUpPolicy: raw.r_catch_up_policy,
    activityGatePolicy: raw.r_activity_gate_policy,
    activityGateScope: raw.r_activity_gate_scope,
    // jsonb: parsed by the driver (node-postgres and PGlite both), text only if a driver left it so.
    variables: typeof raw.r_variables === "string" ? JSON.parse(raw.r_variables) : raw.r_variables,
    latestRevisionId: raw.r_latest_revision_id,
  };
}

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
  async lockMany(db: Executor, ids: string[]): Promise<Map<string, FiringRoutine>> {
    if (ids.length === 0) return new Map();
    // Raw SQL: on the webhook hot path, building this with the query builder cost more than running it.
    const rows = await queryPrepared<Record<string, unknown>>(
      db,
      sql`select ${firingRoutineColumns("r")} from routines r where r.id = any(${pgArray(ids, "uuid")}) order by r.id for update`,
    );
    return new Map(rows.map((raw) => {
      const row = firingRoutineOf(raw);
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

import { asc, eq, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db";
import { goals, projects } from "../schema";

export type ProjectRow = typeof projects.$inferSelect;
export type GoalRow = typeof goals.$inferSelect;

export const projectsRepo = {
  async insert(db: Executor, values: typeof projects.$inferInsert): Promise<ProjectRow> {
    const [row] = await db.insert(projects).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<ProjectRow | undefined> {
    const [row] = await db.select().from(projects).where(eq(projects.id, id));
    return row;
  },
  async listByCompany(db: Executor, companyId: string): Promise<ProjectRow[]> {
    return db.select().from(projects).where(eq(projects.companyId, companyId)).orderBy(asc(projects.createdAt));
  },
  async update(db: Executor, id: string, values: Partial<typeof projects.$inferInsert>): Promise<ProjectRow | undefined> {
    const [row] = await db
      .update(projects)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(projects.id, id))
      .returning();
    return row;
  },
};

/** Advisory lock class (two-key form, key 2 = company) serialising changes to one company's goal tree. */
const GOAL_TREE_LOCK = 7_411_906;

export const goalsRepo = {
  async insert(db: Executor, values: typeof goals.$inferInsert): Promise<GoalRow> {
    const [row] = await db.insert(goals).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<GoalRow | undefined> {
    const [row] = await db.select().from(goals).where(eq(goals.id, id));
    return row;
  },
  async listByCompany(db: Executor, companyId: string): Promise<GoalRow[]> {
    return db.select().from(goals).where(eq(goals.companyId, companyId)).orderBy(asc(goals.createdAt));
  },
  async update(db: Executor, id: string, values: Partial<typeof goals.$inferInsert>): Promise<GoalRow | undefined> {
    const [row] = await db
      .update(goals)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(goals.id, id))
      .returning();
    return row;
  },
  /**
   * Serialises re-parenting within a company until the transaction ends, so that two concurrent
   * moves (A under B, B under A) cannot both pass the ancestor check. Call inside a transaction.
   */
  async lockTree(db: Executor, companyId: string): Promise<void> {
    await db.execute(sql`select pg_advisory_xact_lock(${GOAL_TREE_LOCK}::int, hashtext(${companyId}))`);
  },
  /** True when `ancestorId` is `id` itself or one of its ancestors (parent, parent's parent, ...). */
  async isSelfOrAncestor(db: Executor, id: string, ancestorId: string): Promise<boolean> {
    const rows = await queryRows(db, sql`
      with recursive chain(id, parent_id) as (
        select id, parent_id from goals where id = ${id}
        union
        select g.id, g.parent_id from goals g join chain on g.id = chain.parent_id
      )
      select 1 from chain where id = ${ancestorId} limit 1`);
    return rows.length > 0;
  },
};

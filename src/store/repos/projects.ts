import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { isSelfOrAncestor, lockTree } from "../tree";
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
  /** Serialises re-parenting in the company's goal tree until the transaction ends. */
  lockTree: (db: Executor, companyId: string) => lockTree(db, "goals", companyId),

  /** True when `ancestorId` is `id` itself or one of its ancestors (parent, parent's parent, ...). */
  isSelfOrAncestor: (db: Executor, id: string, ancestorId: string) => isSelfOrAncestor(db, "goals", id, ancestorId),
};

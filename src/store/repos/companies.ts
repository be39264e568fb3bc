import { desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { companies } from "../schema";

export type CompanyRow = typeof companies.$inferSelect;

export const companiesRepo = {
  async insert(db: Executor, values: typeof companies.$inferInsert): Promise<CompanyRow> {
    const [row] = await db.insert(companies).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<CompanyRow | undefined> {
    const [row] = await db.select().from(companies).where(eq(companies.id, id));
    return row;
  },
  async list(db: Executor, ids?: string[]): Promise<CompanyRow[]> {
    const q = db.select().from(companies);
    return (ids ? q.where(inArray(companies.id, ids)) : q).orderBy(desc(companies.createdAt));
  },
  async update(db: Executor, id: string, values: Partial<typeof companies.$inferInsert>): Promise<CompanyRow | undefined> {
    const [row] = await db
      .update(companies)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(companies.id, id))
      .returning();
    return row;
  },
};

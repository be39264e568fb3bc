import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { agents } from "../schema";

export type AgentRow = typeof agents.$inferSelect;

export const agentsRepo = {
  async insert(db: Executor, values: typeof agents.$inferInsert): Promise<AgentRow> {
    const [row] = await db.insert(agents).values(values).returning();
    return row!;
  },
  async get(db: Executor, id: string): Promise<AgentRow | undefined> {
    const [row] = await db.select().from(agents).where(eq(agents.id, id));
    return row;
  },
  async listByCompany(db: Executor, companyId: string): Promise<AgentRow[]> {
    return db.select().from(agents).where(eq(agents.companyId, companyId)).orderBy(asc(agents.createdAt));
  },
  async update(db: Executor, id: string, values: Partial<typeof agents.$inferInsert>): Promise<AgentRow | undefined> {
    const [row] = await db
      .update(agents)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(agents.id, id))
      .returning();
    return row;
  },
};

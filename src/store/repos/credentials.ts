/** Agent API keys and board tokens: looked up by hash, never stored in the clear. */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { isUuid } from "../../lib/is-uuid";
import type { Executor } from "../db";
import { agentApiKeys, agents, boardTokens } from "../schema";

export type AgentKeyRow = typeof agentApiKeys.$inferSelect;
export type BoardTokenRow = typeof boardTokens.$inferSelect;

export const credentialsRepo = {
  async findActiveAgentKey(db: Executor, keyHash: string) {
    const [row] = await db
      .select({ keyId: agentApiKeys.id, agentId: agents.id, companyId: agents.companyId })
      .from(agentApiKeys)
      .innerJoin(agents, eq(agents.id, agentApiKeys.agentId))
      .where(and(eq(agentApiKeys.keyHash, keyHash), isNull(agentApiKeys.revokedAt)));
    return row;
  },
  async touchAgentKey(db: Executor, keyId: string): Promise<void> {
    // At most one write a minute per key: authentication must not turn every read into a write.
    await db
      .update(agentApiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(agentApiKeys.id, keyId),
          sql`(${agentApiKeys.lastUsedAt} is null or ${agentApiKeys.lastUsedAt} < now() - interval '1 minute')`,
        ),
      );
  },
  async insertAgentKey(db: Executor, values: typeof agentApiKeys.$inferInsert): Promise<AgentKeyRow> {
    const [row] = await db.insert(agentApiKeys).values(values).returning();
    return row!;
  },
  async listAgentKeys(db: Executor, agentId: string): Promise<AgentKeyRow[]> {
    return db.select().from(agentApiKeys).where(eq(agentApiKeys.agentId, agentId)).orderBy(desc(agentApiKeys.createdAt));
  },
  async revokeAgentKey(db: Executor, agentId: string, keyId: string): Promise<AgentKeyRow | undefined> {
    const [row] = await db
      .update(agentApiKeys)
      .set({ revokedAt: sql`coalesce(${agentApiKeys.revokedAt}, now())` })
      .where(and(eq(agentApiKeys.id, keyId), eq(agentApiKeys.agentId, agentId)))
      .returning();
    return row;
  },
  async findActiveBoardToken(db: Executor, tokenHash: string): Promise<BoardTokenRow | undefined> {
    const [row] = await db
      .select()
      .from(boardTokens)
      .where(and(eq(boardTokens.tokenHash, tokenHash), isNull(boardTokens.revokedAt)));
    return row;
  },
  async insertBoardToken(db: Executor, values: typeof boardTokens.$inferInsert): Promise<BoardTokenRow> {
    const [row] = await db.insert(boardTokens).values(values).returning();
    return row!;
  },
  async countActiveBoardTokens(db: Executor): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(boardTokens)
      .where(isNull(boardTokens.revokedAt));
    return row?.n ?? 0;
  },
  async listBoardTokens(db: Executor): Promise<BoardTokenRow[]> {
    return db.select().from(boardTokens).orderBy(boardTokens.createdAt);
  },
  /** Revokes a board token by id or by the prefix it displays; undefined when none matches. */
  async revokeBoardToken(db: Executor, idOrPrefix: string): Promise<BoardTokenRow | undefined> {
    const byId = isUuid(idOrPrefix);
    const [row] = await db
      .update(boardTokens)
      .set({ revokedAt: sql`coalesce(${boardTokens.revokedAt}, now())` })
      .where(byId ? eq(boardTokens.id, idOrPrefix) : eq(boardTokens.tokenPrefix, idOrPrefix))
      .returning();
    return row;
  },
};

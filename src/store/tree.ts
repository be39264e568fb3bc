/** Trees of rows linked by `parent_id` (issues, goals): the ancestor check that keeps them free of loops. */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "./db";

/** True when `ancestorId` is `id` itself or one of its ancestors (parent, parent's parent, …) in `table`. */
export async function isSelfOrAncestor(db: Executor, table: "issues" | "goals", id: string, ancestorId: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`with recursive chain(id, parent_id) as (
          select id, parent_id from ${sql.identifier(table)} where id = ${id}
          union
          select n.id, n.parent_id from ${sql.identifier(table)} n join chain on n.id = chain.parent_id
        )
        select 1 from chain where id = ${ancestorId} limit 1`,
  );
  return rows.length > 0;
}

/** Advisory lock classes (two-key form: class, company) serialising re-parenting within one company's tree. */
const TREE_LOCK = { goals: 7_411_906, issues: 7_411_907 } as const;

/**
 * Serialises re-parenting in one company's tree of `table` until the transaction ends, so that two
 * concurrent moves (A under B, B under A) cannot both pass the ancestor check. Call inside a transaction.
 */
export async function lockTree(db: Executor, table: keyof typeof TREE_LOCK, companyId: string): Promise<void> {
  await queryRows(db, sql`select pg_advisory_xact_lock(${TREE_LOCK[table]}::int, hashtext(${companyId}))`);
}

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

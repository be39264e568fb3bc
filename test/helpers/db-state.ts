/**
 * A fingerprint of everything in the database: row count and content hash of every table. Two equal
 * fingerprints mean a request wrote nothing. `last_used_at` (touched by every authenticated
 * request) is left out.
 */
import { getTableName, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../../src/store/db";
import { schemaTables } from "../../src/store/schema";

const perTable = Object.values(schemaTables).map((table) => {
  const name = getTableName(table);
  const row = sql`(to_jsonb(t) - 'last_used_at')::text`;
  return sql`select ${name} as name, count(*)::int as n, md5(coalesce(string_agg(${row}, ',' order by ${row}), '')) as hash
             from ${sql.identifier(name)} t`;
});
const fingerprint = sql.join(perTable, sql` union all `);

export async function dbState(db: Executor): Promise<Record<string, string>> {
  const rows = await queryRows<{ name: string; n: number; hash: string }>(db, fingerprint);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n} rows, ${r.hash}`]));
}

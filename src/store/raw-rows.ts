/** Rows of raw SQL (`returning *`, `row_to_json`) turned into the shape drizzle's select gives for a table. */
import { type Column, getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/** Each table's fields and columns, listed once (the hot paths map thousands of rows). */
const columnsOf = new WeakMap<PgTable, [string, Column][]>();

/** Maps database column names to the table's field names and driver values (timestamp text, jsonb) to JS. */
export function rowOf<T extends PgTable>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  let columns = columnsOf.get(table);
  if (!columns) columnsOf.set(table, (columns = Object.entries(getTableColumns(table))));
  const row: Record<string, unknown> = {};
  for (const [field, column] of columns) {
    const value = raw[column.name];
    row[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T["$inferSelect"];
}

/** `rowOf` for a nullable `row_to_json(...)` column (an object, or JSON text on some drivers). */
export function jsonRowOf<T extends PgTable>(table: T, raw: unknown): T["$inferSelect"] | undefined {
  if (raw === null || raw === undefined) return undefined;
  return rowOf(table, (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown>);
}

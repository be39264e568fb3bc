/**
 * Records the statements this process sends through drizzle, on either engine, while a test does something:
 * `const seen = recordStatements(); await …; seen.stop()` then `seen.statements` (their SQL, in order).
 * Transaction control (begin, commit, savepoints) is left out: PGlite sends it outside drizzle's queries.
 */
import { NodePgPreparedQuery } from "drizzle-orm/node-postgres";
import { PglitePreparedQuery } from "drizzle-orm/pglite";

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

type Query = { queryString: string };
type Method = (this: Query, ...args: unknown[]) => Promise<unknown>;

export function recordStatements(): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const restore: (() => void)[] = [];
  for (const proto of [NodePgPreparedQuery.prototype, PglitePreparedQuery.prototype] as unknown as Record<string, Method>[]) {
    for (const name of ["execute", "all"]) {
      const original = proto[name]!;
      proto[name] = function (this: Query, ...args: unknown[]) {
        if (!CONTROL.test(this.queryString)) statements.push(this.queryString);
        return original.apply(this, args);
      };
      restore.push(() => (proto[name] = original));
    }
  }
  return { statements, stop: () => restore.forEach((r) => r()) };
}

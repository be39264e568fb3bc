/** Counts every query any node-postgres client of this process sends: `const count = countQueries(); … count()`. */
import pg from "pg";

let queries = 0;
let installed = false;

export function countQueries(): () => number {
  if (!installed) {
    installed = true;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      queries++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  }
  return () => queries;
}

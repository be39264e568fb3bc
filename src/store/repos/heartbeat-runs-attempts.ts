/**
 * Delivery attempts of heartbeat runs: one row per attempt, written by the statement that ends the
 * attempt (no round trip of its own), read back for the board and the agent.
 */
import { type SQL, and, asc, eq, gt, sql } from "drizzle-orm";
import type { Executor } from "../db";
import { heartbeatAttempts } from "../schema";

export type HeartbeatAttemptRow = typeof heartbeatAttempts.$inferSelect;

/** Longest error kept per attempt (the run's own `error` keeps the last one whole). */
export const ATTEMPT_ERROR_LIMIT = 1000;

/**
 * A CTE body that records the attempts ended by the CTE `ended`, which must return the run's
 * `id`, `agent_id`, `attempt`, `started_at` and `error` plus the columns named by `outcome` and
 * `code`. The adapter is the agent's at the time. Use as `attempts as (${recordAttempts(...)})`.
 */
export function recordAttempts(ended: string, outcome: SQL, code: SQL = sql`null::int`): SQL {
  return sql`insert into heartbeat_attempts (heartbeat_run_id, attempt, started_at, finished_at, adapter_type, outcome, code, error)
             select e.id, e.attempt, e.started_at, now(), a.adapter_type, ${outcome}, ${code}, left(e.error, ${sql.raw(String(ATTEMPT_ERROR_LIMIT))})
               from ${sql.raw(ended)} e join agents a on a.id = e.agent_id
             on conflict do nothing`;
}

export const heartbeatAttemptsRepo = {
  /** A run's attempts, oldest first (at most its maxAttempts, ≤ 100); `after` is an attempt number (exclusive). */
  async list(db: Executor, heartbeatRunId: string, o: { limit: number; after?: number }): Promise<HeartbeatAttemptRow[]> {
    const t = heartbeatAttempts;
    return db
      .select()
      .from(t)
      .where(and(eq(t.heartbeatRunId, heartbeatRunId), o.after === undefined ? undefined : gt(t.attempt, o.after)))
      .orderBy(asc(t.attempt))
      .limit(o.limit);
  },
};

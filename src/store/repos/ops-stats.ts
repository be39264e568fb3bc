/** What health and metrics read from the database: readiness facts and scrape-time gauges. */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db";
import { fireableSchedule } from "./due-triggers";

export const opsStatsRepo = {
  /** Tags of the migrations recorded as applied (none when the table does not exist yet). */
  async appliedMigrations(db: Executor): Promise<string[]> {
    const [exists] = await queryRows<{ t: string | null }>(db, sql`select to_regclass('routined_migrations')::text as t`);
    if (!exists?.t) return [];
    const rows = await queryRows<{ tag: string }>(db, sql`select tag from routined_migrations order by idx`);
    return rows.map((r) => r.tag);
  },

  /** Due schedule triggers of active routines not fired yet (the scheduler's claim's view), and how far behind the earliest is. */
  async schedulerBacklog(db: Executor): Promise<{ dueUnclaimed: number; lagSeconds: number }> {
    const [row] = await queryRows<{ due: string | number; lag: string | number | null }>(
      db,
      sql`select count(*) as due, extract(epoch from now() - min(t.next_run_at)) as lag
          from routine_triggers t join routines r on r.id = t.routine_id
          where ${fireableSchedule} and r.status = 'active' and t.next_run_at <= now()`,
    );
    return { dueUnclaimed: Number(row?.due ?? 0), lagSeconds: Math.max(0, Number(row?.lag ?? 0)) };
  },

  /** Heartbeat runs not finished, by status. */
  async deliveryQueue(db: Executor): Promise<Record<string, number>> {
    const rows = await queryRows<{ status: string; n: string | number }>(
      db,
      sql`select status, count(*) as n from heartbeat_runs where status in ('queued', 'scheduled_retry', 'running') group by status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};

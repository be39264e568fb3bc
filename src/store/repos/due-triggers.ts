/**
 * The scheduler's claim: due schedule triggers of active routines, locked with SKIP LOCKED so
 * several processes split the work and never wait on each other. The routine rows are locked in
 * the same statement: every other writer takes routine before trigger, so claiming both at once
 * (skipping any that are busy) cannot deadlock with them.
 */
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db";

export interface DueTrigger {
  id: string;
  routineId: string;
  cronExpression: string;
  timezone: string;
  nextRunAt: Date;
  catchUpPolicy: "skip_missed" | "enqueue_missed_with_cap";
}

export async function claimDueTriggers(tx: Executor, now: Date, limit: number): Promise<DueTrigger[]> {
  const rows = await queryRows<{
    id: string;
    routine_id: string;
    cron_expression: string;
    timezone: string | null;
    next_run_at: Date | string;
    catch_up_policy: DueTrigger["catchUpPolicy"];
  }>(
    tx,
    sql`select t.id, t.routine_id, t.cron_expression, t.timezone, t.next_run_at, r.catch_up_policy
          from routine_triggers t
          join routines r on r.id = t.routine_id
         where t.kind = 'schedule' and t.enabled and t.next_run_at is not null
           and t.next_run_at <= ${now.toISOString()}::timestamptz
           and r.status = 'active'
         order by t.next_run_at
         limit ${limit}
           for update of t, r skip locked`,
  );
  return rows.map((r) => ({
    id: r.id,
    routineId: r.routine_id,
    cronExpression: r.cron_expression,
    timezone: r.timezone ?? "UTC",
    nextRunAt: new Date(r.next_run_at),
    catchUpPolicy: r.catch_up_policy,
  }));
}

/** When the scheduler next has work: the earliest `nextRunAt` of an enabled trigger of an active routine. */
export async function earliestDue(db: Executor): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`select min(t.next_run_at) as at
          from routine_triggers t
          join routines r on r.id = t.routine_id
         where t.kind = 'schedule' and t.enabled and t.next_run_at is not null and r.status = 'active'`,
  );
  return row?.at ? new Date(row.at) : null;
}

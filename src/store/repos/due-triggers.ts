/**
 * The scheduler's claim: due schedule triggers of active routines, locked with SKIP LOCKED so
 * several processes split the work and never wait on each other. The routine rows are locked in
 * the same statement: every other writer takes routine before trigger, so claiming both at once
 * (skipping any that are busy) cannot deadlock with them.
 */
import { sql } from "drizzle-orm";
import { type ScheduleTrigger, TRIGGER_DEFAULTS } from "../../domain/trigger-kinds";
import { type Executor, queryPrepared, queryRows } from "../db";
import { type FiringRoutine, firingRoutineColumns, firingRoutineOf } from "./routines";

/** The fields of a due schedule trigger that firing it reads. */
export type DueSchedule = Pick<ScheduleTrigger, "kind" | "id" | "companyId" | "routineId" | "enabled" | "cronExpression" | "timezone"> & {
  nextRunAt: Date;
};

export interface DueTrigger {
  trigger: DueSchedule;
  /** Locked with the trigger, for the rest of the transaction. */
  routine: FiringRoutine;
}

/**
 * A schedule trigger the scheduler may fire (table alias `t`). The first three conditions are the filter of the
 * partial index `routine_triggers_due_idx`, written as it is so the planner uses it. The last leaves out a row
 * without its cron expression: one changed outside routined before migration 0006, whose check forbids such rows
 * since and also refuses any update of one until it is mended; claimed, it would fail every claim of its batch.
 */
export const fireableSchedule = sql.raw(`t.kind = 'schedule' and t.enabled and t.next_run_at is not null and t.cron_expression is not null`);

/**
 * Due triggers and their routines, oldest due first; `txNow` is the transaction's `now()`. With
 * `notAfterTxNow`, "due" is due by `now` and by the transaction's `now()` both (`now` is an estimate).
 */
async function claim(tx: Executor, now: Date, limit: number, notAfterTxNow = false): Promise<{ due: DueTrigger[]; txNow: Date | null }> {
  const upTo = notAfterTxNow ? sql`least(${now.toISOString()}::timestamptz, now())` : sql`${now.toISOString()}::timestamptz`;
  // Raw SQL, prepared: a burst claims hundreds of batches, and building this with the query builder cost
  // more than running it. Only the columns a fire reads: a burst claims thousands of rows.
  const rows = await queryPrepared<Record<string, any>>(
    tx,
    sql`select t.id, t.company_id, t.routine_id, t.cron_expression, t.timezone, t.next_run_at, ${firingRoutineColumns("r")},
               now() as tx_now
          from routine_triggers t join routines r on r.id = t.routine_id
         where ${fireableSchedule} and t.next_run_at <= ${upTo} and r.status = 'active'
         order by t.next_run_at
         limit ${limit}
           for update of t, r skip locked`,
  );
  return {
    due: rows.map((row) => ({
      trigger: {
        kind: "schedule",
        id: row.id,
        companyId: row.company_id,
        routineId: row.routine_id,
        enabled: true, // claimed only when enabled
        cronExpression: row.cron_expression,
        timezone: row.timezone ?? TRIGGER_DEFAULTS.timezone,
        nextRunAt: new Date(row.next_run_at),
      },
      routine: firingRoutineOf(row),
    })),
    txNow: rows[0] ? new Date(rows[0].tx_now) : null,
  };
}

/** When the scheduler next has work: the earliest `nextRunAt` of a fireable trigger of an active routine. */
async function earliestDue(db: Executor): Promise<Date | null> {
  // ORDER BY … LIMIT 1 walks the due index and stops at the first active routine; min() would join them all.
  const [row] = await queryRows<{ at: string | Date }>(
    db,
    sql`select t.next_run_at as at from routine_triggers t join routines r on r.id = t.routine_id
         where ${fireableSchedule} and r.status = 'active'
         order by t.next_run_at limit 1`,
  );
  return row ? new Date(row.at) : null;
}

export const dueTriggersRepo = { claim, earliestDue };

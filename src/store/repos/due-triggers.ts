/**
 * The scheduler's claim: due schedule triggers of active routines, locked with SKIP LOCKED so
 * several processes split the work and never wait on each other. The routine rows are locked in
 * the same statement: every other writer takes routine before trigger, so claiming both at once
 * (skipping any that are busy) cannot deadlock with them.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { type ScheduleTrigger, narrowTrigger } from "../../domain/trigger-kinds";
import { type Executor, queryPrepared } from "../db";
import { jsonRowOf } from "../raw-rows";
import { routineTriggers, routines } from "../schema";
import type { RoutineRow } from "./routines";

export interface DueTrigger {
  trigger: ScheduleTrigger & { nextRunAt: Date };
  /** Locked with the trigger, for the rest of the transaction. */
  routine: RoutineRow;
}

/** The filter of the partial index `routine_triggers_due_idx`, written as it is so the planner uses it (the claim spells it too). */
const enabledSchedule = sql`${routineTriggers.kind} = 'schedule' and ${routineTriggers.enabled} and ${routineTriggers.nextRunAt} is not null`;

/** Due triggers and their routines, oldest due first; `txNow` is the transaction's `now()`. */
async function claim(tx: Executor, now: Date, limit: number): Promise<{ due: DueTrigger[]; txNow: Date | null }> {
  // Raw SQL, prepared: a burst claims hundreds of batches, and building this with the query builder cost
  // more than running it.
  const rows = await queryPrepared<{ trigger: unknown; routine: unknown; tx_now: string | Date }>(
    tx,
    sql`select row_to_json(t) as trigger, row_to_json(r) as routine, now() as tx_now
          from routine_triggers t join routines r on r.id = t.routine_id
         where t.kind = 'schedule' and t.enabled and t.next_run_at is not null and t.next_run_at <= ${now.toISOString()}::timestamptz and r.status = 'active'
         order by t.next_run_at
         limit ${limit}
           for update of t, r skip locked`,
  );
  return {
    due: rows.map((row) => ({
      trigger: narrowTrigger(jsonRowOf(routineTriggers, row.trigger)!) as DueTrigger["trigger"],
      routine: jsonRowOf(routines, row.routine)!,
    })),
    txNow: rows[0] ? new Date(rows[0].tx_now) : null,
  };
}

/** When the scheduler next has work: the earliest `nextRunAt` of an enabled trigger of an active routine. */
async function earliestDue(db: Executor): Promise<Date | null> {
  // ORDER BY … LIMIT 1 walks the due index and stops at the first active routine; min() would join them all.
  const [row] = await db
    .select({ at: routineTriggers.nextRunAt })
    .from(routineTriggers)
    .innerJoin(routines, eq(routines.id, routineTriggers.routineId))
    .where(and(enabledSchedule, eq(routines.status, "active")))
    .orderBy(asc(routineTriggers.nextRunAt))
    .limit(1);
  return row?.at ?? null;
}

export const dueTriggersRepo = { claim, earliestDue };

/**
 * Backfill: fire a schedule trigger's occurrences in a past (or any) range through the one firing
 * path, as Temporal and Airflow allow: one transaction, one plan, one write (all or none). Slots that
 * already fired are answered with their runs (the unique (trigger_id, scheduled_for) index), and the
 * concurrency policy applies to each fire in order.
 */
import type { Actor } from "../domain/actor";
import { nextAfter } from "../domain/cron";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import { conflict, forbidden, notFound, unprocessable } from "../domain/errors";
import type { BackfillBody } from "../domain/schemas/backfill";
import { type Db, dbNow } from "../store/db";
import { openExecutionsByRoutine } from "../store/repos/issues";
import { routinesRepo } from "../store/repos/routines";
import { type RunRow, runsRepo } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import { assertManagesRoutine } from "./access";
import { knowActive, newFirePlan } from "./fire-plan";
import type { FiringService } from "./firing";
import type { RoutineService } from "./routines";

export const MAX_BACKFILL = 1000;

/** Occurrences in [from, to], oldest first; throws when there are more than `max`. */
export function occurrencesBetween(expr: string, zone: string, from: Date, to: Date, max: number): Date[] {
  const found: Date[] = [];
  for (let at = nextAfter(expr, zone, new Date(from.getTime() - 1)); at && at <= to; at = nextAfter(expr, zone, at)) {
    if (found.length === max) {
      throw unprocessable(`The range holds more than ${max} occurrences of "${expr}": narrow it and backfill in parts`);
    }
    found.push(at);
  }
  return found;
}

export function createBackfillService(db: Db, routines: RoutineService, firing: FiringService) {
  return {
    async backfill(actor: Actor, routineId: string, body: BackfillBody) {
      const routine = await routines.load(actor, routineId);
      assertManagesRoutine(actor, routine);
      if (routine.status === "archived") throw conflict("Routine is archived");
      if (routine.status === "paused") throw conflict("Routine is paused: resume it to backfill");
      const trigger = await triggersRepo.get(db, body.triggerId);
      if (!trigger) throw notFound("Routine trigger not found");
      if (trigger.routineId !== routineId) throw forbidden("Routine trigger belongs to another routine");
      if (trigger.kind !== "schedule" || !trigger.cronExpression) throw unprocessable("Only schedule triggers can be backfilled");
      const from = new Date(body.from);
      const to = new Date(body.to);
      if (from > to) throw unprocessable("from must not be after to");
      const slots = occurrencesBetween(trigger.cronExpression, trigger.timezone ?? "UTC", from, to, MAX_BACKFILL);
      // One transaction and one write for the whole range, decided in order as the scheduler decides a
      // catch-up: each occurrence sees the executions the earlier ones opened.
      return db.transaction(async (tx) => {
        const locked = await routinesRepo.getForUpdate(tx, routineId);
        const current = await triggersRepo.get(tx, trigger.id);
        if (!locked || !current) throw notFound("Routine trigger not found");
        const existing = await runsRepo.findBySlots(tx, trigger.id, slots);
        const facts = { routine: locked, trigger: current, now: await dbNow(tx) };
        const plan = newFirePlan();
        if (locked.concurrencyPolicy !== "always_enqueue") {
          knowActive(plan, [routineId], await openExecutionsByRoutine(tx, [routineId], OPEN_ISSUE_STATUSES));
        }
        const planned: { runId: string; existing?: RunRow }[] = [];
        for (const scheduledFor of slots) {
          const fired = existing.get(scheduledFor.getTime());
          const payload = { scheduledFor: scheduledFor.toISOString(), backfill: true };
          planned.push(
            fired
              ? { runId: fired.id, existing: fired }
              : firing.planFire(plan, { routineId, triggerId: trigger.id, source: "schedule", scheduledFor, payload }, facts),
          );
        }
        const written = await firing.flush(tx, plan);
        const runs = planned.map((p) => {
          const run = p.existing ?? written.get(p.runId);
          if (!run) throw new Error(`run ${p.runId} was neither written nor found`);
          return run;
        });
        // A run this backfill did not plan (another id) already held its slot.
        const duplicates = planned.filter((p, i) => p.existing || runs[i]!.id !== p.runId).length;
        return { occurrences: slots.length, created: slots.length - duplicates, duplicates, runs };
      });
    },
  };
}

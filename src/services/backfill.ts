/**
 * Backfill: fire a schedule trigger's occurrences in a past (or any) range through the one firing
 * path, as Temporal and Airflow allow: one transaction, one plan, one write (all or none). Slots that
 * already fired are answered with their runs (the unique (trigger_id, scheduled_for) index), and the
 * concurrency policy applies to each fire in order. The activity gate does not: a backfill is a request, like a
 * manual run (docs/scheduling.md says why).
 */
import type { Actor } from "../domain/actor";
import { nextAfter } from "../domain/cron";
import { conflict, forbidden, notFound, unprocessable } from "../domain/errors";
import type { BackfillBody } from "../domain/schemas/backfill";
import type { Firing } from "../firing/batch";
import { refusalError } from "../firing/refusals";
import { committing } from "../lib/after-commit";
import type { Db } from "../store/db";
import { triggersRepo } from "../store/repos/triggers";
import { assertManagesRoutine } from "./access";
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

export function createBackfillService(db: Db, routines: RoutineService, firing: Firing) {
  return {
    async backfill(actor: Actor, routineId: string, body: BackfillBody) {
      const routine = await routines.load(actor, routineId);
      assertManagesRoutine(actor, routine);
      if (routine.status === "archived") throw conflict("Routine is archived");
      if (routine.status === "paused") throw conflict("Routine is paused: resume it to backfill");
      const trigger = await triggersRepo.get(db, body.triggerId);
      if (!trigger) throw notFound("Routine trigger not found");
      if (trigger.routineId !== routineId) throw forbidden("Routine trigger belongs to another routine");
      if (trigger.kind !== "schedule") throw unprocessable("Only schedule triggers can be backfilled");
      const from = new Date(body.from);
      const to = new Date(body.to);
      if (from > to) throw unprocessable("from must not be after to");
      const slots = occurrencesBetween(trigger.cronExpression, trigger.timezone, from, to, MAX_BACKFILL);
      // One batch for the whole range, decided in order as the scheduler decides a catch-up: each occurrence
      // sees the executions the earlier ones opened; a slot already fired answers with its run.
      // The fire metrics hear of the runs once they are committed (a refused fire rolls the whole range back).
      return committing(db, async (tx) => {
        const fires = slots.map((scheduledFor) => ({
          routineId,
          triggerId: trigger.id,
          source: "schedule" as const,
          scheduledFor,
          payload: { scheduledFor: scheduledFor.toISOString(), backfill: true },
        }));
        const batch = await firing.open(tx, { fires, slots: true });
        const outcomes = batch.fire();
        const answers = await batch.flush();
        const runs = answers.map((a) => {
          if ("refused" in a) throw refusalError(a.refused, "schedule", a.detail);
          return a.run;
        });
        // A run this backfill did not plan held its slot already.
        const duplicates = outcomes.filter((o, i) => "runId" in o && (o.existing !== undefined || runs[i]!.id !== o.runId)).length;
        return { occurrences: slots.length, created: slots.length - duplicates, duplicates, runs };
      });
    },
  };
}

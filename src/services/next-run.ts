/** Keeps `nextRunAt` of schedule triggers true, computed from the database clock. */
import { nextAfter } from "../domain/cron";
import { CHANNELS } from "../domain/channels";
import type { ScheduleTrigger } from "../domain/trigger-kinds";
import { type Executor, dbNow, notify } from "../store/db";
import { triggersRepo } from "../store/repos/triggers";

/** When a schedule fires next after `now`; null while it is disabled. */
export function nextRunFor(schedule: Pick<ScheduleTrigger, "enabled" | "cronExpression" | "timezone">, now: Date): Date | null {
  return schedule.enabled ? nextAfter(schedule.cronExpression, schedule.timezone, now) : null;
}

/**
 * Recomputes `nextRunAt` of a routine's enabled schedule triggers from now: on resume, nothing
 * that fell due while the routine was paused fires in a burst.
 */
export async function recomputeScheduleTriggers(tx: Executor, routineId: string): Promise<void> {
  const now = await dbNow(tx);
  for (const trigger of await triggersRepo.listByRoutine(tx, routineId)) {
    if (trigger.kind !== "schedule") continue;
    await triggersRepo.update(tx, trigger.id, { nextRunAt: nextRunFor(trigger, now) });
  }
  await notifyTriggersChanged(tx);
}

export const notifyTriggersChanged = (tx: Executor) => notify(tx, CHANNELS.triggers);

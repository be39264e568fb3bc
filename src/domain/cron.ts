/**
 * Cron evaluation on croner, in IANA time zones. Pure: time is always a parameter.
 * (First cut: the Scheduler issue refines DST handling and error messages.)
 */
import { Cron } from "croner";
import { unprocessable } from "./errors";

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function compile(expr: string, timezone: string): Cron {
  if (!isValidTimezone(timezone)) throw unprocessable(`Invalid timezone: ${timezone}`);
  try {
    return new Cron(expr, { timezone, paused: true, legacyMode: true });
  } catch (err) {
    throw unprocessable(`Invalid cron expression "${expr}": ${(err as Error).message}`);
  }
}

/** Throws a 422 AppError saying what is wrong with the expression or the zone. */
export function validateSchedule(expr: string, timezone: string): void {
  compile(expr, timezone);
}

/** The first occurrence strictly after `after`, or null when the expression never fires again. */
export function nextAfter(expr: string, timezone: string, after: Date): Date | null {
  return compile(expr, timezone).nextRun(after);
}

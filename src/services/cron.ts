/** Cron previews for the API: the domain functions plus the clock for a default `after`. */
import type { Clock } from "../domain/clock";
import { describeCron } from "../domain/cron";
import { previewOccurrences } from "../domain/cron-preview";
import type { CronPreviewBody } from "../domain/schemas/cron";

export function createCronService(clock: Clock) {
  return {
    /** Throws the 422 for a bad expression or zone. */
    preview(body: CronPreviewBody) {
      const after = body.after ? new Date(body.after) : clock.now();
      const occurrences = previewOccurrences(body.cronExpression, body.timezone, after, body.count);
      return { description: describeCron(body.cronExpression), occurrences };
    },
  };
}

import { z } from "zod";
import { isoDateTime, timestamp } from "./common";
import { cronExpression, timezone } from "./triggers";

/** Validated like a schedule trigger's fields, so a preview accepts exactly what a trigger would. */
export const cronPreviewBody = z.strictObject({
  cronExpression,
  timezone: timezone.default("UTC"),
  count: z.int().min(1).max(100).default(10),
  /** Occurrences strictly after this instant; default now. */
  after: isoDateTime.optional(),
});

export const cronOccurrence = z.object({
  at: timestamp,
  /** Wall-clock time in the zone with its offset, e.g. 2026-03-08T03:00:00-04:00. */
  local: z.string(),
  /** Set where the DST rule moved or merged the occurrence. */
  note: z.string().optional(),
});

export const cronPreview = z.object({
  description: z.string(),
  occurrences: z.array(cronOccurrence),
});

export type CronPreviewBody = z.infer<typeof cronPreviewBody>;

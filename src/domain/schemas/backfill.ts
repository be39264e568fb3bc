import { z } from "zod";
import { isoDateTime, uuid } from "./common";
import { runSummary } from "./runs";

export const backfillBody = z.strictObject({
  triggerId: uuid,
  /** First instant of the range (inclusive). */
  from: isoDateTime,
  /** Last instant of the range (inclusive). */
  to: isoDateTime,
});

export const backfillResult = z.object({
  occurrences: z.number().int(),
  created: z.number().int().describe("Runs created by this call"),
  duplicates: z.number().int().describe("Occurrences that had already fired: their existing runs are returned"),
  runs: z.array(runSummary),
});

export type BackfillBody = z.infer<typeof backfillBody>;

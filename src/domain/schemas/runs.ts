/** Routine runs: one firing of a routine, whatever its outcome. */
import { z } from "zod";
import { runSource, runStatus } from "../enums";
import { timestamp, uuid } from "./common";

export const runSummary = z.object({
  id: uuid,
  companyId: uuid,
  routineId: uuid,
  triggerId: uuid.nullable(),
  source: runSource,
  status: runStatus,
  triggeredAt: timestamp,
  scheduledFor: timestamp.nullable(),
  idempotencyKey: z.string().nullable(),
  triggerPayload: z.record(z.string(), z.unknown()).nullable(),
  linkedIssueId: uuid.nullable(),
  coalescedIntoRunId: uuid.nullable(),
  failureReason: z.string().nullable(),
  completedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

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

export const manualRunBody = z.strictObject({
  source: z.enum(["manual", "api"]).default("manual"),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  idempotencyKey: z.string().trim().min(1).max(255).nullable().optional(),
  triggerId: uuid.nullable().optional(),
});

export const listRunsQuery = z.strictObject({
  limit: z.coerce.number().int().default(50).transform((n) => Math.min(200, Math.max(1, n))),
  status: runStatus.optional(),
  /** Cursor: the id of the last run of the previous page, or an ISO time (runs created before it). */
  before: z.union([uuid, z.iso.datetime({ offset: true })]).optional(),
});

export const runListItem = runSummary.extend({
  linkedIssue: z
    .object({
      id: uuid,
      identifier: z.string(),
      title: z.string(),
      status: z.string(),
      priority: z.string(),
      updatedAt: timestamp,
    })
    .nullable(),
  trigger: z.object({ id: uuid, kind: z.string(), label: z.string().nullable() }).nullable(),
});

export type ManualRunBody = z.infer<typeof manualRunBody>;
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

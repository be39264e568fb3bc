/** The activity log over HTTP. */
import { z } from "zod";
import { ACTIVITY_ACTOR_TYPES } from "../enums";
import { isoDateTime, timestamp, uuid } from "./common";

export const listActivityQuery = z.strictObject({
  actorType: z.enum(ACTIVITY_ACTOR_TYPES).optional(),
  actorId: z.string().min(1).max(200).optional(),
  agentId: uuid.optional(),
  entityType: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
  routineId: uuid.optional().describe("Entries about this routine, its triggers and its runs"),
  action: z.string().min(1).max(200).optional(),
  projectId: uuid.optional(),
  since: isoDateTime.optional().describe("Only activity after this time"),
  before: uuid.optional().describe("Cursor: the id of the last entry of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const activityEntry = z.object({
  id: uuid,
  companyId: uuid,
  actorType: z.enum(ACTIVITY_ACTOR_TYPES),
  actorId: z.string(),
  agentId: uuid.nullable(),
  runId: uuid.nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  projectId: uuid.nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  createdAt: timestamp,
});

export type ListActivityQuery = z.infer<typeof listActivityQuery>;

/** Routines: request and response schemas of the Paperclip wire format. */
import { z } from "zod";
import { catchUpPolicy, concurrencyPolicy, issueStatus, priority, routineStatus } from "../enums";
import { description, timestamp, trimmed, uuid } from "./common";
import { runSummary } from "./runs";
import { triggerRow, triggerSummary } from "./triggers";

const routineFields = {
  title: trimmed(1, 200),
  description,
  assigneeAgentId: uuid,
  projectId: uuid,
  goalId: uuid.nullable(),
  parentIssueId: uuid.nullable(),
  priority,
  status: routineStatus,
  concurrencyPolicy,
  catchUpPolicy,
};

export const createRoutineBody = z.strictObject({
  ...routineFields,
  description: description.optional(),
  goalId: routineFields.goalId.optional(),
  parentIssueId: routineFields.parentIssueId.optional(),
  priority: priority.default("medium"),
  status: routineStatus.default("active"),
  concurrencyPolicy: concurrencyPolicy.default("coalesce_if_active"),
  catchUpPolicy: catchUpPolicy.default("skip_missed"),
});

export const updateRoutineBody = z
  .strictObject(routineFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });

export const listRoutinesQuery = z.strictObject({
  projectId: uuid.optional(),
  status: routineStatus.optional(),
  assigneeAgentId: uuid.optional(),
});

export const routine = z.object({
  id: uuid,
  companyId: uuid,
  projectId: uuid.nullable(),
  goalId: uuid.nullable(),
  parentIssueId: uuid.nullable(),
  title: z.string(),
  description: z.string().nullable(),
  assigneeAgentId: uuid.nullable(),
  priority,
  status: routineStatus,
  concurrencyPolicy,
  catchUpPolicy,
  createdByAgentId: uuid.nullable(),
  updatedByAgentId: uuid.nullable(),
  lastTriggeredAt: timestamp.nullable(),
  lastEnqueuedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const issueSummary = z.object({
  id: uuid,
  identifier: z.string(),
  title: z.string(),
  status: issueStatus,
  priority,
  updatedAt: timestamp,
});

export const routineListItem = routine.extend({
  triggers: z.array(triggerSummary),
  lastRun: runSummary.nullable(),
  activeIssue: issueSummary.nullable(),
});

export const routineDetail = routine.extend({
  project: z.object({ id: uuid, name: z.string() }).nullable(),
  assignee: z.object({ id: uuid, name: z.string(), role: z.string().nullable(), title: z.string().nullable() }).nullable(),
  parentIssue: issueSummary.nullable(),
  triggers: z.array(triggerRow),
  recentRuns: z.array(runSummary),
  activeIssue: issueSummary.nullable(),
});

export type CreateRoutineBody = z.infer<typeof createRoutineBody>;
export type UpdateRoutineBody = z.infer<typeof updateRoutineBody>;
export type ListRoutinesQuery = z.infer<typeof listRoutinesQuery>;

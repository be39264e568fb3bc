/**
 * Routines: request and response schemas of the Paperclip wire format. Request bodies accept every field of
 * Paperclip's `createRoutineSchema` / `updateRoutineSchema` (`@paperclipai/shared`); a key neither knows is a 400.
 */
import { z } from "zod";
import {
  activityGatePolicy,
  activityGateScope,
  catchUpPolicy,
  concurrencyPolicy,
  issueStatus,
  priority,
  routineStatus,
  variableType,
} from "../enums";
import { isValidDateString } from "../routine-variables";
import { descriptionDocument } from "./annotations";
import { description, timestamp, trimmed, uuid } from "./common";
import { runListItem } from "./runs";
import { triggerRow, triggerSummary } from "./triggers";

export const variableValue = z.union([z.string(), z.number().finite(), z.boolean()]);

/** A variable definition as Paperclip's `routineVariableSchema` checks it. */
export const routineVariableInput = z
  .strictObject({
    name: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: "must start with a letter; letters, digits and _" }),
    label: z.string().trim().max(120).nullable().optional(),
    type: variableType.default("text"),
    defaultValue: variableValue.nullable().optional(),
    required: z.boolean().default(true),
    options: z.array(z.string().trim().min(1).max(120)).max(50).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.type === "select" && v.options.length === 0) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "Select variables require at least one option" });
    }
    if (v.type !== "select" && v.options.length > 0) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "Only select variables can define options" });
    }
    if (v.type === "select" && v.defaultValue != null && (typeof v.defaultValue !== "string" || !v.options.includes(v.defaultValue))) {
      ctx.addIssue({ code: "custom", path: ["defaultValue"], message: "Select variable defaults must match one of the allowed options" });
    }
    if (v.type === "date" && v.defaultValue != null && (typeof v.defaultValue !== "string" || !isValidDateString(v.defaultValue))) {
      ctx.addIssue({ code: "custom", path: ["defaultValue"], message: "Date variable defaults must be valid YYYY-MM-DD calendar dates" });
    }
  });

/** Paperclip's `envBindingSchema`: a string, a plain value, or a reference to its secret store (refused with 422). */
export const envBinding = z.union([
  z.string(),
  z.strictObject({ type: z.literal("plain"), value: z.string() }),
  z.looseObject({ type: z.enum(["secret_ref", "user_secret_ref"]) }),
]);
export const envInput = z
  .record(z.string().min(1).max(120), envBinding)
  .refine((v) => Object.keys(v).length <= 100, { message: "at most 100 variables" });

const routineFields = {
  title: trimmed(1, 200),
  description,
  assigneeAgentId: uuid.nullable(),
  projectId: uuid.nullable(),
  folderId: uuid.nullable(),
  goalId: uuid.nullable(),
  parentIssueId: uuid.nullable(),
  priority,
  status: routineStatus,
  concurrencyPolicy,
  catchUpPolicy,
  activityGatePolicy,
  activityGateScope,
  variables: z.array(routineVariableInput).max(50),
  env: envInput.nullable(),
};

export const createRoutineBody = z.strictObject({
  ...routineFields,
  description: description.optional(),
  assigneeAgentId: routineFields.assigneeAgentId.optional(),
  projectId: routineFields.projectId.optional(),
  folderId: routineFields.folderId.optional(),
  goalId: routineFields.goalId.optional(),
  parentIssueId: routineFields.parentIssueId.optional(),
  priority: priority.default("medium"),
  status: routineStatus.default("active"),
  concurrencyPolicy: concurrencyPolicy.default("coalesce_if_active"),
  catchUpPolicy: catchUpPolicy.default("skip_missed"),
  activityGatePolicy: activityGatePolicy.default("always"),
  activityGateScope: activityGateScope.default("company"),
  variables: routineFields.variables.default([]),
  env: routineFields.env.optional(),
});

/** Every field optional; `{}` changes nothing. `baseRevisionId`: the revision the edit started from (stale → 409). */
export const updateRoutineBody = z
  .strictObject({ ...routineFields, baseRevisionId: uuid.nullable() })
  .partial();

export const listRoutinesQuery = z.strictObject({
  projectId: uuid.optional(),
  status: routineStatus.optional(),
  assigneeAgentId: uuid.optional(),
});

const variableOutput = z.object({
  name: z.string(),
  label: z.string().nullable(),
  type: variableType,
  defaultValue: variableValue.nullable(),
  required: z.boolean(),
  options: z.array(z.string()),
});

export const routine = z.object({
  id: uuid,
  companyId: uuid,
  projectId: uuid.nullable(),
  folderId: uuid.nullable(),
  goalId: uuid.nullable(),
  parentIssueId: uuid.nullable(),
  title: z.string(),
  description: z.string().nullable(),
  assigneeAgentId: uuid.nullable(),
  priority,
  status: routineStatus,
  concurrencyPolicy,
  catchUpPolicy,
  activityGatePolicy,
  activityGateScope,
  variables: z.array(variableOutput),
  env: z
    .record(z.string(), z.object({ type: z.literal("plain"), value: z.string() }))
    .nullable()
    .describe('Names only: every value is shown as "***" (send "***" back to keep a value)'),
  latestRevisionId: uuid.nullable(),
  latestRevisionNumber: z.number().int(),
  createdByAgentId: uuid.nullable(),
  createdByUserId: z.string().nullable(),
  responsibleUserId: z.string().nullable(),
  updatedByAgentId: uuid.nullable(),
  updatedByUserId: z.string().nullable(),
  lastTriggeredAt: timestamp.nullable(),
  lastEnqueuedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const issueSummary = z.object({
  id: uuid,
  identifier: z.string().nullable(),
  title: z.string(),
  status: issueStatus,
  priority,
  updatedAt: timestamp,
});

export const routineListItem = routine.extend({
  triggers: z.array(triggerSummary),
  lastRun: runListItem.nullable(),
  activeIssue: issueSummary.nullable(),
});

export const routineDetail = routine.extend({
  project: z
    .object({ id: uuid, name: z.string(), description: z.string().nullable(), status: z.string(), goalId: uuid.nullable() })
    .nullable(),
  assignee: z.object({ id: uuid, name: z.string(), role: z.string().nullable(), title: z.string().nullable() }).nullable(),
  parentIssue: issueSummary.nullable(),
  descriptionDocument: descriptionDocument.nullable().describe("The description as a document with revisions: what annotation threads anchor to"),
  triggers: z.array(triggerRow),
  recentRuns: z.array(runListItem),
  activeIssue: issueSummary.nullable(),
});

export type CreateRoutineBody = z.infer<typeof createRoutineBody>;
export type UpdateRoutineBody = z.infer<typeof updateRoutineBody>;
export type ListRoutinesQuery = z.infer<typeof listRoutinesQuery>;

export const revision = z.object({
  id: uuid,
  companyId: uuid,
  routineId: uuid,
  revisionNumber: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  snapshot: z.record(z.string(), z.unknown()).describe("Paperclip's routineRevisionSnapshotV1: { version: 1, routine, triggers }"),
  changeSummary: z.string().nullable(),
  restoredFromRevisionId: uuid.nullable(),
  createdByAgentId: uuid.nullable(),
  createdByUserId: z.string().nullable(),
  createdByRunId: uuid.nullable(),
  createdAt: timestamp,
});

/** What Paperclip's UI sends with a restore: the summary its dialog asks for (empty or null: "Restored from revision N"). */
export const restoreBody = z.strictObject({
  changeSummary: z.string().trim().max(500).nullable().optional(),
});

export const restoreResult = z.object({
  routine,
  revision,
  restoredFromRevisionId: uuid,
  restoredFromRevisionNumber: z.number().int(),
  secretMaterials: z.array(z.object({ triggerId: uuid, webhookUrl: z.string(), webhookSecret: z.string() })),
});

/** Routine runs: one firing of a routine, whatever its outcome. */
import { z } from "zod";
import { runSource, runStatus } from "../enums";
import { jsonObject, timestamp, uuid } from "./common";

const variableValue = z.union([z.string(), z.number().finite(), z.boolean()]);

export const runSummary = z.object({
  id: uuid,
  companyId: uuid,
  routineId: uuid,
  triggerId: uuid.nullable(),
  source: runSource,
  status: runStatus,
  triggeredAt: timestamp,
  scheduledFor: timestamp.nullable(),
  routineRevisionId: uuid.nullable(),
  idempotencyKey: z.string().nullable(),
  triggerPayload: z.record(z.string(), z.unknown()).nullable(),
  dispatchFingerprint: z.string().nullable(),
  linkedIssueId: uuid.nullable(),
  coalescedIntoRunId: uuid.nullable(),
  failureReason: z.string().nullable(),
  completedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const ignored = (what: string) => `Accepted for Paperclip compatibility and ignored: ${what}`;

/** Paperclip's `runRoutineSchema`: every field is accepted; execution workspaces are ignored (routined has none). */
export const manualRunBody = z.strictObject({
  source: z.enum(["manual", "api"]).default("manual"),
  payload: jsonObject.nullable().optional(),
  variables: z.record(z.string(), variableValue).nullable().optional().describe("Values of the routine's variables"),
  idempotencyKey: z
    .string()
    .trim()
    .max(255)
    .nullable()
    .optional()
    .transform((k) => (k ? k : null))
    .describe('An empty key is no key'),
  triggerId: uuid.nullable().optional(),
  assigneeAgentId: uuid.nullable().optional().describe("Wake this agent instead of the routine's assignee, for this run"),
  projectId: uuid.nullable().optional().describe("File the execution issue in this project instead of the routine's, for this run"),
  projectWorkspaceId: uuid.nullable().optional().describe(ignored("project workspaces")),
  executionWorkspaceId: uuid.nullable().optional().describe(ignored("execution workspaces")),
  executionWorkspacePreference: z
    .enum(["inherit", "shared_workspace", "isolated_workspace", "operator_branch", "reuse_existing", "agent_default"])
    .nullable()
    .optional()
    .describe(ignored("execution workspaces")),
  executionWorkspaceSettings: jsonObject.nullable().optional().describe(ignored("execution workspaces")),
});

export const listRunsQuery = z.strictObject({
  /** Paperclip falls back to 50 for a limit that is not a number; so does routined. */
  limit: z
    .string()
    .optional()
    .transform((v) => {
      const n = v === undefined || v.trim() === "" ? NaN : Math.trunc(Number(v));
      return Number.isFinite(n) ? Math.min(200, Math.max(1, n)) : 50;
    }),
  status: runStatus.optional(),
  /** Cursor: the id of the last run of the previous page, or an ISO time (runs created before it). */
  before: z.union([uuid, z.iso.datetime({ offset: true })]).optional(),
});

export const runListItem = runSummary.extend({
  linkedIssue: z
    .object({
      id: uuid,
      identifier: z.string().nullable(),
      title: z.string(),
      status: z.string(),
      priority: z.string(),
      updatedAt: timestamp,
    })
    .nullable(),
  trigger: z.object({ id: uuid, kind: z.string(), label: z.string().nullable() }).nullable(),
});

export type ManualRunBody = z.infer<typeof manualRunBody>;
export type ManualRunInput = z.input<typeof manualRunBody>;
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

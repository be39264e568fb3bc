import { z } from "zod";
import { ISSUE_STATUSES, issueStatus, priority } from "../enums";
import { description, timestamp, trimmed, uuid } from "./common";

const fields = {
  title: trimmed(1, 500),
  description,
  status: issueStatus,
  priority,
  assigneeAgentId: uuid.nullable(),
  projectId: uuid.nullable(),
  goalId: uuid.nullable(),
  parentId: uuid.nullable(),
};

export const createIssueBody = z.strictObject({
  title: fields.title,
  description: fields.description.optional(),
  status: issueStatus.default("backlog"),
  priority: priority.default("medium"),
  assigneeAgentId: fields.assigneeAgentId.optional(),
  projectId: fields.projectId.optional(),
  goalId: fields.goalId.optional(),
  parentId: fields.parentId.optional(),
});

export const updateIssueBody = z
  .strictObject(fields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "at least one field is required" });

/** `?status=todo,in_progress` or `?status=todo&status=in_progress`: one or more statuses. */
const statusList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => [v].flat().flatMap((s) => s.split(",")).map((s) => s.trim()))
  .pipe(z.array(issueStatus).min(1))
  .describe(`One or more of ${ISSUE_STATUSES.join(", ")}: comma-separated or repeated`);

export const listIssuesQuery = z.strictObject({
  status: statusList.optional(),
  assigneeAgentId: uuid.optional(),
  projectId: uuid.optional(),
  originKind: trimmed(1, 100).optional(),
  originId: trimmed(1, 200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Cursor: the id of the last issue of the previous page (pages are newest first). */
  before: uuid.optional(),
});

export const issue = z.object({
  id: uuid,
  companyId: uuid,
  projectId: uuid.nullable(),
  goalId: uuid.nullable(),
  parentId: uuid.nullable(),
  issueNumber: z.number().int(),
  identifier: z.string().describe("Company prefix and number, e.g. `AR-12`"),
  title: z.string(),
  description: z.string().nullable(),
  status: issueStatus,
  priority,
  assigneeAgentId: uuid.nullable(),
  originKind: z.string().describe("`manual`, or `routine_execution` for issues a routine run created"),
  originId: z.string().nullable(),
  originRunId: uuid.nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
  createdByAgentId: uuid.nullable(),
  startedAt: timestamp.nullable(),
  completedAt: timestamp.nullable(),
  cancelledAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const COMMENT_AUTHOR_KINDS = ["board", "agent", "system"] as const;
export const createCommentBody = z.strictObject({
  body: z
    .string()
    .min(1)
    .max(50_000)
    .refine((s) => s.trim().length > 0, { message: "must not be blank" }),
});
export const issueComment = z.object({
  id: uuid,
  companyId: uuid,
  issueId: uuid,
  authorKind: z.enum(COMMENT_AUTHOR_KINDS).describe("`system` for comments routined writes itself (coalesced fires)"),
  authorAgentId: uuid.nullable(),
  body: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type CreateIssueBody = z.infer<typeof createIssueBody>;
export type UpdateIssueBody = z.infer<typeof updateIssueBody>;
export type ListIssuesQuery = z.infer<typeof listIssuesQuery>;
export type CreateCommentBody = z.infer<typeof createCommentBody>;
export type IssueComment = z.infer<typeof issueComment>;

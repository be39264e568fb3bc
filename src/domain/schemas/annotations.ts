/**
 * Annotation threads on a routine's description: Paperclip's document-annotation request schemas
 * (`@paperclipai/shared` validators/document-annotation.js, same fields and limits; a key neither knows is a 400)
 * and the thread and comment it answers with.
 */
import { z } from "zod";
import { activityActorType, anchorConfidence, anchorState, annotationThreadStatus } from "../enums";
import { timestamp, uuid } from "./common";

/** A body as Paperclip reads it: a literal `\n` (or `\r\n`, `\r`) sent by a shell or an agent is a line break. */
const commentBody = z
  .string()
  .transform((v) => v.replace(/\\r\\n/g, "\n").replace(/\\n/g, "\n").replace(/\\r/g, "\n"))
  .pipe(z.string().min(1).max(20_000));

const offset = z.number().int().nonnegative();

export const anchorSelector = z.strictObject({
  quote: z.strictObject({
    exact: z.string().min(1).max(10_000),
    prefix: z.string().max(1_000).default(""),
    suffix: z.string().max(1_000).default(""),
  }),
  position: z
    .strictObject({ normalizedStart: offset, normalizedEnd: offset, markdownStart: offset, markdownEnd: offset })
    .superRefine((v, ctx) => {
      if (v.normalizedEnd <= v.normalizedStart) {
        ctx.addIssue({ code: "custom", message: "normalizedEnd must be greater than normalizedStart", path: ["normalizedEnd"] });
      }
      if (v.markdownEnd <= v.markdownStart) {
        ctx.addIssue({ code: "custom", message: "markdownEnd must be greater than markdownStart", path: ["markdownEnd"] });
      }
    }),
});

export const createThreadBody = z.strictObject({
  baseRevisionId: uuid.describe("The description document's latest revision (`descriptionDocument.latestRevisionId` of the routine)"),
  baseRevisionNumber: z.number().int().positive(),
  selector: anchorSelector.describe("The passage: its text with what surrounds it, and its offsets (Paperclip's createDocumentAnchorSelector)"),
  body: commentBody.describe("The thread's first comment"),
  issueCommentId: uuid.nullable().optional().describe("Accepted for Paperclip's issue documents; ignored on a routine"),
});

export const addCommentBody = z.strictObject({
  body: commentBody,
  issueCommentId: uuid.nullable().optional().describe("Accepted for Paperclip's issue documents; ignored on a routine"),
});

export const updateThreadBody = z
  .strictObject({ status: annotationThreadStatus.optional() })
  .refine((v) => v.status != null, { message: "At least one field must be provided" });

/** Paperclip answers anything else with the open threads, and so does routined. */
export const listThreadsQuery = z.object({
  status: z.enum(["open", "resolved", "all"]).catch("open").default("open"),
  includeComments: z
    .string()
    .optional()
    .transform((v) => v === "true" || v === "1"),
});

export const annotationComment = z.object({
  id: uuid,
  companyId: uuid,
  threadId: uuid,
  issueId: z.null(),
  routineId: uuid,
  caseId: z.null(),
  documentId: uuid,
  body: z.string(),
  authorType: activityActorType,
  authorAgentId: uuid.nullable(),
  authorUserId: z.string().nullable(),
  createdByRunId: uuid.nullable(),
  issueCommentId: uuid.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const annotationThread = z.object({
  id: uuid,
  companyId: uuid,
  issueId: z.null(),
  routineId: uuid,
  caseId: z.null(),
  documentId: uuid,
  documentKey: z.string(),
  status: annotationThreadStatus,
  anchorState: anchorState.describe("`stale` or `orphaned` once an edit of the description moved or removed the passage"),
  anchorConfidence,
  originalRevisionId: uuid.nullable(),
  originalRevisionNumber: z.number().int(),
  currentRevisionId: uuid.nullable(),
  currentRevisionNumber: z.number().int(),
  selectedText: z.string(),
  prefixText: z.string(),
  suffixText: z.string(),
  normalizedStart: z.number().int(),
  normalizedEnd: z.number().int(),
  markdownStart: z.number().int(),
  markdownEnd: z.number().int(),
  anchorSelector: z.record(z.string(), z.unknown()),
  createdByAgentId: uuid.nullable(),
  createdByUserId: z.string().nullable(),
  resolvedByAgentId: uuid.nullable(),
  resolvedByUserId: z.string().nullable(),
  resolvedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const annotationThreadWithComments = annotationThread.extend({ comments: z.array(annotationComment) });

/** Paperclip's `RoutineDescriptionDocument`, on a routine's detail. */
export const descriptionDocument = z.object({
  id: uuid,
  companyId: uuid,
  routineId: uuid,
  key: z.literal("description"),
  title: z.string().nullable(),
  format: z.literal("markdown"),
  body: z.string(),
  latestRevisionId: uuid.nullable(),
  latestRevisionNumber: z.number().int(),
  createdByAgentId: uuid.nullable(),
  createdByUserId: z.string().nullable(),
  updatedByAgentId: uuid.nullable(),
  updatedByUserId: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type CreateThreadBody = z.infer<typeof createThreadBody>;
export type AddCommentBody = z.infer<typeof addCommentBody>;
export type UpdateThreadBody = z.infer<typeof updateThreadBody>;
export type ListThreadsQuery = z.infer<typeof listThreadsQuery>;

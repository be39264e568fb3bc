/**
 * Annotation threads on a routine's description (Paperclip's routine description annotations): a comment thread
 * anchored to a passage, made against the description's latest revision, answered, resolved and reopened. Who
 * may manage the routine may annotate it (the board, or the agent it is assigned to).
 */
import { sql } from "drizzle-orm";
import type { Actor } from "../domain/actor";
import { authorOf } from "../domain/actor";
import { verifyAnchor } from "../domain/description-anchor";
import { conflict, notFound, unprocessable } from "../domain/errors";
import type { AddCommentBody, CreateThreadBody, ListThreadsQuery, UpdateThreadBody } from "../domain/schemas/annotations";
import type { Db, Executor } from "../store/db";
import { type AnnotationCommentRow, type AnnotationThreadRow, annotationsRepo } from "../store/repos/annotations";
import { type RoutineDocumentRow, routineDocumentsRepo } from "../store/repos/routine-documents";
import type { RoutineRow } from "../store/repos/routines";
import { assertManagesRoutine } from "./access";
import { logActivity } from "./activity";
import { anchorColumns, presentComment, presentThread } from "./annotation-views";
import type { RoutineService } from "./routines";

const KEY = "description";

/** Author columns of a comment written by `actor`. */
function authorColumns(actor: Actor) {
  const author = authorOf(actor);
  return {
    authorType: actor.kind === "agent" ? ("agent" as const) : ("user" as const),
    authorAgentId: author.agentId,
    authorUserId: author.userId,
    createdByRunId: actor.runId ?? null,
  };
}

export function createAnnotationService(db: Db, routines: RoutineService) {
  /** The routine, 403/404 as for managing it (read before a transaction: PGlite has one connection). */
  async function managed(actor: Actor, routineId: string): Promise<RoutineRow> {
    const routine = await routines.load(actor, routineId);
    assertManagesRoutine(actor, routine);
    return routine;
  }

  /** The routine's description document (locked with `lock`, until the transaction ends). */
  async function documentOf(tx: Executor, routineId: string, lock = false): Promise<RoutineDocumentRow> {
    const doc = lock ? await routineDocumentsRepo.getForUpdate(tx, routineId) : await routineDocumentsRepo.get(tx, routineId);
    if (!doc) throw notFound("Document not found");
    return doc;
  }

  async function withComments(threads: AnnotationThreadRow[], tx: Executor = db) {
    const byThread = new Map<string, AnnotationCommentRow[]>();
    for (const c of await annotationsRepo.comments(tx, threads.map((t) => t.id))) byThread.set(c.threadId, [...(byThread.get(c.threadId) ?? []), c]);
    return threads.map((t) => ({ ...presentThread(t), comments: (byThread.get(t.id) ?? []).map(presentComment) }));
  }

  async function thread(tx: Executor, routineId: string, threadId: string): Promise<AnnotationThreadRow> {
    const found = await annotationsRepo.getThread(tx, routineId, threadId);
    if (!found) throw notFound("Annotation thread not found");
    return found;
  }

  return {
    /** Newest activity first; the open ones unless `status` says otherwise. */
    async list(actor: Actor, routineId: string, q: ListThreadsQuery) {
      await managed(actor, routineId);
      const doc = await documentOf(db, routineId);
      const threads = await annotationsRepo.listThreads(db, routineId, doc.id, q.status === "all" ? undefined : q.status);
      return q.includeComments ? withComments(threads) : threads.map(presentThread);
    },

    async get(actor: Actor, routineId: string, threadId: string) {
      await managed(actor, routineId);
      const [found] = await withComments([await thread(db, routineId, threadId)]);
      return found!;
    },

    /** A thread on the passage `selector` names in the description's latest revision, with its first comment. */
    async create(actor: Actor, routineId: string, body: CreateThreadBody) {
      const routine = await managed(actor, routineId);
      return db.transaction(async (tx) => {
        const doc = await documentOf(tx, routineId, true);
        if (body.baseRevisionId !== doc.latestRevisionId || body.baseRevisionNumber !== doc.latestRevisionNumber) {
          throw conflict("Annotation anchor requires the current document revision", {
            currentRevisionId: doc.latestRevisionId,
            currentRevisionNumber: doc.latestRevisionNumber,
          });
        }
        const verified = verifyAnchor(doc.body, body.selector);
        if ("reason" in verified) {
          throw unprocessable("Annotation anchor does not match the current document revision", { reason: verified.reason });
        }
        const author = authorOf(actor);
        const created = await annotationsRepo.insertThread(tx, {
          companyId: routine.companyId,
          routineId,
          documentId: doc.id,
          documentKey: KEY,
          originalRevisionId: doc.latestRevisionId,
          originalRevisionNumber: doc.latestRevisionNumber,
          currentRevisionId: doc.latestRevisionId,
          currentRevisionNumber: doc.latestRevisionNumber,
          ...anchorColumns(verified.anchor),
          anchorSelector: body.selector,
          createdByAgentId: author.agentId,
          createdByUserId: author.userId,
        });
        const comment = await annotationsRepo.insertComment(tx, {
          companyId: routine.companyId,
          threadId: created.id,
          routineId,
          documentId: doc.id,
          body: body.body,
          ...authorColumns(actor),
        });
        await logActivity(tx, actor, {
          companyId: routine.companyId,
          action: "routine.document_annotation_thread_created",
          entityType: "routine",
          entityId: routineId,
          projectId: routine.projectId,
          details: {
            key: KEY,
            documentKey: KEY,
            documentId: doc.id,
            threadId: created.id,
            commentId: comment.id,
            revisionNumber: created.currentRevisionNumber,
            quote: created.selectedText.slice(0, 240),
          },
        });
        return { ...presentThread(created), comments: [presentComment(comment)] };
      });
    },

    async addComment(actor: Actor, routineId: string, threadId: string, body: AddCommentBody) {
      const routine = await managed(actor, routineId);
      return db.transaction(async (tx) => {
        const doc = await documentOf(tx, routineId);
        const found = await thread(tx, routineId, threadId);
        const comment = await annotationsRepo.insertComment(tx, {
          companyId: routine.companyId,
          threadId: found.id,
          routineId,
          documentId: doc.id,
          body: body.body,
          ...authorColumns(actor),
        });
        await annotationsRepo.updateThread(tx, found.id, {});
        await logActivity(tx, actor, {
          companyId: routine.companyId,
          action: "routine.document_annotation_comment_added",
          entityType: "routine",
          entityId: routineId,
          projectId: routine.projectId,
          details: { key: KEY, documentKey: KEY, threadId: found.id, commentId: comment.id, bodySnippet: comment.body.slice(0, 120) },
        });
        return presentComment(comment);
      });
    },

    /** Resolves or reopens a thread (the same status again changes nothing). */
    async update(actor: Actor, routineId: string, threadId: string, body: UpdateThreadBody) {
      const routine = await managed(actor, routineId);
      return db.transaction(async (tx) => {
        const doc = await documentOf(tx, routineId);
        const found = await thread(tx, routineId, threadId);
        if (!body.status || body.status === found.status) return presentThread(found);
        const author = authorOf(actor);
        const resolved = body.status === "resolved";
        const updated = await annotationsRepo.updateThread(tx, found.id, {
          status: body.status,
          resolvedByAgentId: resolved ? author.agentId : null,
          resolvedByUserId: resolved ? author.userId : null,
          resolvedAt: resolved ? sql`now()` : null,
        });
        await logActivity(tx, actor, {
          companyId: routine.companyId,
          action: resolved ? "routine.document_annotation_thread_resolved" : "routine.document_annotation_thread_reopened",
          entityType: "routine",
          entityId: routineId,
          projectId: routine.projectId,
          details: { key: KEY, documentKey: KEY, documentId: doc.id, threadId: found.id, status: updated.status },
        });
        return presentThread(updated);
      });
    },
  };
}

export type AnnotationService = ReturnType<typeof createAnnotationService>;

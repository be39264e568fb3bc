/**
 * A routine's description as a document with revisions (Paperclip's "description" routine document): created
 * with the routine, given a new revision whenever the description changes (an update or a restore), and the
 * open annotation threads on it moved to where their passage now is, all in the change's transaction.
 */
import type { Actor } from "../domain/actor";
import { authorOf } from "../domain/actor";
import { moveAnchor } from "../domain/description-anchor";
import type { Executor } from "../store/db";
import { uuidV7 } from "../lib/uuid-v7";
import { annotationsRepo } from "../store/repos/annotations";
import { type RoutineDocumentRow, routineDocumentsRepo } from "../store/repos/routine-documents";
import type { RoutineRow } from "../store/repos/routines";
import { logActivity } from "./activity";
import { anchorColumns, anchorOf } from "./annotation-views";

export const DESCRIPTION_TITLE = "Routine description";

/** Paperclip's `RoutineDescriptionDocument` of a stored document. */
export function presentDescriptionDocument(doc: RoutineDocumentRow) {
  return {
    id: doc.id,
    companyId: doc.companyId,
    routineId: doc.routineId,
    key: "description" as const,
    title: DESCRIPTION_TITLE,
    format: "markdown" as const,
    body: doc.body,
    latestRevisionId: doc.latestRevisionId,
    latestRevisionNumber: doc.latestRevisionNumber,
    createdByAgentId: doc.createdByAgentId,
    createdByUserId: doc.createdByUserId,
    updatedByAgentId: doc.updatedByAgentId,
    updatedByUserId: doc.updatedByUserId,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** Makes the routine's description document hold its description (the routine is locked by the caller). */
export async function syncDescriptionDocument(tx: Executor, routine: RoutineRow, actor: Actor, changeSummary: string): Promise<void> {
  const body = routine.description ?? "";
  const author = authorOf(actor);
  const doc = await routineDocumentsRepo.get(tx, routine.id);
  if (doc && doc.body === body) return;
  const revisionId = uuidV7();
  const revisionNumber = doc ? doc.latestRevisionNumber + 1 : 1;
  const saved = doc
    ? await routineDocumentsRepo.update(tx, doc.id, {
        body,
        latestRevisionId: revisionId,
        latestRevisionNumber: revisionNumber,
        updatedByAgentId: author.agentId,
        updatedByUserId: author.userId,
      })
    : await routineDocumentsRepo.insert(tx, {
        companyId: routine.companyId,
        routineId: routine.id,
        body,
        latestRevisionId: revisionId,
        latestRevisionNumber: revisionNumber,
        createdByAgentId: author.agentId,
        createdByUserId: author.userId,
        updatedByAgentId: author.agentId,
        updatedByUserId: author.userId,
      });
  await routineDocumentsRepo.insertRevision(tx, {
    id: revisionId,
    companyId: routine.companyId,
    documentId: saved.id,
    revisionNumber,
    body,
    changeSummary,
    createdByAgentId: author.agentId,
    createdByUserId: author.userId,
  });
  if (doc) await moveOpenThreads(tx, routine, saved, actor);
}

/** Every open thread on the document follows its passage into the new revision (or is orphaned, if it is gone). */
async function moveOpenThreads(tx: Executor, routine: RoutineRow, doc: RoutineDocumentRow, actor: Actor): Promise<void> {
  for (const thread of await annotationsRepo.listThreads(tx, routine.id, doc.id, "open")) {
    const moved = moveAnchor(anchorOf(thread), thread.anchorSelector as never, doc.body);
    const updated = await annotationsRepo.updateThread(tx, thread.id, {
      currentRevisionId: doc.latestRevisionId,
      currentRevisionNumber: doc.latestRevisionNumber,
      anchorState: moved.state,
      anchorConfidence: moved.confidence,
      ...(moved.anchor ? anchorColumns(moved.anchor) : {}),
      anchorSelector: moved.selector as never,
    });
    await logActivity(tx, actor, {
      companyId: routine.companyId,
      action: "routine.document_annotation_remapped",
      entityType: "routine",
      entityId: routine.id,
      projectId: routine.projectId,
      details: {
        key: "description",
        documentKey: "description",
        documentId: doc.id,
        threadId: thread.id,
        revisionNumber: doc.latestRevisionNumber,
        anchorState: updated.anchorState,
        anchorConfidence: updated.anchorConfidence,
      },
    });
  }
}

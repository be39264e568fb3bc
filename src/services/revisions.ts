/**
 * Routine revisions: every change of a routine or its triggers records a snapshot (in the change's
 * transaction, under the routine's lock); the list, newest first; and a restore, which is itself a change.
 */
import type { Actor } from "../domain/actor";
import { authorOf } from "../domain/actor";
import type { RoutineStatus } from "../domain/enums";
import { conflict, forbidden, notFound } from "../domain/errors";
import { changeStatus } from "../domain/routine-lifecycle";
import { type Snapshot, buildSnapshot } from "../domain/revision-snapshot";
import { triggerColumns } from "../domain/trigger-kinds";
import type { StoredEnv } from "../domain/routine-env";
import type { RoutineVariable } from "../domain/routine-variables";
import type { SecretBox } from "../domain/secret-box";
import { generatePublicId, generateWebhookSecret } from "../domain/webhook-auth/secrets";
import type { SigningMode } from "../domain/enums";
import { canonicalJson } from "../lib/canonical-json";
import { type Db, type Executor, dbNow } from "../store/db";
import { type RevisionRow, revisionsRepo } from "../store/repos/revisions";
import { type RoutineRow, routinesRepo } from "../store/repos/routines";
import { triggersRepo } from "../store/repos/triggers";
import { assertManagesRoutine } from "./access";
import { logActivity } from "./activity";
import { recomputeScheduleTriggers } from "./next-run";
import { syncDescriptionDocument } from "./routine-description";
import type { RoutineService } from "./routines";
import { presentRoutine, webhookUrl } from "./views";

const MAX_LISTED = 100;


export const presentRevision = (row: RevisionRow) => {
  const { envCiphertext: _env, ...rest } = row;
  return rest;
};

/**
 * Records the routine's current state (with its triggers) as a new revision, unless nothing differs from the
 * latest one (`changed` says a change the snapshot cannot see, e.g. an env value, happened). The routine must
 * be locked by the caller. Returns the routine with its new latest revision, and that revision.
 */
export async function recordRevision(
  tx: Executor,
  routine: RoutineRow,
  actor: Actor,
  changeSummary: string,
  opts: { restoredFromRevisionId?: string; changed?: boolean } = {},
): Promise<{ routine: RoutineRow; revision: RevisionRow }> {
  const triggers = await triggersRepo.listByRoutine(tx, routine.id);
  const snapshot = buildSnapshot(routine, triggers.map(triggerColumns));
  if (routine.latestRevisionId && !opts.changed && !opts.restoredFromRevisionId) {
    const latest = await revisionsRepo.get(tx, routine.id, routine.latestRevisionId);
    if (latest && canonicalJson(latest.snapshot) === canonicalJson(snapshot)) return { routine, revision: latest };
  }
  const author = authorOf(actor);
  const revision = await revisionsRepo.insert(tx, {
    companyId: routine.companyId,
    routineId: routine.id,
    revisionNumber: routine.latestRevisionNumber + 1,
    title: routine.title,
    description: routine.description,
    snapshot,
    envCiphertext: routine.env,
    changeSummary,
    restoredFromRevisionId: opts.restoredFromRevisionId ?? null,
    createdByAgentId: author.agentId,
    createdByUserId: author.userId,
    createdByRunId: actor.runId ?? null,
  });
  const updated = await routinesRepo.update(tx, routine.id, { latestRevisionId: revision.id, latestRevisionNumber: revision.revisionNumber });
  await syncDescriptionDocument(tx, updated, actor, changeSummary);
  await logActivity(tx, actor, {
    companyId: routine.companyId,
    action: "routine.revision_created",
    entityType: "routine",
    entityId: routine.id,
    projectId: routine.projectId,
    details: { revisionId: revision.id, revisionNumber: revision.revisionNumber, changeSummary, triggerCount: triggers.length },
  });
  return { routine: updated, revision };
}

export function createRevisionService(deps: { db: Db; publicUrl: string; secretBox: SecretBox; routines: RoutineService }) {
  const { db, publicUrl, secretBox, routines } = deps;
  return {
    async list(actor: Actor, routineId: string) {
      const routine = await routines.load(actor, routineId);
      assertManagesRoutine(actor, routine);
      return (await revisionsRepo.list(db, routineId, MAX_LISTED)).map(presentRevision);
    },

    /**
     * Puts the routine and its triggers back as the revision recorded them, as a new revision. Triggers
     * deleted since are re-created with their ids; a re-created webhook gets a new secret (returned once, in
     * `secretMaterials`) and public id. Schedules are rescheduled from now.
     */
    async restore(actor: Actor, routineId: string, revisionId: string, changeSummary?: string | null) {
      await routines.load(actor, routineId);
      return db.transaction(async (tx) => {
        const locked = (await routinesRepo.getForUpdate(tx, routineId))!;
        assertManagesRoutine(actor, locked);
        const target = await revisionsRepo.get(tx, routineId, revisionId);
        if (!target) throw notFound("Routine revision not found");
        if (locked.latestRevisionId === target.id) {
          throw conflict("Selected revision is already the latest revision", { currentRevisionId: locked.latestRevisionId });
        }
        const snap = target.snapshot as unknown as Snapshot;
        const r = snap.routine;
        if (actor.kind === "agent" && r.assigneeAgentId !== actor.agentId) {
          throw forbidden("Agents can only restore routine revisions assigned to themselves");
        }
        // Archiving is final, as for an update: a revision from before it cannot bring the routine back.
        if (!changeStatus(locked.status, r.status as RoutineStatus).ok) {
          throw conflict("Routine is archived: archiving is final, so it cannot go back to a revision from before", {
            revisionStatus: r.status,
          });
        }
        const author = authorOf(actor);
        const now = await dbNow(tx);
        await routinesRepo.update(tx, routineId, {
          projectId: r.projectId,
          folderId: r.folderId ?? null,
          goalId: r.goalId,
          parentIssueId: r.parentIssueId,
          title: r.title,
          description: r.description,
          assigneeAgentId: r.assigneeAgentId,
          priority: r.priority as RoutineRow["priority"],
          status: r.status as RoutineRow["status"],
          concurrencyPolicy: r.concurrencyPolicy as RoutineRow["concurrencyPolicy"],
          catchUpPolicy: r.catchUpPolicy as RoutineRow["catchUpPolicy"],
          activityGatePolicy: r.activityGatePolicy as RoutineRow["activityGatePolicy"],
          activityGateScope: r.activityGateScope as RoutineRow["activityGateScope"],
          variables: r.variables as RoutineVariable[],
          env: (target.envCiphertext as StoredEnv | null) ?? null,
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
        });
        const current = new Map((await triggersRepo.listByRoutine(tx, routineId)).map((t) => [t.id, t]));
        const keep = new Set(snap.triggers.map((t) => t.id));
        for (const id of current.keys()) if (!keep.has(id)) await triggersRepo.delete(tx, id);
        const secretMaterials: { triggerId: string; webhookUrl: string; webhookSecret: string }[] = [];
        for (const t of snap.triggers) {
          const fields = {
            label: t.label,
            enabled: t.enabled,
            cronExpression: t.kind === "schedule" ? t.cronExpression : null,
            timezone: t.kind === "schedule" ? t.timezone : null,
            signingMode: t.kind === "webhook" ? (t.signingMode as SigningMode) : null,
            replayWindowSec: t.kind === "webhook" ? t.replayWindowSec : null,
            updatedByAgentId: author.agentId,
            updatedByUserId: author.userId,
          };
          if (current.has(t.id)) {
            await triggersRepo.update(tx, t.id, fields);
            continue;
          }
          const webhook = t.kind === "webhook" ? { publicId: generatePublicId(), secret: generateWebhookSecret(fields.signingMode ?? "bearer") } : null;
          await triggersRepo.insert(tx, {
            id: t.id,
            companyId: locked.companyId,
            routineId,
            kind: t.kind as "schedule" | "webhook" | "api",
            ...fields,
            publicId: webhook?.publicId ?? null,
            secretCiphertext: webhook ? secretBox.encrypt(webhook.secret) : null,
            lastRotatedAt: webhook ? now : null,
            createdByAgentId: author.agentId,
            createdByUserId: author.userId,
          });
          if (webhook) secretMaterials.push({ triggerId: t.id, webhookUrl: webhookUrl(publicUrl, webhook.publicId), webhookSecret: webhook.secret });
        }
        // Each schedule's next run from now, computed from the restored trigger as the store returns it.
        await recomputeScheduleTriggers(tx, routineId);
        const restored = (await routinesRepo.get(tx, routineId))!;
        const { routine, revision } = await recordRevision(tx, restored, actor, changeSummary || `Restored from revision ${target.revisionNumber}`, {
          restoredFromRevisionId: target.id,
        });
        await logActivity(tx, actor, {
          companyId: routine.companyId,
          action: "routine.revision_restored",
          entityType: "routine",
          entityId: routine.id,
          projectId: routine.projectId,
          details: { revisionId: revision.id, restoredFromRevisionId: target.id, restoredFromRevisionNumber: target.revisionNumber },
        });
        return {
          routine: presentRoutine(routine),
          revision: presentRevision(revision),
          restoredFromRevisionId: target.id,
          restoredFromRevisionNumber: target.revisionNumber,
          secretMaterials,
        };
      });
    },
  };
}

export type RevisionService = ReturnType<typeof createRevisionService>;

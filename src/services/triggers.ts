/** Routine triggers: add, update, delete, rotate the webhook secret. Secrets are shown once. */
import type { Config } from "../config";
import type { Actor } from "../domain/actor";
import { describeCron, validateSchedule } from "../domain/cron";
import { previewOccurrences } from "../domain/cron-preview";
import { conflict, notFound, unprocessable } from "../domain/errors";
import type { SecretBox } from "../domain/secret-box";
import type { SigningMode } from "../domain/enums";
import { SECRET_FORMAT_NAMES, generatePublicId, generateWebhookSecret as generateSecret, secretFormat } from "../domain/webhook-auth/secrets";
import type { CreateTriggerBody, RotateSecretBody, UpdateTriggerBody } from "../domain/schemas/triggers";
import { type Db, type Executor, dbNow } from "../store/db";
import { routinesRepo } from "../store/repos/routines";
import { triggersRepo } from "../store/repos/triggers";
import { authorOf } from "../domain/actor";
import { assertScheduleCompatible } from "../domain/routine-variables";
import type { RoutineRow } from "../store/repos/routines";
import { assertCompanyAccess, assertManagesRoutine } from "./access";
import type { Trigger, WebhookTrigger } from "../domain/trigger-kinds";
import { logActivity } from "./activity";
import { presentRevision, recordRevision } from "./revisions";
import { nextRunFor, notifyTriggersChanged } from "./next-run";
import type { RoutineService } from "./routines";
import { presentTrigger, webhookUrl } from "./views";

/**
 * A PATCH may change the signing mode only to one whose secrets look like the current one (bearer, hmac_sha256
 * and github_hmac share 48 hex): the secret is shown only by create and rotate-secret, so a switch that needs a
 * new secret goes through rotate-secret.
 */
function assertSecretFits(trigger: WebhookTrigger, to: SigningMode): void {
  const from = trigger.signingMode;
  if (secretFormat(from) === secretFormat(to)) return;
  throw unprocessable(
    `signingMode: ${to} needs ${SECRET_FORMAT_NAMES[secretFormat(to)]}, and this trigger's secret was made for ${from}. ` +
      `To switch, POST /api/routine-triggers/${trigger.id}/rotate-secret with {"signingMode":"${to}"}: ` +
      "it changes the mode and returns the new secret, once.",
  );
}

interface Deps {
  db: Db;
  config: Pick<Config, "publicUrl">;
  secretBox: SecretBox;
  routines: RoutineService;
}

export function createTriggerService({ db, config, secretBox, routines }: Deps) {
  const present = (row: Trigger) => presentTrigger(row, config.publicUrl);
  /** A webhook's URL and secret, shown once (by create and rotate-secret). */
  const secretMaterial = (publicId: string, webhookSecret: string) => ({ webhookUrl: webhookUrl(config.publicUrl, publicId), webhookSecret });

  /** Every change of a trigger: its activity entry and a revision of its routine (returned). */
  async function recordChange(tx: Executor, actor: Actor, routine: RoutineRow, trigger: Trigger, action: string, summary: string) {
    await logActivity(tx, actor, {
      companyId: routine.companyId,
      action: `routine.${action}`,
      entityType: "routine_trigger",
      entityId: trigger.id,
      projectId: routine.projectId,
      details: { routineId: routine.id, kind: trigger.kind },
    });
    const { revision } = await recordRevision(tx, routine, actor, summary, { changed: true });
    return presentRevision(revision);
  }

  /** Locks the trigger's routine and checks the actor may manage it; returns both. */
  async function lockForChange(tx: Executor, actor: Actor, triggerId: string) {
    const trigger = await triggersRepo.get(tx, triggerId);
    if (!trigger) throw notFound("Routine trigger not found");
    assertCompanyAccess(actor, trigger.companyId);
    const routine = (await routinesRepo.getForUpdate(tx, trigger.routineId))!;
    assertManagesRoutine(actor, routine);
    return { trigger, routine };
  }

  return {
    async get(actor: Actor, triggerId: string) {
      const trigger = await triggersRepo.get(db, triggerId);
      if (!trigger) throw notFound("Routine trigger not found");
      assertCompanyAccess(actor, trigger.companyId);
      return present(trigger);
    },

    /** The next occurrences of a schedule trigger, from now, with DST notes. */
    async preview(actor: Actor, triggerId: string, count: number) {
      const trigger = await triggersRepo.get(db, triggerId);
      if (!trigger) throw notFound("Routine trigger not found");
      assertCompanyAccess(actor, trigger.companyId);
      if (trigger.kind !== "schedule") throw unprocessable("Only schedule triggers have occurrences to preview");
      return {
        description: describeCron(trigger.cronExpression),
        occurrences: previewOccurrences(trigger.cronExpression, trigger.timezone, await dbNow(db), count),
      };
    },

    async create(actor: Actor, routineId: string, body: CreateTriggerBody) {
      await routines.load(actor, routineId);
      return db.transaction(async (tx) => {
        const routine = (await routinesRepo.getForUpdate(tx, routineId))!;
        assertManagesRoutine(actor, routine);
        if (routine.status === "archived") throw conflict("Routine is archived");
        const author = authorOf(actor);
        const base = {
          companyId: routine.companyId,
          routineId,
          kind: body.kind,
          label: body.label ?? null,
          enabled: body.enabled,
          createdByAgentId: author.agentId,
          createdByUserId: author.userId,
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
        };
        const created = async (row: Trigger, material: ReturnType<typeof secretMaterial> | null) => ({
          trigger: present(row),
          secretMaterial: material,
          revision: await recordChange(tx, actor, routine, row, "trigger_created", `Created ${row.kind} trigger`),
        });
        if (body.kind === "schedule") {
          validateSchedule(body.cronExpression, body.timezone);
          if (body.enabled) assertScheduleCompatible(routine.variables);
          const fields = { cronExpression: body.cronExpression, timezone: body.timezone };
          const row = await triggersRepo.insert(tx, {
            ...base,
            ...fields,
            nextRunAt: nextRunFor({ enabled: body.enabled, ...fields }, await dbNow(tx)),
          });
          await notifyTriggersChanged(tx);
          return created(row, null);
        }
        if (body.kind === "webhook") {
          const secret = generateSecret(body.signingMode);
          const publicId = generatePublicId();
          const row = await triggersRepo.insert(tx, {
            ...base,
            publicId,
            signingMode: body.signingMode,
            replayWindowSec: body.replayWindowSec,
            secretCiphertext: secretBox.encrypt(secret),
            lastRotatedAt: await dbNow(tx),
          });
          return created(row, secretMaterial(publicId, secret));
        }
        return created(await triggersRepo.insert(tx, base), null);
      });
    },

    /**
     * Paperclip's edit form sends every field, null where it does not apply: a null `cronExpression` or
     * `timezone` of a schedule trigger is a 422 (a schedule needs both); other nulls leave the field as it is.
     */
    async update(actor: Actor, triggerId: string, rawBody: UpdateTriggerBody) {
      return db.transaction(async (tx) => {
        const { trigger, routine } = await lockForChange(tx, actor, triggerId);
        if (trigger.kind === "schedule" && rawBody.cronExpression === null) throw unprocessable("Scheduled triggers require cronExpression");
        if (trigger.kind === "schedule" && rawBody.timezone === null) throw unprocessable("Scheduled triggers require timezone");
        const body = Object.fromEntries(
          Object.entries(rawBody).filter(([k, v]) => v !== undefined && (v !== null || k === "label")),
        ) as { label?: string | null; enabled?: boolean; cronExpression?: string; timezone?: string; signingMode?: SigningMode; replayWindowSec?: number };
        if (Object.keys(body).length === 0) return present(trigger);
        const scheduleOnly = (["cronExpression", "timezone"] as const).filter((k) => body[k] !== undefined);
        const webhookOnly = (["signingMode", "replayWindowSec"] as const).filter((k) => body[k] !== undefined);
        if (trigger.kind !== "schedule" && scheduleOnly.length) {
          throw unprocessable(`${scheduleOnly.join(", ")}: only schedule triggers have a cron schedule`);
        }
        if (trigger.kind !== "webhook" && webhookOnly.length) {
          throw unprocessable(`${webhookOnly.join(", ")}: only webhook triggers are signed`);
        }
        if (trigger.kind === "webhook" && body.signingMode !== undefined) assertSecretFits(trigger, body.signingMode);
        // A schedule as it will be: its cron, zone and enabled flag, each the body's or the trigger's.
        const next = trigger.kind === "schedule"
          ? { cronExpression: body.cronExpression ?? trigger.cronExpression, timezone: body.timezone ?? trigger.timezone, enabled: body.enabled ?? trigger.enabled }
          : null;
        const rescheduled = next !== null && (scheduleOnly.length > 0 || (body.enabled === true && !trigger.enabled));
        if (rescheduled) validateSchedule(next.cronExpression, next.timezone);
        if (next?.enabled) assertScheduleCompatible(routine.variables);
        const author = authorOf(actor);
        const row = await triggersRepo.update(tx, triggerId, {
          ...body,
          ...(rescheduled ? { nextRunAt: nextRunFor(next, await dbNow(tx)) } : {}),
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
        });
        if (trigger.kind === "schedule") await notifyTriggersChanged(tx);
        await recordChange(tx, actor, routine, row, "trigger_updated", `Updated ${row.kind} trigger`);
        return present(row);
      });
    },

    async delete(actor: Actor, triggerId: string) {
      await db.transaction(async (tx) => {
        const { trigger, routine } = await lockForChange(tx, actor, triggerId);
        await triggersRepo.delete(tx, triggerId);
        if (trigger.kind === "schedule") await notifyTriggersChanged(tx);
        await recordChange(tx, actor, routine, trigger, "trigger_deleted", `Deleted ${trigger.kind} trigger`);
      });
    },

    /**
     * A new secret replaces the old one in one transaction: the old one fails from commit on. With
     * `signingMode`, the trigger switches to that mode and the secret is made for it.
     */
    async rotateSecret(actor: Actor, triggerId: string, body: RotateSecretBody) {
      body ??= {};
      return db.transaction(async (tx) => {
        const { trigger, routine } = await lockForChange(tx, actor, triggerId);
        if (trigger.kind !== "webhook") throw unprocessable("Only webhook triggers can rotate secrets");
        const signingMode = body.signingMode ?? trigger.signingMode;
        const secret = generateSecret(signingMode);
        const author = authorOf(actor);
        const row = await triggersRepo.update(tx, triggerId, {
          signingMode,
          secretCiphertext: secretBox.encrypt(secret),
          lastRotatedAt: await dbNow(tx),
          updatedByAgentId: author.agentId,
          updatedByUserId: author.userId,
        });
        return {
          trigger: present(row),
          secretMaterial: secretMaterial(trigger.publicId, secret),
          revision: await recordChange(tx, actor, routine, row, "trigger_secret_rotated", "Rotated webhook trigger secret"),
        };
      });
    },
  };
}

export type TriggerService = ReturnType<typeof createTriggerService>;

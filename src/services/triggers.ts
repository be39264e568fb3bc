/** Routine triggers: add, update, delete, rotate the webhook secret. Secrets are shown once. */
import type { Config } from "../config";
import type { Actor } from "../domain/actor";
import { describeCron, validateSchedule } from "../domain/cron";
import { previewOccurrences } from "../domain/cron-preview";
import { conflict, notFound, unprocessable } from "../domain/errors";
import type { SecretBox } from "../domain/secret-box";
import { generatePublicId, generateWebhookSecret as generateSecret } from "../domain/webhook-auth/secrets";
import type { CreateTriggerBody, UpdateTriggerBody } from "../domain/schemas/triggers";
import { type Db, type Executor, dbNow } from "../store/db";
import { routinesRepo } from "../store/repos/routines";
import { type TriggerRow, triggersRepo } from "../store/repos/triggers";
import { assertCompanyAccess, assertManagesRoutine } from "./access";
import { nextRunFor, notifyTriggersChanged } from "./next-run";
import type { RoutineService } from "./routines";
import { presentTrigger, webhookUrl } from "./views";


interface Deps {
  db: Db;
  config: Pick<Config, "publicUrl">;
  secretBox: SecretBox;
  routines: RoutineService;
}

export function createTriggerService({ db, config, secretBox, routines }: Deps) {
  const present = (row: TriggerRow) => presentTrigger(row, config.publicUrl);
  const withSecret = (row: TriggerRow, secret: string) => ({
    trigger: present(row),
    secretMaterial: { webhookUrl: webhookUrl(config.publicUrl, row.publicId!), webhookSecret: secret },
  });

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
      if (trigger.kind !== "schedule" || !trigger.cronExpression) throw unprocessable("Only schedule triggers have occurrences to preview");
      const timezone = trigger.timezone ?? "UTC";
      return {
        description: describeCron(trigger.cronExpression),
        occurrences: previewOccurrences(trigger.cronExpression, timezone, await dbNow(db), count),
      };
    },

    async create(actor: Actor, routineId: string, body: CreateTriggerBody) {
      await routines.load(actor, routineId);
      return db.transaction(async (tx) => {
        const routine = (await routinesRepo.getForUpdate(tx, routineId))!;
        assertManagesRoutine(actor, routine);
        if (routine.status === "archived") throw conflict("Routine is archived");
        const agentId = actor.kind === "agent" ? actor.agentId : null;
        const base = {
          companyId: routine.companyId,
          routineId,
          kind: body.kind,
          label: body.label ?? null,
          enabled: body.enabled,
          createdByAgentId: agentId,
          updatedByAgentId: agentId,
        };
        if (body.kind === "schedule") {
          validateSchedule(body.cronExpression, body.timezone);
          const fields = { cronExpression: body.cronExpression, timezone: body.timezone };
          const row = await triggersRepo.insert(tx, {
            ...base,
            ...fields,
            nextRunAt: nextRunFor({ ...base, ...fields }, await dbNow(tx)),
          });
          await notifyTriggersChanged(tx);
          return { trigger: present(row), secretMaterial: null };
        }
        if (body.kind === "webhook") {
          const secret = generateSecret(body.signingMode);
          const row = await triggersRepo.insert(tx, {
            ...base,
            publicId: generatePublicId(),
            signingMode: body.signingMode,
            replayWindowSec: body.replayWindowSec,
            secretCiphertext: secretBox.encrypt(secret),
          });
          return withSecret(row, secret);
        }
        return { trigger: present(await triggersRepo.insert(tx, base)), secretMaterial: null };
      });
    },

    async update(actor: Actor, triggerId: string, body: UpdateTriggerBody) {
      return db.transaction(async (tx) => {
        const { trigger } = await lockForChange(tx, actor, triggerId);
        const scheduleOnly = (["cronExpression", "timezone"] as const).filter((k) => body[k] !== undefined);
        const webhookOnly = (["signingMode", "replayWindowSec"] as const).filter((k) => body[k] !== undefined);
        if (trigger.kind !== "schedule" && scheduleOnly.length) {
          throw unprocessable(`${scheduleOnly.join(", ")}: only schedule triggers have a cron schedule`);
        }
        if (trigger.kind !== "webhook" && webhookOnly.length) {
          throw unprocessable(`${webhookOnly.join(", ")}: only webhook triggers are signed`);
        }
        const next = { ...trigger, ...body };
        const rescheduled = trigger.kind === "schedule" && (scheduleOnly.length > 0 || (body.enabled === true && !trigger.enabled));
        if (rescheduled) validateSchedule(next.cronExpression!, next.timezone ?? "UTC");
        const row = await triggersRepo.update(tx, triggerId, {
          ...body,
          ...(rescheduled ? { nextRunAt: nextRunFor(next, await dbNow(tx)) } : {}),
          updatedByAgentId: actor.kind === "agent" ? actor.agentId : trigger.updatedByAgentId,
        });
        if (trigger.kind === "schedule") await notifyTriggersChanged(tx);
        return present(row);
      });
    },

    async delete(actor: Actor, triggerId: string) {
      await db.transaction(async (tx) => {
        const { trigger } = await lockForChange(tx, actor, triggerId);
        await triggersRepo.delete(tx, triggerId);
        if (trigger.kind === "schedule") await notifyTriggersChanged(tx);
      });
    },

    /** A new secret replaces the old one in one transaction: the old one fails from commit on. */
    async rotateSecret(actor: Actor, triggerId: string) {
      return db.transaction(async (tx) => {
        const { trigger } = await lockForChange(tx, actor, triggerId);
        if (trigger.kind !== "webhook") throw unprocessable("Only webhook triggers have a secret to rotate");
        const secret = generateSecret(trigger.signingMode ?? "bearer");
        const row = await triggersRepo.update(tx, triggerId, {
          secretCiphertext: secretBox.encrypt(secret),
          lastRotatedAt: await dbNow(tx),
        });
        return withSecret(row, secret);
      });
    },
  };
}

export type TriggerService = ReturnType<typeof createTriggerService>;

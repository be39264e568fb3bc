/** Routine triggers: a union on `kind` for create, kind-specific fields for update. */
import { z } from "zod";
import { signingMode, triggerKind } from "../enums";
import { TRIGGER_DEFAULTS } from "../trigger-kinds";
import { timestamp, uuid } from "./common";

const label = z.string().trim().max(120).nullable();
export const cronExpression = z.string().trim().min(1).max(200);
export const timezone = z.string().trim().min(1).max(64);
export const replayWindowSec = z.number().int().min(30).max(86_400);

export const createTriggerBody = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("schedule"),
    label: label.optional(),
    enabled: z.boolean().default(true),
    cronExpression,
    timezone: timezone.default(TRIGGER_DEFAULTS.timezone),
  }),
  z.strictObject({
    kind: z.literal("webhook"),
    label: label.optional(),
    enabled: z.boolean().default(true),
    signingMode: signingMode.default(TRIGGER_DEFAULTS.signingMode),
    replayWindowSec: replayWindowSec.default(TRIGGER_DEFAULTS.replayWindowSec),
  }),
  z.strictObject({
    kind: z.literal("api"),
    label: label.optional(),
    enabled: z.boolean().default(true),
  }),
]);

/** Paperclip's update schema: every field optional and nullable; a null means "not this" (see the service). `{}` changes nothing. */
export const updateTriggerBody = z
  .strictObject({
    label,
    enabled: z.boolean(),
    cronExpression: cronExpression.nullable(),
    timezone: timezone.nullable(),
    signingMode: signingMode.nullable(),
    replayWindowSec: replayWindowSec.nullable(),
  })
  .partial();

export const rotateSecretBody = z
  .strictObject({
    signingMode: signingMode
      .optional()
      .describe("Switch the trigger to this signing mode with the new secret (needed to move to or from standard_webhooks)"),
  })
  .optional();

export const triggerSummary = z.object({
  id: uuid,
  kind: triggerKind,
  label: z.string().nullable(),
  enabled: z.boolean(),
  cronExpression: z.string().nullable(),
  timezone: z.string().nullable(),
  nextRunAt: timestamp.nullable(),
  lastFiredAt: timestamp.nullable(),
  lastResult: z.string().nullable(),
  lastRefusedAt: timestamp.nullable().describe("Webhook triggers: when a request to the public URL was last refused"),
  lastRefusal: z
    .string()
    .nullable()
    .describe('The answer it got, e.g. "401 Unauthorized (stale_timestamp)" or "409 Duplicate delivery" (see docs/webhooks.md)'),
});

export const triggerRow = triggerSummary.extend({
  companyId: uuid,
  routineId: uuid,
  publicId: z.string().nullable(),
  secretId: z.string().nullable().describe("Webhook triggers with a secret: an id for it (the secret itself is never shown again)"),
  authenticated: z.boolean().describe('False for a webhook trigger with signingMode "none": anyone with its URL can fire it'),
  webhookUrl: z.string().nullable().describe("Where to POST to fire a webhook trigger"),
  signingMode: signingMode.nullable(),
  replayWindowSec: z.number().nullable(),
  lastRotatedAt: timestamp.nullable(),
  createdByAgentId: uuid.nullable(),
  createdByUserId: z.string().nullable(),
  updatedByAgentId: uuid.nullable(),
  updatedByUserId: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const secretMaterial = z
  .object({ webhookUrl: z.string(), webhookSecret: z.string() })
  .nullable()
  .describe("The webhook secret: returned only by create and rotate-secret, never again");

export const triggerWithSecret = z.object({
  trigger: triggerRow,
  secretMaterial,
  revision: z.looseObject({ id: uuid, revisionNumber: z.number().int() }).describe("The routine revision this change recorded"),
});

export type CreateTriggerBody = z.infer<typeof createTriggerBody>;
export type UpdateTriggerBody = z.infer<typeof updateTriggerBody>;
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;

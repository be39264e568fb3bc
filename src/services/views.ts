/** How rows are shown over the API: what is public, what is never shown (secrets). */
import { presentEnv } from "../domain/routine-env";
import type { IssueRow } from "../store/repos/issues";
import type { RoutineRow } from "../store/repos/routines";
import { type Trigger, triggerColumns } from "../domain/trigger-kinds";

export const webhookUrl = (publicUrl: string, publicId: string) =>
  `${publicUrl}/api/routine-triggers/public/${publicId}/fire`;

/** A routine as served: env values never (names only, see `presentEnv`). */
export const presentRoutine = (row: RoutineRow) => ({ ...row, env: presentEnv(row.env) });

/**
 * A trigger as served: every kind's fields (null where its kind has none, as Paperclip serves them), never its
 * secret. `secretId` names the secret (Paperclip's secrets are rows of their own; routined keeps the secret on
 * the trigger, so the trigger's id names it); `authenticated` is false for a webhook anyone with its URL may
 * fire (`signingMode: "none"`).
 */
export function presentTrigger(trigger: Trigger, publicUrl: string) {
  const { secretCiphertext: _secret, ...rest } = triggerColumns(trigger);
  const webhook = trigger.kind === "webhook" ? trigger : null;
  return {
    ...rest,
    secretId: webhook ? webhook.id : null,
    authenticated: !webhook || webhook.signingMode !== "none",
    webhookUrl: webhook ? webhookUrl(publicUrl, webhook.publicId) : null,
  };
}

export function presentTriggerSummary(trigger: Trigger) {
  const t = triggerColumns(trigger);
  return {
    id: t.id,
    kind: t.kind,
    label: t.label,
    enabled: t.enabled,
    cronExpression: t.cronExpression,
    timezone: t.timezone,
    nextRunAt: t.nextRunAt,
    lastFiredAt: t.lastFiredAt,
    lastResult: t.lastResult,
    lastRefusedAt: t.lastRefusedAt,
    lastRefusal: t.lastRefusal,
  };
}

export const presentIssueSummary = (row: IssueRow) => ({
  id: row.id,
  identifier: row.identifier,
  title: row.title,
  status: row.status,
  priority: row.priority,
  updatedAt: row.updatedAt,
});

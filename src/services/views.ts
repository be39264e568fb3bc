/** How rows are shown over the API: what is public, what is never shown (secrets). */
import { presentEnv } from "../domain/routine-env";
import type { IssueRow } from "../store/repos/issues";
import type { RoutineRow } from "../store/repos/routines";
import type { TriggerRow } from "../store/repos/triggers";

export const webhookUrl = (publicUrl: string, publicId: string) =>
  `${publicUrl}/api/routine-triggers/public/${publicId}/fire`;

/** A routine as served: env values never (names only, see `presentEnv`). */
export const presentRoutine = (row: RoutineRow) => ({ ...row, env: presentEnv(row.env) });

/**
 * A trigger as served: never its secret. `secretId` names the secret (Paperclip's secrets are rows of their
 * own; routined keeps the secret on the trigger, so the trigger's id names it); `authenticated` is false for
 * a webhook anyone with its URL may fire (`signingMode: "none"`).
 */
export function presentTrigger(row: TriggerRow, publicUrl: string) {
  const { secretCiphertext: _secret, ...rest } = row;
  return {
    ...rest,
    secretId: row.secretCiphertext ? row.id : null,
    authenticated: row.kind !== "webhook" || row.signingMode !== "none",
    webhookUrl: row.publicId ? webhookUrl(publicUrl, row.publicId) : null,
  };
}

export const presentTriggerSummary = (row: TriggerRow) => ({
  id: row.id,
  kind: row.kind,
  label: row.label,
  enabled: row.enabled,
  cronExpression: row.cronExpression,
  timezone: row.timezone,
  nextRunAt: row.nextRunAt,
  lastFiredAt: row.lastFiredAt,
  lastResult: row.lastResult,
  lastRefusedAt: row.lastRefusedAt,
  lastRefusal: row.lastRefusal,
});

export const presentIssueSummary = (row: IssueRow) => ({
  id: row.id,
  identifier: row.identifier,
  title: row.title,
  status: row.status,
  priority: row.priority,
  updatedAt: row.updatedAt,
});

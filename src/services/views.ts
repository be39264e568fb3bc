/** How rows are shown over the API: what is public, what is never shown (secrets). */
import type { IssueRow } from "../store/repos/issues";
import type { TriggerRow } from "../store/repos/triggers";

export const webhookUrl = (publicUrl: string, publicId: string) =>
  `${publicUrl}/api/routine-triggers/public/${publicId}/fire`;

export function presentTrigger(row: TriggerRow, publicUrl: string) {
  const { secretCiphertext: _secret, ...rest } = row;
  return { ...rest, webhookUrl: row.publicId ? webhookUrl(publicUrl, row.publicId) : null };
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

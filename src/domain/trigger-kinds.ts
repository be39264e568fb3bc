/**
 * Trigger kinds as types. A trigger row keeps every kind's columns, most of them nullable; the store narrows
 * each row it returns, once (`narrowTrigger`), into a schedule, webhook or api trigger that has the fields of
 * its kind with their defaults applied, here and nowhere else: a schedule's zone is UTC, a webhook is signed
 * with a bearer token and accepts timestamps within 300 s unless the trigger says otherwise. Callers switch on
 * `kind`; only the API (and a revision's snapshot) shows a trigger with every kind's fields again
 * (`triggerColumns`), null where they do not apply, as Paperclip does.
 */
import type { SigningMode, TriggerKind } from "./enums";

export const TRIGGER_DEFAULTS = { timezone: "UTC", signingMode: "bearer", replayWindowSec: 300 } as const satisfies {
  timezone: string;
  signingMode: SigningMode;
  replayWindowSec: number;
};

/** What every trigger has, whatever its kind. */
interface TriggerBase {
  id: string;
  companyId: string;
  routineId: string;
  label: string | null;
  enabled: boolean;
  lastFiredAt: Date | null;
  lastResult: string | null;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  updatedByAgentId: string | null;
  updatedByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleTrigger extends TriggerBase {
  kind: "schedule";
  cronExpression: string;
  timezone: string;
  /** Null while the trigger is disabled (or its routine paused, until resumed). */
  nextRunAt: Date | null;
}

export interface WebhookTrigger extends TriggerBase {
  kind: "webhook";
  publicId: string;
  /** The secret, encrypted with the server key; never shown after create or rotate. */
  secretCiphertext: string;
  signingMode: SigningMode;
  replayWindowSec: number;
  lastRotatedAt: Date | null;
  /** When a request to the public URL was last refused, and with what answer. */
  lastRefusedAt: Date | null;
  lastRefusal: string | null;
}

export interface ApiTrigger extends TriggerBase {
  kind: "api";
}

export type Trigger = ScheduleTrigger | WebhookTrigger | ApiTrigger;

/** A trigger row as stored: every kind's columns, in the table's order, the kind-specific ones nullable. */
export interface TriggerColumns {
  id: string;
  companyId: string;
  routineId: string;
  kind: TriggerKind;
  label: string | null;
  enabled: boolean;
  cronExpression: string | null;
  timezone: string | null;
  nextRunAt: Date | null;
  lastFiredAt: Date | null;
  lastResult: string | null;
  lastRefusedAt: Date | null;
  lastRefusal: string | null;
  publicId: string | null;
  secretCiphertext: string | null;
  signingMode: SigningMode | null;
  replayWindowSec: number | null;
  lastRotatedAt: Date | null;
  createdByAgentId: string | null;
  createdByUserId: string | null;
  updatedByAgentId: string | null;
  updatedByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A column every trigger of its kind has (every writer of routined sets it): its absence is a row changed outside
 * routined, not a default, and only the database can mend it.
 */
function required<K extends keyof TriggerColumns>(row: TriggerColumns, column: K): NonNullable<TriggerColumns[K]> {
  const value = row[column];
  if (value === null || value === undefined) {
    throw new Error(
      `Routine trigger ${row.id} is a ${row.kind} trigger without ${column} (changed outside routined): set it, or delete the row, in the database`,
    );
  }
  return value as NonNullable<TriggerColumns[K]>;
}

/** A stored row as its kind: the one place a trigger's kind-specific columns are read and defaulted. */
export function narrowTrigger(row: TriggerColumns): Trigger {
  const base: TriggerBase = {
    id: row.id,
    companyId: row.companyId,
    routineId: row.routineId,
    label: row.label,
    enabled: row.enabled,
    lastFiredAt: row.lastFiredAt,
    lastResult: row.lastResult,
    createdByAgentId: row.createdByAgentId,
    createdByUserId: row.createdByUserId,
    updatedByAgentId: row.updatedByAgentId,
    updatedByUserId: row.updatedByUserId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  switch (row.kind) {
    case "schedule":
      return {
        ...base,
        kind: "schedule",
        cronExpression: required(row, "cronExpression"),
        timezone: row.timezone ?? TRIGGER_DEFAULTS.timezone,
        nextRunAt: row.nextRunAt,
      };
    case "webhook":
      return {
        ...base,
        kind: "webhook",
        publicId: required(row, "publicId"),
        secretCiphertext: required(row, "secretCiphertext"),
        signingMode: row.signingMode ?? TRIGGER_DEFAULTS.signingMode,
        replayWindowSec: row.replayWindowSec ?? TRIGGER_DEFAULTS.replayWindowSec,
        lastRotatedAt: row.lastRotatedAt,
        lastRefusedAt: row.lastRefusedAt,
        lastRefusal: row.lastRefusal,
      };
    case "api":
      return { ...base, kind: "api" };
  }
}

/** A trigger with every kind's fields, null where its kind has none (the API's and a revision snapshot's shape). */
export function triggerColumns(t: Trigger): TriggerColumns {
  const schedule = t.kind === "schedule" ? t : null;
  const webhook = t.kind === "webhook" ? t : null;
  return {
    id: t.id,
    companyId: t.companyId,
    routineId: t.routineId,
    kind: t.kind,
    label: t.label,
    enabled: t.enabled,
    cronExpression: schedule?.cronExpression ?? null,
    timezone: schedule?.timezone ?? null,
    nextRunAt: schedule?.nextRunAt ?? null,
    lastFiredAt: t.lastFiredAt,
    lastResult: t.lastResult,
    lastRefusedAt: webhook?.lastRefusedAt ?? null,
    lastRefusal: webhook?.lastRefusal ?? null,
    publicId: webhook?.publicId ?? null,
    secretCiphertext: webhook?.secretCiphertext ?? null,
    signingMode: webhook?.signingMode ?? null,
    replayWindowSec: webhook?.replayWindowSec ?? null,
    lastRotatedAt: webhook?.lastRotatedAt ?? null,
    createdByAgentId: t.createdByAgentId,
    createdByUserId: t.createdByUserId,
    updatedByAgentId: t.updatedByAgentId,
    updatedByUserId: t.updatedByUserId,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

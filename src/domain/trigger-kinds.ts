/**
 * Trigger kinds as types. A trigger row keeps every kind's columns, most of them nullable; a caller narrows it
 * once (`scheduleOf`, `webhookOf`) and gets the fields of its kind with their defaults applied, here and
 * nowhere else: a schedule's zone is UTC, a webhook is signed with a bearer token and accepts timestamps
 * within 300 s unless the trigger says otherwise.
 */
import type { SigningMode, TriggerKind } from "./enums";

export const TRIGGER_DEFAULTS = { timezone: "UTC", signingMode: "bearer", replayWindowSec: 300 } as const satisfies {
  timezone: string;
  signingMode: SigningMode;
  replayWindowSec: number;
};

interface TriggerColumns {
  kind: TriggerKind;
  cronExpression: string | null;
  timezone: string | null;
  signingMode: SigningMode | null;
  replayWindowSec: number | null;
}

export interface Schedule {
  kind: "schedule";
  cronExpression: string;
  timezone: string;
}

export interface Webhook {
  kind: "webhook";
  signingMode: SigningMode;
  replayWindowSec: number;
}

/** The schedule of a schedule trigger, or null for another kind. */
export function scheduleOf(t: Pick<TriggerColumns, "kind" | "cronExpression" | "timezone">): Schedule | null {
  if (t.kind !== "schedule" || !t.cronExpression) return null;
  return { kind: "schedule", cronExpression: t.cronExpression, timezone: t.timezone ?? TRIGGER_DEFAULTS.timezone };
}

/** The signing of a webhook trigger (also what a PATCH or rotation starts from), or null for another kind. */
export function webhookOf(t: Pick<TriggerColumns, "kind" | "signingMode" | "replayWindowSec">): Webhook | null {
  if (t.kind !== "webhook") return null;
  return {
    kind: "webhook",
    signingMode: t.signingMode ?? TRIGGER_DEFAULTS.signingMode,
    replayWindowSec: t.replayWindowSec ?? TRIGGER_DEFAULTS.replayWindowSec,
  };
}

/**
 * What differs between an earlier revision of a routine and the current one, from their snapshots
 * (Paperclip's `{ version: 1, routine, triggers }`), in a few words: the routine's fields whose value
 * differs, and the triggers deleted, added or changed since.
 */
import { canonicalJson } from "../lib/canonical-json";

interface SnapshotTrigger {
  id: string;
  kind: string;
  label?: string | null;
}

export interface RevisionDiff {
  /** The routine's fields (as read: "assignee", "concurrency policy") whose value differs. */
  fields: string[];
  /** Triggers of the earlier revision that are gone now (a restore re-creates them). */
  deletedSince: string[];
  /** Triggers there now that the earlier revision did not have (a restore deletes them). */
  addedSince: string[];
  /** Triggers in both, set differently. */
  changed: string[];
}

const FIELD_NAMES: Record<string, string> = {
  projectId: "project",
  folderId: "folder",
  goalId: "goal",
  parentIssueId: "parent issue",
  assigneeAgentId: "assignee",
  responsibleUserId: "responsible user",
  concurrencyPolicy: "concurrency policy",
  catchUpPolicy: "catch-up policy",
  activityGatePolicy: "activity gate",
  activityGateScope: "activity gate scope",
  env: "environment",
};
/** Not editable, or the same in every revision of a routine. */
const IGNORED = new Set(["id", "companyId"]);


const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === "object" && !Array.isArray(v);

function triggersOf(snapshot: Record<string, unknown>): SnapshotTrigger[] {
  const list = snapshot.triggers;
  return Array.isArray(list) ? list.filter((t): t is SnapshotTrigger => isObject(t) && typeof t.id === "string" && typeof t.kind === "string") : [];
}

/** What a restore puts back of a trigger: not its public id (a webhook re-created by a restore gets a new URL). */
const restorable = ({ publicId: _url, ...rest }: SnapshotTrigger & { publicId?: unknown }) => rest;

/** "webhook trigger “Deploys”", or "schedule trigger" without a label. */
export const triggerName = (t: SnapshotTrigger) => (t.label ? `${t.kind} trigger “${t.label}”` : `${t.kind} trigger`);

export function revisionDiff(earlier: Record<string, unknown>, current: Record<string, unknown>): RevisionDiff {
  const a = isObject(earlier.routine) ? earlier.routine : {};
  const b = isObject(current.routine) ? current.routine : {};
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => !IGNORED.has(k) && canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null))
    .map((k) => FIELD_NAMES[k] ?? k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`));
  const before = triggersOf(earlier);
  const now = new Map(triggersOf(current).map((t) => [t.id, t]));
  const had = new Set(before.map((t) => t.id));
  return {
    fields,
    deletedSince: before.filter((t) => !now.has(t.id)).map(triggerName),
    addedSince: [...now.values()].filter((t) => !had.has(t.id)).map(triggerName),
    changed: before.filter((t) => now.has(t.id) && canonicalJson(restorable(t)) !== canonicalJson(restorable(now.get(t.id)!))).map(triggerName),
  };
}

/** The diff in one line: "title, assignee; webhook trigger “Deploys” deleted since". */
export function describeDiff(d: RevisionDiff): string {
  const parts = [
    d.fields.join(", "),
    ...d.deletedSince.map((t) => `${t} deleted since`),
    ...d.addedSince.map((t) => `${t} added since`),
    ...d.changed.map((t) => `${t} changed since`),
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "nothing: the same as the current one";
}

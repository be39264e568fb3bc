/** The activity log in words: what an entry's action did, and its details in a short line. */
import { isUuid } from "../lib/is-uuid";

interface Entry {
  action: string;
  details: Record<string, unknown> | null;
}

/** Actions the filter offers (the server filters by the exact action). */
export const KNOWN_ACTIONS: Record<string, string> = {
  "routine.created": "created the routine",
  "routine.updated": "updated the routine",
  "routine.revision_created": "recorded a revision",
  "routine.revision_restored": "restored a revision",
  "routine.run_triggered": "fired a run",
  "routine.trigger_created": "added a trigger",
  "routine.trigger_updated": "changed a trigger",
  "routine.trigger_deleted": "deleted a trigger",
  "routine.trigger_secret_rotated": "rotated a webhook secret",
  "routine.document_annotation_thread_created": "commented on the description",
  "routine.document_annotation_comment_added": "replied to a comment",
  "routine.document_annotation_thread_resolved": "resolved a comment thread",
  "routine.document_annotation_thread_reopened": "reopened a comment thread",
  "routine.document_annotation_remapped": "moved a comment to its edited passage",
  "issue.created": "opened an issue",
  "issue.updated": "updated an issue",
  "issue.comment_added": "commented on an issue",
};

export const ENTITY_TYPES = ["routine", "routine_trigger", "routine_run", "issue", "issue_comment", "project"] as const;

const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

/** "restored revision 2", "fired a run (webhook)", or the action itself for one not known here. */
export function actionWords(e: Entry): string {
  const d = e.details ?? {};
  const n = text(d.revisionNumber);
  switch (e.action) {
    case "routine.revision_created":
      return n ? `recorded revision ${n}` : KNOWN_ACTIONS[e.action]!;
    case "routine.revision_restored":
      return text(d.restoredFromRevisionNumber) ? `restored revision ${text(d.restoredFromRevisionNumber)}` : KNOWN_ACTIONS[e.action]!;
    case "routine.run_triggered":
      return text(d.source) ? `fired a run (${text(d.source)})` : KNOWN_ACTIONS[e.action]!;
    case "routine.trigger_created":
    case "routine.trigger_updated":
    case "routine.trigger_deleted":
      return text(d.kind) ? KNOWN_ACTIONS[e.action]!.replace("a trigger", `a ${text(d.kind)} trigger`) : KNOWN_ACTIONS[e.action]!;
    default:
      return KNOWN_ACTIONS[e.action] ?? e.action.replace(/^[a-z_]+\./, "").replaceAll("_", " ");
  }
}

/** Said already by the action or the entity column, or not for people (ids). */
const SHOWN = new Set(["revisionNumber", "restoredFromRevisionNumber", "source", "kind", "routineId", "key", "documentKey", "identifier"]);

/** The details worth reading, short: "“Nightly” · status: done (was todo)". */
export function detailsText(e: Entry): string {
  const d = e.details ?? {};
  const parts: string[] = [];
  if (typeof d.changeSummary === "string" && d.changeSummary) parts.push(`“${d.changeSummary}”`);
  if (typeof d.status === "string" && typeof d.previousStatus === "string") parts.push(`status: ${d.status.replaceAll("_", " ")} (was ${d.previousStatus.replaceAll("_", " ")})`);
  for (const [k, v] of Object.entries(d)) {
    if (SHOWN.has(k) || k === "changeSummary" || (k === "previousStatus" && typeof d.status === "string")) continue;
    if (k === "status" && typeof d.previousStatus === "string") continue;
    if (v === null || v === undefined || (typeof v === "string" && isUuid(v))) continue;
    const value = Array.isArray(v) ? v.map((x) => text(x) ?? JSON.stringify(x)).join(", ") : (text(v) ?? JSON.stringify(v));
    if (!value) continue;
    parts.push(`${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}: ${value.length > 80 ? `${value.slice(0, 77)}…` : value}`);
  }
  return parts.join(" · ");
}

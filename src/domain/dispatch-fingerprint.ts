/** Paperclip's `dispatchFingerprint`: SHA-256 of what a run dispatches, object keys sorted (pure). */
import crypto from "node:crypto";

/** What a run dispatches: its execution issue's fields, its payload and the routine's revision. */
export interface Dispatched {
  assigneeAgentId: string | null;
  description: string | null;
  payload: Record<string, unknown> | null;
  projectId: string | null;
  routineRevisionId: string | null;
  title: string;
}

export function dispatchFingerprint(d: Dispatched): string {
  // Written with its keys in sorted order (a fingerprint per fire: no sort of these six).
  const canonical = {
    assigneeAgentId: d.assigneeAgentId,
    description: d.description,
    payload: sortedKeys(d.payload),
    projectId: d.projectId,
    routineRevisionId: d.routineRevisionId,
    title: d.title,
  };
  return crypto.createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/**
 * `value` with the keys of every plain object sorted (arrays and dates as they are). A copy made before
 * `JSON.stringify` rather than a replacer: a replacer is a call per value, which made the fingerprint the
 * most expensive step of planning a fire.
 */
function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(sortedKeys);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

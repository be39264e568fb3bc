/** Paperclip's `dispatchFingerprint`: SHA-256 of what a run dispatches, object keys sorted (pure). */
import crypto from "node:crypto";

export function dispatchFingerprint(input: Record<string, unknown>): string {
  return crypto.createHash("sha256").update(JSON.stringify(sortedKeys(input))).digest("hex");
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

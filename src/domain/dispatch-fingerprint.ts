/** Paperclip's `dispatchFingerprint`: SHA-256 of what a run dispatches, object keys sorted (pure). */
import crypto from "node:crypto";

export function dispatchFingerprint(input: Record<string, unknown>): string {
  const canonical = JSON.stringify(input, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
  return crypto.createHash("sha256").update(canonical).digest("hex");
}

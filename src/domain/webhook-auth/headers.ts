/** Reading request headers the way an attacker cannot bend: one value, or not authenticated. */
import type { WebhookAuthFailure, WebhookHeaders } from "./types";

export type HeaderRead = { ok: true; value: string } | { ok: false; reason: WebhookAuthFailure };

/**
 * The single value of header `name` (lower case). Missing or empty → `missing_header`; given twice (an array,
 * or two spellings of the name) → `duplicate_header`.
 */
export function readHeader(headers: WebhookHeaders, name: string): HeaderRead {
  let found: unknown;
  let count = 0;
  for (const key of Object.keys(headers)) {
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    found = headers[key];
    count++;
  }
  if (count > 1 || Array.isArray(found)) return { ok: false, reason: "duplicate_header" };
  if (found === undefined || found === "") return { ok: false, reason: "missing_header" };
  if (typeof found !== "string") return { ok: false, reason: "malformed_header" };
  return { ok: true, value: found };
}

/** A sender's delivery id (`X-GitHub-Delivery`, `webhook-id`): printable ASCII without spaces, 1 to 255 characters. */
export const DELIVERY_ID = /^[\x21-\x7e]{1,255}$/;

/** Strict parsing of signed timestamps and the replay window check. */
import type { WebhookAuthFailure } from "./types";

/** Digits only, at most 15 of them: no sign, space, exponent, fraction, NaN or Infinity can get through. */
const DIGITS = /^[0-9]{1,15}$/;

/** Above this a Paperclip timestamp is read as milliseconds (10^12 ms is September 2001). */
export const MILLISECONDS_THRESHOLD = 1e12;

export type TimestampRead = { ok: true; ms: number } | { ok: false; reason: WebhookAuthFailure };

/** Parses a timestamp header into epoch ms. `allowMs`: values above 10^12 are already milliseconds. */
export function parseTimestamp(value: string, allowMs: boolean): TimestampRead {
  if (!DIGITS.test(value)) return { ok: false, reason: "malformed_header" };
  const n = Number(value);
  return { ok: true, ms: allowMs && n > MILLISECONDS_THRESHOLD ? n : n * 1000 };
}

/** Rejects a timestamp more than `windowSec` away from now, in either direction; the edge itself is accepted. */
export function checkWindow(timestampMs: number, nowMs: number, windowSec: number): WebhookAuthFailure | null {
  const skewMs = nowMs - timestampMs;
  if (skewMs > windowSec * 1000) return "stale_timestamp";
  if (-skewMs > windowSec * 1000) return "future_timestamp";
  return null;
}

/** The shape every signing mode's verifier shares. */
import type { SigningMode } from "../enums";

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface VerifyWebhookInput {
  mode: SigningMode;
  /** The trigger's secret exactly as it was shown to the user (48 hex, or `whsec_<base64>`). */
  secret: string;
  /** The request body bytes exactly as received: signatures cover bytes, not parsed JSON. */
  rawBody: Buffer;
  /** Request headers (any case of name). A header given more than once (an array) never authenticates. */
  headers: WebhookHeaders;
  nowMs: number;
  replayWindowSec: number;
}

/**
 * Why a request was not authenticated. For internal logs and metrics only: every failure is answered with
 * the same 401. A small fixed set, so it is safe as a metric label.
 */
export type WebhookAuthFailure =
  | "missing_header"
  | "duplicate_header"
  | "malformed_header"
  | "stale_timestamp"
  | "future_timestamp"
  | "signature_mismatch"
  | "unusable_secret"
  | "invalid_input";

export type VerifyWebhookResult =
  | {
      ok: true;
      /**
       * Stable strings identifying this delivery (`sig:<sha256 hex>` of the accepted MAC, `id:<sha256 hex>` of
       * the sender's delivery id). Store them until the replay window has passed and refuse a request if ANY of
       * them is already stored. Empty for `bearer`, where every request carries the same token.
       */
      replayFingerprints: string[];
    }
  | { ok: false; reason: WebhookAuthFailure };

/** What a mode's verifier sees once the shared checks of `verifyWebhook` have passed. */
export type ModeInput = Omit<VerifyWebhookInput, "mode">;

export const fail = (reason: WebhookAuthFailure): VerifyWebhookResult => ({ ok: false, reason });

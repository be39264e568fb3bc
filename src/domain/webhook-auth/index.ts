/**
 * Verifying a request to a webhook trigger's public URL against the trigger's own secret. Pure: the time is an
 * argument. Never throws on what a request can contain; any failure is "not authenticated" with a reason for logs.
 */
import { verifyBearer } from "./bearer";
import { verifyGithub } from "./github";
import { verifyPaperclip } from "./paperclip";
import { verifyStandardWebhooks } from "./standard-webhooks";
import { type ModeInput, type VerifyWebhookInput, type VerifyWebhookResult, fail } from "./types";

const verifiers: Record<VerifyWebhookInput["mode"], (input: ModeInput) => VerifyWebhookResult> = {
  bearer: verifyBearer,
  hmac_sha256: verifyPaperclip,
  github_hmac: verifyGithub,
  standard_webhooks: verifyStandardWebhooks,
  // Paperclip's "none": the trigger is unauthenticated by choice (it says so on every read); rate limits still apply.
  none: () => ({ ok: true, replayFingerprints: [] }),
};

export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const { mode, ...rest } = input;
  const verify = Object.hasOwn(verifiers, mode) ? verifiers[mode] : undefined;
  if (!verify || !Buffer.isBuffer(rest.rawBody) || rest.headers === null || typeof rest.headers !== "object") {
    return fail("invalid_input");
  }
  // A NaN window or clock would make every window comparison false, i.e. accept anything: refuse instead.
  if (!Number.isFinite(rest.nowMs) || !Number.isFinite(rest.replayWindowSec) || rest.replayWindowSec < 0) {
    return fail("invalid_input");
  }
  if (typeof rest.secret !== "string" || rest.secret === "") return fail("unusable_secret");
  return verify(rest);
}

export type { VerifyWebhookInput, VerifyWebhookResult, WebhookAuthFailure, WebhookHeaders } from "./types";
export { signPaperclip, paperclipHeaders } from "./paperclip";
export { signGithub, githubHeaders } from "./github";
export { signStandardWebhooks, standardWebhooksHeaders, standardWebhooksKey } from "./standard-webhooks";
export { generateWebhookSecret, generatePublicId, PUBLIC_ID } from "./secrets";

/** How long an accepted webhook delivery's replay fingerprints are kept. */
import type { WebhookTrigger } from "../trigger-kinds";

/** GitHub signs no timestamp: its fingerprints are the only defence against replays, so they are kept a day. */
const GITHUB_RETENTION_SEC = 86_400;
/** Slack between this process's clock (timestamp check) and the database clock (expiry). */
const CLOCK_SLACK_SEC = 60;

/**
 * A timestamp is accepted from `ts - window` to `ts + window`, so a signature first seen at the earliest edge
 * stays valid for two windows.
 */
export function replayRetentionSec(webhook: Pick<WebhookTrigger, "signingMode" | "replayWindowSec">): number {
  const retention = 2 * webhook.replayWindowSec + CLOCK_SLACK_SEC;
  return webhook.signingMode === "github_hmac" ? Math.max(retention, GITHUB_RETENTION_SEC) : retention;
}

/**
 * Retry delays: exponential backoff with full jitter (AWS "Exponential Backoff And Jitter"):
 * attempt n waits a uniformly random time in [0, min(maxMs, baseMs * 2^(n-1))). Spreading retries
 * over the whole window keeps many failing deliveries from retrying in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1); `Math.random` in production, fixed in tests. */
  random: () => number;
}

/** The delay before the retry that follows failed attempt `attempt` (1-based). */
export function retryDelayMs(attempt: number, { baseMs, maxMs, random }: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

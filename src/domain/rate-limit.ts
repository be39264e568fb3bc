/**
 * A token-bucket rate limiter keyed by string (a trigger id, a client IP). Pure: the time is passed to `take`.
 * Each key may spend `limitPerMinute` requests at once and regains one every `60 / limitPerMinute` seconds.
 *
 * Memory is bounded without scanning: keys live in two generations (current and previous). A key used is moved
 * to the current one; every minute, or when the current generation holds maxKeys/2 keys, the previous generation
 * is dropped and the current one becomes previous. A key dropped by the clock has been idle for a minute, so its
 * bucket was full again and forgetting it changes nothing; under a flood of new keys, only keys not used since
 * the last rotation are forgotten.
 */
export interface RateLimiterOptions {
  limitPerMinute: number;
  /** Most keys remembered at once (default 10,000). */
  maxKeys?: number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string, nowMs: number): RateLimitDecision;
  /** How many keys are remembered (for tests and metrics). */
  size(): number;
}

const MINUTE_MS = 60_000;

interface Bucket {
  /** Tokens in units of 1/60,000 of a request, so that refilling is exact integer arithmetic. */
  units: number;
  lastMs: number;
}

export function createRateLimiter({ limitPerMinute, maxKeys = 10_000 }: RateLimiterOptions): RateLimiter {
  if (!Number.isSafeInteger(limitPerMinute) || limitPerMinute < 1) throw new Error("limitPerMinute must be a whole number ≥ 1");
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 2) throw new Error("maxKeys must be a whole number ≥ 2");
  const capacity = limitPerMinute * MINUTE_MS;
  const cost = MINUTE_MS;
  const generationSize = Math.floor(maxKeys / 2);
  let current = new Map<string, Bucket>();
  let previous = new Map<string, Bucket>();
  let generationStartMs = Number.NEGATIVE_INFINITY;

  function rotate(nowMs: number) {
    previous = current;
    current = new Map();
    generationStartMs = nowMs;
  }

  function bucketFor(key: string, nowMs: number): Bucket {
    if (nowMs - generationStartMs >= MINUTE_MS) rotate(nowMs);
    const known = current.get(key);
    if (known) return known;
    const bucket = previous.get(key) ?? { units: capacity, lastMs: nowMs };
    previous.delete(key);
    if (current.size >= generationSize) rotate(nowMs);
    current.set(key, bucket);
    return bucket;
  }

  return {
    take(key, now) {
      const nowMs = Math.floor(now);
      const bucket = bucketFor(key, nowMs);
      // A clock that went backwards refills nothing; a minute or more refills everything.
      const elapsed = Math.min(Math.max(nowMs - bucket.lastMs, 0), MINUTE_MS);
      bucket.units = Math.min(capacity, bucket.units + elapsed * limitPerMinute);
      bucket.lastMs = Math.max(bucket.lastMs, nowMs);
      if (bucket.units >= cost) {
        bucket.units -= cost;
        return { allowed: true };
      }
      const waitMs = Math.ceil((cost - bucket.units) / limitPerMinute);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
    size: () => current.size + previous.size,
  };
}

/**
 * A token-bucket rate limiter keyed by string (a trigger id, a client IP). Pure: the time is passed to `take`.
 * Each key may spend `limitPerMinute` requests at once and regains one every `60 / limitPerMinute` seconds.
 * Memory is bounded: keys idle for a minute (whose bucket is full again, so forgetting them changes nothing)
 * are dropped as new requests arrive, and beyond `maxKeys` the least recently used key is forgotten.
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
  /** Tokens in units of 1/60,000 of a request-minute, so refilling is exact integer arithmetic. */
  units: number;
  lastMs: number;
}

export function createRateLimiter({ limitPerMinute, maxKeys = 10_000 }: RateLimiterOptions): RateLimiter {
  if (!Number.isSafeInteger(limitPerMinute) || limitPerMinute < 1) throw new Error("limitPerMinute must be a whole number ≥ 1");
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error("maxKeys must be a whole number ≥ 1");
  const capacity = limitPerMinute * MINUTE_MS;
  const cost = MINUTE_MS;
  // Map iteration order is insertion order; re-inserting on every take keeps it least-recently-used first.
  const buckets = new Map<string, Bucket>();

  function evictIdle(nowMs: number) {
    for (const [key, bucket] of buckets) {
      if (nowMs - bucket.lastMs < MINUTE_MS) return;
      buckets.delete(key);
    }
  }

  return {
    take(key, now) {
      const nowMs = Math.floor(now);
      evictIdle(nowMs);
      const bucket = buckets.get(key);
      let units = capacity;
      if (bucket) {
        // A clock that went backwards refills nothing; a minute or more refills everything.
        const elapsed = Math.min(Math.max(nowMs - bucket.lastMs, 0), MINUTE_MS);
        units = Math.min(capacity, bucket.units + elapsed * limitPerMinute);
        buckets.delete(key);
      } else if (buckets.size >= maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      const lastMs = bucket ? Math.max(bucket.lastMs, nowMs) : nowMs;
      if (units >= cost) {
        buckets.set(key, { units: units - cost, lastMs });
        return { allowed: true };
      }
      buckets.set(key, { units, lastMs });
      const waitMs = Math.ceil((cost - units) / limitPerMinute);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
    size: () => buckets.size,
  };
}

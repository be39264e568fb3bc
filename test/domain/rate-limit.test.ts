import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/domain/rate-limit";

const T0 = 1_700_000_000_000;
const SECOND = 1000;

function takeMany(limiter: ReturnType<typeof createRateLimiter>, key: string, n: number, nowMs: number) {
  return Array.from({ length: n }, () => limiter.take(key, nowMs).allowed);
}

describe("rate limiter", () => {
  it("allows a burst of the per-minute limit, then refuses with a Retry-After", () => {
    const limiter = createRateLimiter({ limitPerMinute: 30 });
    expect(takeMany(limiter, "trigger-1", 30, T0).every(Boolean)).toBe(true);
    expect(limiter.take("trigger-1", T0)).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it("gives back one request every 60/limit seconds", () => {
    const limiter = createRateLimiter({ limitPerMinute: 30 });
    takeMany(limiter, "k", 30, T0);
    expect(limiter.take("k", T0 + 1999).allowed).toBe(false);
    expect(limiter.take("k", T0 + 2000)).toEqual({ allowed: true });
    expect(limiter.take("k", T0 + 2000).allowed).toBe(false);
  });

  it("rounds Retry-After up to whole seconds, never below 1", () => {
    const limiter = createRateLimiter({ limitPerMinute: 120 });
    takeMany(limiter, "k", 120, T0);
    expect(limiter.take("k", T0 + 100)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    const slow = createRateLimiter({ limitPerMinute: 1 });
    slow.take("k", T0);
    expect(slow.take("k", T0 + 10 * SECOND)).toEqual({ allowed: false, retryAfterSeconds: 50 });
  });

  it("refills completely after a quiet minute and no further", () => {
    const limiter = createRateLimiter({ limitPerMinute: 5 });
    takeMany(limiter, "k", 5, T0);
    const later = T0 + 10 * 60 * SECOND;
    expect(takeMany(limiter, "k", 6, later)).toEqual([true, true, true, true, true, false]);
  });

  it("keeps keys apart", () => {
    const limiter = createRateLimiter({ limitPerMinute: 2 });
    takeMany(limiter, "a", 2, T0);
    expect(limiter.take("a", T0).allowed).toBe(false);
    expect(limiter.take("b", T0).allowed).toBe(true);
  });

  it("refills nothing when the clock goes backwards", () => {
    const limiter = createRateLimiter({ limitPerMinute: 2 });
    takeMany(limiter, "k", 2, T0);
    expect(limiter.take("k", T0 - 60 * SECOND).allowed).toBe(false);
    expect(limiter.take("k", T0 + 29 * SECOND).allowed).toBe(false);
    expect(limiter.take("k", T0 + 30 * SECOND).allowed).toBe(true);
  });

  it("forgets keys idle for more than two minutes", () => {
    const limiter = createRateLimiter({ limitPerMinute: 10 });
    for (let i = 0; i < 100; i++) limiter.take(`ip-${i}`, T0);
    expect(limiter.size()).toBe(100);
    limiter.take("later", T0 + 60 * SECOND);
    limiter.take("later", T0 + 120 * SECOND);
    expect(limiter.size()).toBe(1);
  });

  it("keeps the state of a key in use while a flood of new keys passes through", () => {
    const limiter = createRateLimiter({ limitPerMinute: 1, maxKeys: 10 });
    expect(limiter.take("busy", T0).allowed).toBe(true);
    for (let i = 0; i < 100; i++) {
      limiter.take(`flood-${i}`, T0 + i);
      expect(limiter.take("busy", T0 + i).allowed).toBe(false);
    }
    expect(limiter.size()).toBeLessThanOrEqual(10);
  });

  it("stays within maxKeys under a flood of distinct keys", () => {
    const limiter = createRateLimiter({ limitPerMinute: 30, maxKeys: 100 });
    let largest = 0;
    for (let i = 0; i < 5000; i++) {
      limiter.take(`10.0.${i >> 8}.${i & 255}`, T0 + i);
      largest = Math.max(largest, limiter.size());
    }
    expect(largest).toBe(100);
  });

  it("refuses a limit or key cap it cannot honour", () => {
    expect(() => createRateLimiter({ limitPerMinute: 0 })).toThrow(/limitPerMinute/);
    expect(() => createRateLimiter({ limitPerMinute: 1.5 })).toThrow(/limitPerMinute/);
    expect(() => createRateLimiter({ limitPerMinute: 1, maxKeys: 1 })).toThrow(/maxKeys/);
  });
});

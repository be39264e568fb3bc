import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../src/domain/backoff";

const opts = (random: number) => ({ baseMs: 1000, maxMs: 60_000, random: () => random });

describe("retryDelayMs", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [7, 60_000],
    [50, 60_000],
  ])("doubles the window after each failed attempt and caps it (attempt %i → window %i ms)", (attempt, windowMs) => {
    expect(retryDelayMs(attempt, opts(0.999_999))).toBe(windowMs - 1);
    expect(retryDelayMs(attempt, opts(0.5))).toBe(windowMs / 2);
  });

  it("can retry immediately: full jitter starts the window at zero", () => {
    expect(retryDelayMs(3, opts(0))).toBe(0);
  });

  it("spreads delays over the whole window", () => {
    const delays = Array.from({ length: 200 }, () => retryDelayMs(4, { baseMs: 1000, maxMs: 60_000, random: Math.random }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });

  it("treats attempt 0 like the first attempt and never returns a negative delay", () => {
    expect(retryDelayMs(0, opts(0.5))).toBe(500);
    expect(retryDelayMs(1, { baseMs: 1000, maxMs: 60_000, random: () => -1 })).toBe(0);
  });
});

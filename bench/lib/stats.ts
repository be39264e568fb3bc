/** Small helpers every benchmark uses: percentiles and the one-JSON-line-per-result output. */
import os from "node:os";

/** p50/p99/max (and count) of a list of milliseconds, rounded to 0.1 ms. */
export function summarize(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted[sorted.length - 1] ?? NaN) };
}

/** Prints one result; `loadAvg1m` tells how busy the (shared) machine was. */
export function report(result: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...result, loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10 }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

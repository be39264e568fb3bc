import { describe, expect, it } from "vitest";
import { droppedReason, planCatchUp } from "../../src/domain/catch-up";

const MIN = 60_000;
const T0 = new Date("2026-03-01T00:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
/** Every minute. */
const everyMinute = (after: Date) => new Date((Math.floor(after.getTime() / MIN) + 1) * MIN);

const plan = (nowMin: number, policy: "skip_missed" | "enqueue_missed_with_cap", cap = 25, maxScan?: number) =>
  planCatchUp({ nextRunAt: at(0), now: at(nowMin), graceMs: 60_000, policy, cap, next: everyMinute, maxScan });

describe("planCatchUp", () => {
  it("fires an occurrence that is due now, under either policy", () => {
    for (const policy of ["skip_missed", "enqueue_missed_with_cap"] as const) {
      expect(plan(0, policy)).toEqual({ fire: [at(0)], dropped: null, nextRunAt: at(1) });
    }
  });

  it("fires occurrences found within the grace period", () => {
    // at +1 min: 00:00 is exactly 60 s late (within grace), 00:01 is due now
    expect(plan(1, "skip_missed").fire).toEqual([at(0), at(1)]);
  });

  it("skip_missed drops occurrences older than the grace and fires the on-time one", () => {
    const p = plan(10, "skip_missed");
    expect(p.fire).toEqual([at(9), at(10)]);
    expect(p.dropped).toEqual({ count: 9, first: at(0), last: at(8), atLeast: false });
    expect(p.nextRunAt).toEqual(at(11));
  });

  it("enqueue_missed_with_cap fires missed occurrences oldest first up to the cap, drops the rest", () => {
    const p = plan(10, "enqueue_missed_with_cap", 3);
    expect(p.fire).toEqual([at(0), at(1), at(2), at(9), at(10)]);
    expect(p.dropped).toEqual({ count: 6, first: at(3), last: at(8), atLeast: false });
  });

  it("enqueue_missed_with_cap within the cap drops nothing", () => {
    const p = plan(4, "enqueue_missed_with_cap", 25);
    expect(p.fire).toHaveLength(5);
    expect(p.dropped).toBeNull();
  });

  it("stops scanning after maxScan and jumps to the next occurrence after now", () => {
    const p = plan(100_000, "skip_missed", 25, 100);
    expect(p.dropped).toMatchObject({ count: 100, atLeast: true });
    expect(p.fire).toEqual([]);
    expect(p.nextRunAt).toEqual(at(100_001));
  });

  it("does nothing when the next run is still in the future (clock went backwards)", () => {
    expect(planCatchUp({ nextRunAt: at(5), now: at(0), graceMs: MIN, policy: "skip_missed", cap: 25, next: everyMinute })).toEqual({
      fire: [],
      dropped: null,
      nextRunAt: at(5),
    });
  });

  it("handles a schedule that never fires again", () => {
    const p = planCatchUp({ nextRunAt: at(0), now: at(0), graceMs: MIN, policy: "skip_missed", cap: 25, next: () => null });
    expect(p).toEqual({ fire: [at(0)], dropped: null, nextRunAt: null });
  });
});

describe("droppedReason", () => {
  it("says how many, which, and why", () => {
    expect(droppedReason({ count: 9, first: at(0), last: at(8), atLeast: false }, "skip_missed", 60, 25)).toBe(
      "Dropped 9 missed scheduled runs (2026-03-01T00:00:00.000Z … 2026-03-01T00:08:00.000Z): catch-up policy skip_missed drops occurrences found more than 60 s late",
    );
    expect(droppedReason({ count: 1, first: at(3), last: at(3), atLeast: false }, "enqueue_missed_with_cap", 60, 3)).toBe(
      "Dropped 1 missed scheduled run (2026-03-01T00:03:00.000Z): beyond the catch-up cap of 3",
    );
  });
});

import { describe, expect, it } from "vitest";
import { createBatcher } from "../../src/lib/batcher";

/** A runner whose batches finish when the test says so. */
function controlled() {
  const batches: { items: number[]; finish: (results?: (number | Error)[]) => void; fail: (err: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<(number | Error)[]>((resolve, reject) => {
      batches.push({ items, finish: (results) => resolve(results ?? items.map((n) => n * 10)), fail: reject });
    });
  return { batches, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("batcher", () => {
  it("starts at once when idle, and gathers what arrives while a batch runs into the next one", async () => {
    const { batches, run } = controlled();
    const b = createBatcher(run, { maxBatch: 100, maxInFlight: 1 });
    const first = b.load(1);
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1]]);
    const later = [b.load(2), b.load(3), b.load(4)];
    await tick();
    expect(batches).toHaveLength(1); // waits for the running batch
    batches[0]!.finish();
    expect(await first).toBe(10);
    await tick();
    await tick();
    expect(batches[1]!.items).toEqual([2, 3, 4]);
    batches[1]!.finish();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it("never runs more batches at once than allowed, nor a batch larger than allowed", async () => {
    const { batches, run } = controlled();
    const b = createBatcher(run, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => b.load(n));
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1, 2], [3, 4]]);
    batches[0]!.finish();
    await tick();
    await tick();
    expect(batches.map((x) => x.items)).toEqual([[1, 2], [3, 4], [5, 6]]);
    batches[1]!.finish();
    batches[2]!.finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("answers each item on its own: an Error for one item rejects only that item", async () => {
    const { batches, run } = controlled();
    const b = createBatcher(run, { maxBatch: 10, maxInFlight: 1 });
    const [ok, bad] = [b.load(1), b.load(2)];
    await tick();
    batches[0]!.finish([10, new Error("no 2")]);
    expect(await ok).toBe(10);
    await expect(bad).rejects.toThrow("no 2");
  });

  it("a batch that fails as a whole rejects its items, and the next batch still runs", async () => {
    const { batches, run } = controlled();
    const b = createBatcher(run, { maxBatch: 10, maxInFlight: 1 });
    const failed = b.load(1);
    await tick();
    const next = b.load(2);
    batches[0]!.fail(new Error("database down"));
    await expect(failed).rejects.toThrow("database down");
    await tick();
    batches[1]!.finish();
    expect(await next).toBe(20);
  });
});

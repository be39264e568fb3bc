/**
 * Work after commit: runs once the transaction that asked for it committed, never when it (or the savepoint it was
 * asked in) rolled back. A fake transactional handle stands in for the database: a transaction is a call of `body`,
 * committed when it resolves.
 */
import { describe, expect, it } from "vitest";
import { afterCommit, committing } from "../../src/lib/after-commit";

/** A handle whose transactions are nested handles; a body that throws rolls its transaction back. */
class FakeDb {
  transaction<R>(body: (tx: FakeDb) => Promise<R>): Promise<R> {
    return body(new FakeDb());
  }
}

describe("afterCommit", () => {
  it("waits until the transaction committed", async () => {
    const done: string[] = [];
    await committing(new FakeDb(), async (tx) => {
      afterCommit(tx, () => done.push("told"));
      expect(done).toEqual([]);
    });
    expect(done).toEqual(["told"]);
  });

  it("never runs for a transaction rolled back", async () => {
    const done: string[] = [];
    await expect(
      committing(new FakeDb(), async (tx) => {
        afterCommit(tx, () => done.push("told"));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(done).toEqual([]);
  });

  it("a savepoint's work waits for the enclosing commit; a failed savepoint's is dropped", async () => {
    const done: string[] = [];
    await committing(new FakeDb(), async (tx) => {
      await committing(tx, async (sp) => afterCommit(sp, () => done.push("kept")));
      await committing(tx, async (sp) => {
        afterCommit(sp, () => done.push("dropped"));
        throw new Error("savepoint rolled back");
      }).catch(() => {});
      expect(done).toEqual([]);
    });
    expect(done).toEqual(["kept"]);
  });

  it("runs at once on a transaction it did not open", () => {
    const done: string[] = [];
    afterCommit(new FakeDb(), () => done.push("told"));
    expect(done).toEqual(["told"]);
  });

  it("keeps concurrent transactions apart", async () => {
    const done: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = committing(new FakeDb(), async (tx) => {
      afterCommit(tx, () => done.push("slow"));
      await held;
    });
    await committing(new FakeDb(), async (tx) => afterCommit(tx, () => done.push("fast")));
    expect(done).toEqual(["fast"]);
    release();
    await slow;
    expect(done).toEqual(["fast", "slow"]);
  });
});

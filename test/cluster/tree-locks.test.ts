/**
 * Re-parenting takes the company's tree lock, so two moves at once (A under B, B under A) cannot both pass
 * the ancestor check. Shown on PostgreSQL with a second connection: while another transaction re-parents
 * inside the lock, a PATCH waits for it, then sees its result and refuses the loop.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/db";
import { issuesRepo } from "../../src/store/repos/issues";
import { goalsRepo } from "../../src/store/repos/projects";
import { seededApp } from "../helpers/app";

const s = seededApp();
const others: Store[] = [];
afterAll(() => Promise.all(others.map((o) => o.close())));

/** What a promise has become after `ms`: its value, or "pending". */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms))]);

describe.each([
  { tree: "issues", repo: issuesRepo, path: "issues" },
  { tree: "goals", repo: goalsRepo, path: "goals" },
] as const)("re-parenting $tree", ({ repo, path }) => {
  it("waits for a move in progress, then refuses the loop it would close", async () => {
    const make = async (title: string) =>
      (await s.t.request("POST", `/api/companies/${s.w.company.id}/${path}`, { body: { title } })).body.id as string;
    const [a, b] = [await make("A"), await make("B")];
    const other = await s.t.db.openAnother();
    others.push(other);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // Another request moves B under A and is still inside its transaction.
    const concurrentMove = other.db.transaction(async (tx) => {
      await repo.lockTree(tx, s.w.company.id);
      await repo.update(tx, b, { parentId: a });
      locked();
      await released;
    });
    await holding;

    const patch = s.t.request("PATCH", `/api/${path}/${a}`, { body: { parentId: b } });
    expect(await within(patch, 500)).toBe("pending");
    release();
    await concurrentMove;
    const res = await patch;
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/own ancestor/);
  });
});

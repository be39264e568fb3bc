/**
 * Work that must wait until a transaction has committed (telling metrics and the log about fires): inside a
 * `committing(...)` scope, `afterCommit(fn)` runs `fn` once the scope's transaction has committed, and never if it
 * was rolled back. A scope inside another (a savepoint) hands its work to the enclosing scope when it succeeds and
 * drops it when it fails. Outside any scope, `fn` runs at once.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const pending = new AsyncLocalStorage<(() => void)[]>();

export function afterCommit(fn: () => void): void {
  const queue = pending.getStore();
  if (queue) queue.push(fn);
  else fn();
}

/** Runs `transaction` (a `db.transaction(...)` or a savepoint) as a scope; its `afterCommit` work runs once it resolved. */
export async function committing<T>(transaction: () => Promise<T>): Promise<T> {
  const queue: (() => void)[] = [];
  const result = await pending.run(queue, transaction);
  const enclosing = pending.getStore();
  if (enclosing) enclosing.push(...queue);
  else for (const fn of queue) fn();
  return result;
}

/**
 * Work that must wait until a transaction has committed (telling metrics and the log about fires). `committing(db,
 * body)` runs `body` in a transaction of `db` (a savepoint when `db` is itself a transaction); inside it,
 * `afterCommit(tx, fn)` runs `fn` once that transaction has committed, and never if it was rolled back. A savepoint
 * hands its work to the enclosing transaction when it succeeds and drops it when it fails. On a transaction not
 * opened by `committing`, `fn` runs at once.
 *
 * The work is keyed by the transaction object, not kept in an AsyncLocalStorage: on Node 20 one of those installs
 * promise hooks that tax every promise of the process (2 % of a manual run's CPU, and more garbage).
 */

/** What `committing` opens a transaction (or savepoint) on: a database handle or a transaction. */
interface Transactional<Tx> {
  transaction<R>(body: (tx: Tx) => Promise<R>): Promise<R>;
}

const pending = new WeakMap<object, (() => void)[]>();

export function afterCommit(tx: object, fn: () => void): void {
  const queue = pending.get(tx);
  if (queue) queue.push(fn);
  else fn();
}

/** Runs `body` in a transaction (or savepoint) of `db`; the `afterCommit` work of that transaction runs once it committed. */
export async function committing<Tx extends object, R>(db: Transactional<Tx>, body: (tx: Tx) => Promise<R>): Promise<R> {
  const queue: (() => void)[] = [];
  const result = await db.transaction((tx) => {
    pending.set(tx, queue);
    return body(tx);
  });
  const enclosing = pending.get(db);
  if (enclosing) enclosing.push(...queue);
  else for (const fn of queue) fn();
  return result;
}

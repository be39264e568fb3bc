/**
 * A throwaway, migrated PostgreSQL database for one benchmark, on 127.0.0.1:5432 as user postgres
 * (or ROUTINED_BENCH_PG_URL), dropped when the benchmark ends — also when it fails or is interrupted.
 */
import crypto from "node:crypto";
import pg from "pg";
import { type Store, openStore } from "../../src/store/db";
import { migrate } from "../../src/store/migrate";

const ADMIN_URL = process.env.ROUTINED_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  /** Connection string of the bench database: other processes of the bench connect to it. */
  url: string;
  store: Store;
}

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database; the benchmark connects to `url` and calls `drop` when done. */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `routined_bench_${crypto.randomBytes(6).toString("hex")}`;
  await admin(`create database ${name}`);
  return {
    url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/** Runs `fn` with a fresh, migrated database and drops it afterwards. */
export async function withBenchDatabase<T>(fn: (db: BenchDatabase) => Promise<T>, opts: { poolSize?: number } = {}): Promise<T> {
  const { url, drop } = await createBenchDatabase();
  const onSignal = () => void drop().finally(() => process.exit(130));
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  let store: Store | undefined;
  try {
    store = await openStore({ databaseUrl: url, poolSize: opts.poolSize ?? 4 });
    await migrate(store.db);
    return await fn({ url, store });
  } finally {
    await store?.close().catch(() => {});
    await drop();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  }
}

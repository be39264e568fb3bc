/**
 * A throwaway, migrated database for one test file: an in-memory PGlite, or a fresh database on
 * the PostgreSQL server that is dropped afterwards.
 */
import crypto from "node:crypto";
import pg from "pg";
import { type Store, openStore } from "../../src/store/db";
import { migrate } from "../../src/store/migrate";
import { ENGINE, PG_ADMIN_URL } from "./engine";

export interface TestDatabase {
  store: Store;
  /** The connection string (PostgreSQL only): other processes of a test may connect to it. */
  url?: string;
  /** Opens another store on the same database (PostgreSQL only): a second "process". */
  openAnother(): Promise<Store>;
  drop(): Promise<void>;
}

/** A migrated empty PGlite database, made once per worker and loaded by each test file (~5x faster). */
let pgliteImage: Promise<Blob> | undefined;
function migratedPgliteImage(): Promise<Blob> {
  pgliteImage ??= (async () => {
    const store = await openStore({});
    await migrate(store.db);
    const image = await store.dumpPglite!();
    await store.close();
    return image;
  })();
  return pgliteImage;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (ENGINE === "pglite") {
    const store = await openStore({ loadDataDir: await migratedPgliteImage() });
    return {
      store,
      openAnother: () => Promise.reject(new Error("PGlite is one process only")),
      drop: () => store.close(),
    };
  }
  const name = `routined_test_${crypto.randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const store = await openStore({ databaseUrl: url, poolSize: opts.poolSize });
  await migrate(store.db);
  const others: Store[] = [];
  return {
    store,
    url,
    async openAnother() {
      const other = await openStore({ databaseUrl: url, poolSize: opts.poolSize });
      others.push(other);
      return other;
    },
    async drop() {
      await Promise.all(others.map((o) => o.close().catch(() => {})));
      await store.close().catch(() => {}); // closed already by a test that hands the database to a server
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

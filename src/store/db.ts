/**
 * Opens the database: PGlite (embedded, one process, data in a directory or in memory) or
 * PostgreSQL through node-postgres. Both give the same drizzle `Db`, the same SQL dialect, and
 * LISTEN/NOTIFY (PGlite implements it in-process).
 */
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PreparedQueryConfig } from "drizzle-orm/pg-core";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { type SQL, sql } from "drizzle-orm";
import { schemaTables } from "./schema";
import { acquireDataDirLock, makePrivate, preparePrivateDir } from "./data-dir-lock";
import { type ListenerEvents, createPgListener } from "./pg-listener";
import { copyTemplate } from "./pglite-template";
import { pgliteWasm } from "./pglite-wasm";

export type Db = PgDatabase<PgQueryResultHKT, typeof schemaTables>;
/** A transaction handle; every repository function accepts a `Db` or a transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Executor = Db | Tx;

export type Engine = "pglite" | "postgres";

/** Connections kept open while idle: a fire's transaction, the dispatcher's claim and its results, and one spare. */
const WARM_CONNECTIONS = 4;

export interface Store {
  readonly db: Db;
  readonly engine: Engine;
  /**
   * Calls `onMessage` for every NOTIFY on `channel`; resolves to an unsubscribe function. After the LISTEN
   * connection was lost and is back, every subscriber is called once with an empty payload (a NOTIFY may have
   * been missed: look now).
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Whether NOTIFYs reach this process now (false while the LISTEN connection is being re-established). */
  listenerUp(): boolean;
  close(): Promise<void>;
  /** PostgreSQL only: the connection pool right now (metrics). */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** PGlite only: the whole database as a tarball (tests load it to skip migrations). */
  dumpPglite?(): Promise<Blob>;
}

export interface OpenStoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined means in memory. */
  dataDir?: string;
  poolSize?: number;
  /** PostgreSQL only: how long a connection beyond the warm ones stays open idle (node-postgres' default, 10 s). */
  idleTimeoutMs?: number;
  /** PGlite only: start from this database image (see `Store.dumpPglite`). */
  loadDataDir?: Blob;
  /** Told about an unsafe setting found at open (e.g. a data directory open to other users). */
  onWarning?: (message: string) => void;
  /** PostgreSQL only: told when the LISTEN connection is lost and when it is back (for logging). */
  listenerEvents?: ListenerEvents;
  /**
   * PGlite only: a data directory without a database starts from the build's template (already
   * initialised and migrated) when there is one, instead of running initdb (default true).
   */
  useTemplate?: boolean;
  /** PGlite only: extra initdb options for a data directory made by initdb (the build's template). */
  initDbParams?: string[];
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.listenerEvents, options.idleTimeoutMs)
    : openPglite(options);
}

/** True when the directory holds no database yet (PGlite would run initdb). */
export function isNewDataDir(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, "PG_VERSION"));
}

/** New files and directories of this process private to its user (PGlite's directories follow the umask). */
function privateUmask(): void {
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    /* not settable in a worker thread: the private data directory still keeps others out */
  }
}

/**
 * PGlite's start options plus a smaller buffer pool: PostgreSQL's default shared_buffers (128 MB)
 * is memory PGlite's WebAssembly heap touches at start and keeps (resident memory at rest ~300 MB
 * with it, ~200 MB with 32 MB); routined's working set (routines, triggers, recent runs) fits.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

async function openPglite({ dataDir, loadDataDir, onWarning, useTemplate, initDbParams }: OpenStoreOptions): Promise<Store> {
  if (dataDir) {
    const warning = preparePrivateDir(dataDir);
    if (warning) onWarning?.(warning);
    privateUmask();
  }
  const releaseLock = dataDir ? acquireDataDirLock(dataDir) : () => {};
  let client: PGlite;
  try {
    if (dataDir && !loadDataDir && useTemplate !== false && isNewDataDir(dataDir)) await copyTemplate(dataDir);
    client = await PGlite.create({
      pgliteWasmModule: await pgliteWasm(),
      startParams: PGLITE_START_PARAMS,
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
      ...(initDbParams ? { initDbStartParams: initDbParams } : {}),
    });
    if (dataDir) makePrivate(dataDir);
  } catch (err) {
    releaseLock();
    throw err;
  }
  const db = drizzlePglite(client, { schema: schemaTables }) as unknown as Db;
  return {
    db,
    engine: "pglite",
    async listen(channel, onMessage) {
      const unsubscribe = await client.listen(channel, onMessage);
      return async () => unsubscribe();
    },
    // In-process: there is no connection to lose (a killed process loses everything, and starts afresh).
    listenerUp: () => !client.closed,
    async close() {
      await client.close();
      if (dataDir) makePrivate(dataDir);
      releaseLock();
    },
    async dumpPglite() {
      return client.dumpDataDir("none");
    },
  };
}

async function openPostgres(connectionString: string, poolSize: number, listenerEvents?: ListenerEvents, idleTimeoutMs?: number): Promise<Store> {
  // A few connections stay open however long the process is idle (the rest close after 10 s idle): an
  // every-minute schedule's fire would otherwise open a connection and prepare its statements again each time.
  const pool = new pg.Pool({ connectionString, max: poolSize, min: Math.min(poolSize, WARM_CONNECTIONS), idleTimeoutMillis: idleTimeoutMs });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  // Nor one cut while checked out (between two statements of a transaction): node-postgres emits "error" on the
  // client, which the pool listens for only while the client is idle, and an unheard "error" ends the process.
  // The statement in progress or the next one fails (503), and the pool discards the client on release.
  pool.on("connect", (client) => client.on("error", () => {}));
  await pool.query("select 1");
  const db = drizzlePg(pool, { schema: schemaTables }) as unknown as Db;
  const listener = createPgListener(connectionString, listenerEvents);
  return {
    db,
    engine: "postgres",
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen: (channel, onMessage) => listener.listen(channel, onMessage),
    listenerUp: listener.up,
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/** Runs raw SQL and returns its rows; both drivers answer `{ rows }`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The database clock: the one clock every process of a cluster agrees on. */
export async function dbNow(db: Executor): Promise<Date> {
  const [row] = await queryRows<{ now: Date | string }>(db, sql`select now() as now`);
  return new Date(row!.now);
}

/** Sends a NOTIFY; inside a transaction it is delivered on commit, and dropped on rollback. */
export async function notify(db: Executor, channel: string, payload = ""): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}

/**
 * A list as one array parameter (`= any(${pgArray(ids, "uuid")})`): the planner looks each value up in
 * an index, where a join against a JSON list is estimated blind and may scan the whole table.
 */
export function pgArray(values: readonly string[], type: "uuid" | "text"): SQL {
  const literal = `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
  return sql`${literal}::${sql.raw(type)}[]`;
}

/**
 * `queryRows` as a named prepared statement: on PostgreSQL each connection parses and plans it once, not on
 * every call (for the big statements of the fire path, planning cost about as much as running). The name
 * is the hash of the text, so a statement whose text changes is simply another statement. PGlite runs it
 * as an ordinary query.
 */
/** Compiles SQL to text and parameters, as the drivers do (the dialect is stateless). */
const dialect = new PgDialect();

export async function queryPrepared<T>(db: Executor, query: SQL): Promise<T[]> {
  const compiled = dialect.sqlToQuery(query);
  const name = `routined_${createHash("sha1").update(compiled.sql).digest("hex").slice(0, 16)}`;
  const prepared = db._.session.prepareQuery<PreparedQueryConfig & { execute: { rows: T[] } }>(compiled, undefined, name, false);
  return (await prepared.execute()).rows;
}

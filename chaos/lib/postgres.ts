/** A PostgreSQL database of the run's own on 127.0.0.1:5432, and the admin statements the experiments use. */
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";

export const PG_ADMIN_URL = process.env.ROUTINED_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function adminQuery<T = Record<string, unknown>>(text: string, params: unknown[] = [], url = PG_ADMIN_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface ChaosDatabase {
  name: string;
  url: string;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Cuts every connection to the database (what a restart or failover does). */
  cutConnections(): Promise<number>;
  allowConnections(allow: boolean): Promise<void>;
  /** `pg_dump` of the whole database, as text. */
  dump(): Promise<string>;
  drop(): Promise<void>;
}

export async function createChaosDatabase(): Promise<ChaosDatabase> {
  const name = `routined_chaos_${crypto.randomBytes(5).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    name,
    url,
    query: (text, params) => adminQuery(text, params, url),
    async cutConnections() {
      const rows = await adminQuery<{ n: string }>(
        `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [name],
      );
      return Number(rows[0]!.n);
    },
    async allowConnections(allow) {
      await adminQuery(`alter database ${name} allow_connections ${allow}`);
    },
    async dump() {
      const u = new URL(url);
      const { stdout } = await promisify(execFile)(
        "pg_dump",
        ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username) || "postgres", "--no-owner", name],
        { maxBuffer: 512 * 1024 * 1024 },
      );
      return stdout;
    },
    async drop() {
      await adminQuery(`alter database ${name} allow_connections true`).catch(() => {});
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

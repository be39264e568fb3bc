/**
 * An idle process keeps a few connections open: the next fire (an every-minute schedule's, after a quiet minute)
 * neither opens a connection nor prepares its statements again. Measured with `bench/wake-latency.ts --idle 15`:
 * the firing transaction started 20–27 ms after its due time with every connection closed, 3–4 ms with them kept.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Store, openStore, queryRows } from "../../src/store/db";
import { PG_ADMIN_URL } from "../helpers/engine";
import { pgAdmin } from "../helpers/pg-admin";

const name = `routined_test_warm_${crypto.randomBytes(5).toString("hex")}`;
let store: Store;

beforeAll(async () => {
  await pgAdmin(`create database ${name}`);
  store = await openStore({ databaseUrl: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), poolSize: 8, idleTimeoutMs: 200 });
});
afterAll(async () => {
  await store?.close().catch(() => {});
  await pgAdmin(`drop database if exists ${name} with (force)`);
});

/** The pool's connections to the database (the LISTEN connection is not one: it runs no query but LISTEN). */
async function poolConnections(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query not ilike 'listen%'`,
  );
  return row!.n;
}

it("keeps 4 connections open while idle and closes the rest", async () => {
  // 8 statements at once: the pool opens 8 connections
  await Promise.all(Array.from({ length: 8 }, () => store.db.execute(sql`select pg_sleep(0.05)`)));
  expect(await poolConnections()).toBe(8);
  await new Promise((r) => setTimeout(r, 1_000)); // 5× the idle timeout
  expect(await poolConnections()).toBe(4);
});

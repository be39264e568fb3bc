/**
 * Where a small scheduler batch spends its time, statement by statement: N triggers (default 10, `N=…`) due
 * now, fired by the scheduling service 50 times after 10 warm-up rounds, with the round trip of each statement
 * of the transaction (BEGIN, claim, context read, write, COMMIT) and the time this process spent between them
 * (planning the fires, building the write). The time from the transaction start to the commit is their sum.
 * `SYNC_COMMIT=off` runs each batch with `synchronous_commit = off` (the commit does not wait for the WAL
 * flush): what that wait costs. Not a setting routined uses (a crash of the database could lose fires
 * already delivered).
 */
import { sql } from "drizzle-orm";
import pg from "pg";
import { loadConfig } from "../src/config";
import { createFiring } from "../src/firing/batch";
import { createSchedulingService } from "../src/services/scheduling";
import { openStore } from "../src/store/db";
import { withBenchDatabase } from "./lib/db";
import { insertScheduleRoutines, seedCompany } from "./lib/seed";
import { report, summarize } from "./lib/stats";

const N = Number(process.env.N ?? 10);
const ROUNDS = 60;
const WARM_UP = 10;
const STEPS = ["begin", "claim", "context", "write", "commit"];
const SYNC_OFF = process.env.SYNC_COMMIT === "off";

/** The statements sent while `recording` is set, with when each was sent and answered. */
let recording: { start: number; end: number }[] | undefined;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const into = recording;
  const entry = { start: performance.now(), end: 0 };
  const answer = (query as (...a: unknown[]) => unknown).apply(this, args) as Promise<unknown>;
  if (into) answer.then(() => into.push({ ...entry, end: performance.now() }), () => {});
  return answer;
} as typeof query;

await withBenchDatabase(async ({ url, store }) => {
  const world = await seedCompany(store.db);
  await insertScheduleRoutines(store.db, world, { count: N * ROUNDS, policy: "always_enqueue", cron: "0 0 1 1 *" });
  await store.db.execute(sql`update routine_triggers set next_run_at = null`);
  const config = loadConfig({ DATABASE_URL: url, ROUTINED_LOG_LEVEL: "silent" });
  // The bench database's own setting; connections opened after it (this second store's) use it.
  if (SYNC_OFF) await store.db.execute(sql`do $$ begin execute format('alter database %I set synchronous_commit = off', current_database()); end $$`);
  const fires = SYNC_OFF ? await openStore({ databaseUrl: url, poolSize: 2 }) : store;
  const scheduling = createSchedulingService({ db: fires.db, config, firing: createFiring(config) });
  const ms: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    await store.db.execute(
      sql`update routine_triggers set next_run_at = now() where id in (select id from routine_triggers where next_run_at is null order by id limit ${N})`,
    );
    recording = [];
    const started = performance.now();
    const result = await scheduling.runDue(new Date(Date.now() + 1000), N);
    const total = performance.now() - started;
    const statements = recording.sort((a, b) => a.start - b.start);
    recording = undefined;
    if (round < WARM_UP || result.fired !== N || statements.length !== STEPS.length) continue;
    statements.forEach((s, i) => {
      (ms[`${STEPS[i]}RoundTrip`] ??= []).push(s.end - s.start);
      if (i > 0) (ms[`jsBefore_${STEPS[i]}`] ??= []).push(s.start - statements[i - 1]!.end);
    });
    (ms.txStartToCommitted ??= []).push(statements.at(-1)!.end - statements[0]!.end);
    (ms.runDue ??= []).push(total);
  }
  if (fires !== store) await fires.close();
  report({ name: "scheduler-batch-steps", triggers: N, synchronousCommit: SYNC_OFF ? "off" : "on", rounds: ms.runDue?.length ?? 0, ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summarize(v)])) });
});

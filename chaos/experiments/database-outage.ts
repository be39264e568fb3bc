/**
 * The database goes away under a running cluster: every connection cut (pg_terminate_backend) and new ones
 * refused (ALLOW_CONNECTIONS false) for a while. Meanwhile requests get 503 with Retry-After, never a 500;
 * afterwards every process serves again without a restart, its LISTEN connection is back within a second,
 * and the schedules catch up per their policy (the outage is longer than the grace: `enqueue_missed_with_cap`
 * fires every missed second, `skip_missed` records them as dropped).
 */
import type { Cluster } from "../lib/cluster";
import { type Fixture, createRoutine, everySecond, webhook } from "../lib/fixture";
import { Tally, call, signPaperclip, sleep } from "../lib/http";
import { LISTENER_APPLICATION_NAME } from "../../src/store/pg-listener";

async function until(check: () => Promise<boolean>, ms: number): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await sleep(50);
  }
  return null;
}

export async function databaseOutage(cluster: Cluster, f: Fixture, outageSeconds: number) {
  const base = cluster.url();
  const enqueue = await createRoutine(base, f, "catch up: enqueue", { concurrencyPolicy: "always_enqueue", catchUpPolicy: "enqueue_missed_with_cap" });
  const skip = await createRoutine(base, f, "catch up: skip", { concurrencyPolicy: "always_enqueue", catchUpPolicy: "skip_missed" });
  await everySecond(base, enqueue);
  await everySecond(base, skip);
  const hookRoutine = await createRoutine(base, f, "webhook during outage");
  const hook = await webhook(base, hookRoutine);
  await sleep(2_000);
  const linesBefore = cluster.servers.map((s) => s.lines.length);

  const tally = new Tally();
  await cluster.db.allowConnections(false);
  const cutAt = Date.now();
  const cut = await cluster.db.cutConnections();
  while (Date.now() - cutAt < outageSeconds * 1000) {
    await Promise.all(
      cluster.servers.map(async (s) => {
        tally.add(await call(s.url, "GET", `/api/companies/${f.companyId}/routines`));
        const body = JSON.stringify({ during: "outage" });
        tally.add(await call(s.url, "POST", hook.path, { rawBody: body, headers: { "content-type": "application/json", ...signPaperclip(hook.secret, body) } }));
      }),
    );
    await sleep(200);
  }
  await cluster.db.allowConnections(true);
  const listenersBackMs = await until(async () => {
    const [row] = await cluster.db.query<{ n: string }>(`select count(*) as n from pg_stat_activity where datname = current_database() and application_name = $1`, [LISTENER_APPLICATION_NAME]);
    return Number(row!.n) >= cluster.servers.length;
  }, 10_000);
  const apiBackMs = await until(async () => {
    const answers = await Promise.all(cluster.servers.map((s) => call(s.url, "GET", `/api/companies/${f.companyId}/routines`)));
    return answers.every((a) => a.status === 200);
  }, 10_000);
  const outageEnd = Date.now();
  // the schedules fire again, and the catch-up is written
  await sleep(4_000);

  const perRoutine = async (routineId: string) => {
    const [row] = await cluster.db.query<{ runs: string; slots: string; span: string; dropped: string; dropped_reason: string | null }>(
      `select count(*) filter (where coalesce(failure_reason, '') not like 'Dropped%') as runs,
              count(distinct scheduled_for) filter (where coalesce(failure_reason, '') not like 'Dropped%') as slots,
              extract(epoch from max(scheduled_for) - min(scheduled_for)) + 1 as span,
              count(*) filter (where failure_reason like 'Dropped%') as dropped,
              max(failure_reason) filter (where failure_reason like 'Dropped%') as dropped_reason
         from routine_runs where routine_id = $1 and source = 'schedule'`,
      [routineId],
    );
    return { runs: Number(row!.runs), slots: Number(row!.slots), span: Number(row!.span), droppedRecords: Number(row!.dropped), droppedReason: row!.dropped_reason };
  };
  const logs = cluster.servers.flatMap((s, i) => s.lines.slice(linesBefore[i]).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }));
  return {
    outageSeconds: Math.round((outageEnd - cutAt) / 100) / 10,
    connectionsCut: cut,
    requests: tally.summary(),
    listenersBackMs,
    apiBackMs,
    enqueueMissedWithCap: await perRoutine(enqueue),
    skipMissed: await perRoutine(skip),
    logLines: {
      total: logs.length,
      unavailableWarnings: logs.filter((l) => /database unavailable/.test(l.msg)).length,
      errors: logs.filter((l) => l.level >= 50).length,
      recovered: logs.filter((l) => l.msg === "database available again").length,
      listenerBack: logs.filter((l) => /database listener back/.test(l.msg)).length,
    },
  };
}

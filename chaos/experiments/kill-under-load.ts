/**
 * kill -9 of one process of the cluster, several times, while signed webhook deliveries arrive and
 * every-second schedules fire. Every delivery is retried (same Idempotency-Key, fresh signature) until
 * acknowledged, as a sender would. Afterwards: every 202 is backed by exactly one run with its issue and one
 * heartbeat run; every (trigger, second) slot in the window is fired exactly once.
 */
import type { Cluster } from "../lib/cluster";
import { type Fixture, createRoutine, everySecond, webhook } from "../lib/fixture";
import { Tally, call, signPaperclip, sleep } from "../lib/http";

export interface KillUnderLoadScale {
  deliveries: number;
  senders: number;
  triggers: number;
  kills: number;
  /** How long the schedules are measured; the kills are spread over it. */
  seconds: number;
}

export async function killUnderLoad(cluster: Cluster, f: Fixture, scale: KillUnderLoadScale) {
  const base = cluster.url();
  const hookRoutine = await createRoutine(base, f, "webhook under kill -9");
  const hook = await webhook(base, hookRoutine);
  const scheduleRoutines: string[] = [];
  for (let i = 0; i < scale.triggers; i++) {
    const id = await createRoutine(base, f, `every second ${i}`, { concurrencyPolicy: "skip_if_active", catchUpPolicy: "enqueue_missed_with_cap" });
    await everySecond(base, id);
    scheduleRoutines.push(id);
  }
  const nowRow = async () => (await cluster.db.query<{ s: number }>(`select floor(extract(epoch from now()))::bigint as s`))[0]!.s;
  const windowFrom = Number(await nowRow()) + 2;

  const tally = new Tally();
  const acked = new Map<string, string>(); // idempotency key → run id
  let nextDelivery = 0;
  const runTag = Date.now().toString(36);
  const sender = async () => {
    for (let i = nextDelivery++; i < scale.deliveries; i = nextDelivery++) {
      const key = `chaos-${runTag}-${i}`;
      const body = JSON.stringify({ delivery: i });
      for (let attempt = 0; attempt < 60; attempt++) {
        const res = tally.add(
          await call(cluster.url(), "POST", hook.path, {
            rawBody: body,
            headers: { "content-type": "application/json", "idempotency-key": key, ...signPaperclip(hook.secret, body) },
          }),
        );
        if (res.status === 202) {
          acked.set(key, res.body.id);
          break;
        }
        // A lost answer to an accepted delivery: the same signature again is a duplicate (409), so the retry
        // is signed afresh in the next second, and its Idempotency-Key answers with the run.
        if (res.status === 409) {
          await sleep(1_100);
          continue;
        }
        if (res.status !== 0 && res.status !== 503) break; // refused for good: counted, not retried
        await sleep(100);
      }
    }
  };
  const started = Date.now();
  const load = Promise.all(Array.from({ length: scale.senders }, sender));
  load.catch(() => {}); // awaited below
  // the kills, spread over the window, each of a random process
  for (let k = 0; k < scale.kills; k++) {
    await sleep(Math.max(0, started + ((k + 1) * scale.seconds * 1000) / (scale.kills + 1) - Date.now()));
    await cluster.killAndRestart(await cluster.victim());
  }
  await sleep(Math.max(0, started + scale.seconds * 1000 - Date.now()));
  await load;
  await cluster.settled();
  const windowTo = Number(await nowRow()) - 2;

  // Webhook deliveries: one run per acknowledged key, with its issue and heartbeat run.
  const runs = await cluster.db.query<{ id: string; key: string; issue: string | null; heartbeats: string }>(
    `select r.id, r.idempotency_key as key, r.linked_issue_id as issue,
            (select count(*) from heartbeat_runs h where h.routine_run_id = r.id) as heartbeats
       from routine_runs r where r.routine_id = $1`,
    [hookRoutine],
  );
  const byKey = new Map<string, typeof runs>();
  for (const r of runs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  let lost = 0;
  let mismatched = 0;
  for (const [key, runId] of acked) {
    const found = byKey.get(key) ?? [];
    if (!found.length) lost++;
    else if (found[0]!.id !== runId) mismatched++;
  }
  const duplicated = runs.length - byKey.size;
  const incomplete = runs.filter((r) => !r.issue || Number(r.heartbeats) !== 1).length;

  // Schedules: every (trigger, second) of the window exactly once.
  const [slots] = await cluster.db.query<{ committed: string; distinct_slots: string; dropped: string }>(
    `select count(*) filter (where coalesce(failure_reason, '') not like 'Dropped%') as committed,
            count(distinct (trigger_id, scheduled_for)) filter (where coalesce(failure_reason, '') not like 'Dropped%') as distinct_slots,
            count(*) filter (where failure_reason like 'Dropped%') as dropped
       from routine_runs
      where routine_id = any($1::uuid[]) and source = 'schedule'
        and scheduled_for >= to_timestamp($2) and scheduled_for <= to_timestamp($3)`,
    [scheduleRoutines, windowFrom, windowTo],
  );
  const expected = scale.triggers * Math.max(0, windowTo - windowFrom + 1);
  const committed = Number(slots!.committed);
  const distinct = Number(slots!.distinct_slots);

  // Quiet the schedules for the experiments that follow.
  for (const id of scheduleRoutines) await call(cluster.url(), "PATCH", `/api/routines/${id}`, { body: { status: "paused" } });

  return {
    processes: cluster.servers.length,
    processesKilled: scale.kills,
    webhooks: {
      deliveries: scale.deliveries,
      acknowledged: acked.size,
      runs: runs.length,
      lost,
      duplicated,
      mismatched,
      withoutIssueOrHeartbeat: incomplete,
      requests: tally.summary(),
    },
    schedules: {
      triggers: scale.triggers,
      windowSeconds: Math.max(0, windowTo - windowFrom + 1),
      expected,
      committed,
      duplicated: committed - distinct,
      missing: expected - distinct,
      dropped: Number(slots!.dropped),
    },
  };
}

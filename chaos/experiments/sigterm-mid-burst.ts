/**
 * SIGTERM to a process in the middle of a burst of API runs: it exits 0, every acknowledged run is in the
 * database with its issue and heartbeat run, and nothing anywhere is half-written (a run that created an
 * issue without it, or an execution issue without its heartbeat run).
 */
import type { Cluster } from "../lib/cluster";
import { type Fixture, createRoutine } from "../lib/fixture";
import { Tally, call } from "../lib/http";

export async function sigtermMidBurst(cluster: Cluster, f: Fixture, burst: number) {
  const routineId = await createRoutine(cluster.servers[0]!.url, f, "burst under SIGTERM");
  const victim = cluster.servers[0]!;
  const tally = new Tally();
  const acked = new Map<string, string>();
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < burst; i = next++) {
      const key = `sigterm-${i}`;
      const res = tally.add(await call(victim.url, "POST", `/api/routines/${routineId}/run`, { body: { idempotencyKey: key, payload: { i } } }));
      if (res.status === 202) acked.set(key, res.body.id);
    }
  };
  // the SIGTERM goes out a third of the way in; the senders carry on against the closing process
  const senders = Array.from({ length: 16 }, sender);
  const terminated = (async () => {
    while (next < burst / 3) await new Promise((r) => setTimeout(r, 5));
    return victim.terminate();
  })();
  await Promise.all(senders);
  const exitCode = await terminated;

  const runs = await cluster.db.query<{ id: string; key: string; issue: string | null; heartbeats: string }>(
    `select r.id, r.idempotency_key as key, r.linked_issue_id as issue,
            (select count(*) from heartbeat_runs h where h.routine_run_id = r.id) as heartbeats
       from routine_runs r where r.routine_id = $1`,
    [routineId],
  );
  const byKey = new Map(runs.map((r) => [r.key, r]));
  const lost = [...acked].filter(([key, id]) => byKey.get(key)?.id !== id).length;
  // The whole database: nothing half-written by any experiment so far.
  const [half] = await cluster.db.query<{ runs_without_issue: string; issues_without_heartbeat: string }>(
    `select (select count(*) from routine_runs where status = 'issue_created' and linked_issue_id is null) as runs_without_issue,
            (select count(*) from issues i where i.origin_kind = 'routine_execution'
               and not exists (select 1 from heartbeat_runs h where h.issue_id = i.id)) as issues_without_heartbeat`,
  );
  return {
    burst,
    exitCode,
    acknowledged: acked.size,
    runs: runs.length,
    lost,
    duplicated: runs.length - byKey.size,
    withoutIssueOrHeartbeat: runs.filter((r) => !r.issue || Number(r.heartbeats) !== 1).length,
    halfWritten: { runsWithoutIssue: Number(half!.runs_without_issue), issuesWithoutHeartbeat: Number(half!.issues_without_heartbeat) },
    requests: tally.summary(),
  };
}

/**
 * Heartbeat runs: one wake-up of an agent for an issue. States `queued → running → succeeded |
 * failed | cancelled | timed_out`, with `scheduled_retry` between attempts. Claims use
 * `FOR UPDATE SKIP LOCKED` and the database clock; every transition out of `running` is guarded by
 * the claim (`attempt`, and `claimed_by` for the dispatcher), so a stale worker cannot overwrite a
 * newer attempt. A run that ends failed or timed out for good fails its routine run in the same
 * statement.
 */
import { and, desc, eq, getTableColumns, inArray, lt, sql } from "drizzle-orm";
import { CHANNELS } from "../../domain/channels";
import type { HeartbeatStatus } from "../../domain/enums";
import { type Executor, notify, pgArray, queryRows, queryPrepared } from "../db";
import { jsonRowOf } from "../raw-rows";
import type { StoredEnv } from "../../domain/routine-env";
import { type agents, heartbeatRuns, issues, routineRuns } from "../schema";
import { recordAttempts } from "./heartbeat-runs-attempts";
import { runStatusRepo } from "./run-status";

export type HeartbeatRunRow = typeof heartbeatRuns.$inferSelect;
export type RoutineRunRow = typeof routineRuns.$inferSelect;
type AgentRow = typeof agents.$inferSelect;
type IssueRow = typeof issues.$inferSelect;

export interface DispatchClaim {
  workerId: string;
  limit: number;
  leaseSec: number;
  timeoutSec: number;
  marginSec: number;
  /** Most runs of one agent held at once by this claimer (default: no cap beyond `limit`). */
  perAgent?: number;
  /** Deliveries this claimer already has in flight, per agent id. */
  busy?: Record<string, number>;
  /** How many of the oldest waiting runs are ranked per agent (default max(1000, 4 × limit)). */
  scanLimit?: number;
}

/** A claimed run with everything its delivery needs, read in the claim's round trip. */
export interface ClaimedDelivery {
  run: HeartbeatRunRow;
  agent: Pick<AgentRow, "id" | "name" | "adapterType" | "adapterConfig" | "deliverySecretCiphertext">;
  issue: IssueRow | null;
  routineRun: RoutineRunRow | null;
  /** The routine's env as stored (values encrypted), for the agent's delivery. */
  routineEnv: StoredEnv | null;
}

export interface EnqueueHeartbeatRun {
  companyId: string;
  agentId: string;
  issueId: string | null;
  routineRunId: string | null;
  maxAttempts: number;
}

/**
 * Queues a heartbeat run and NOTIFYs its agent's listeners (delivered when the transaction
 * commits). Call inside the transaction that creates the execution issue.
 */
export async function enqueueHeartbeatRun(tx: Executor, values: EnqueueHeartbeatRun): Promise<HeartbeatRunRow> {
  const [row] = await tx.insert(heartbeatRuns).values({ ...values, status: "queued" }).returning();
  await notifyAgent(tx, values.agentId);
  return row!;
}

/** Wakes whoever waits for this agent's runs (dispatchers, a long-polling agent). */
export async function notifyAgent(db: Executor, agentId: string): Promise<void> {
  await notify(db, CHANNELS.heartbeatRuns, agentId);
}

/** How a claim holder ends its attempt. `scheduled_retry` needs `retryDelayMs`. */
export interface Outcome {
  status: Extract<HeartbeatStatus, "succeeded" | "failed" | "timed_out" | "scheduled_retry">;
  retryDelayMs?: number;
  summary?: string | null;
  error?: string | null;
  output?: string | null;
  /** Written to the routine run when the heartbeat run ends failed or timed out. */
  failureReason?: string;
  /** The attempt timed out (its record says so even when the run is retried). */
  timedOut?: boolean;
  /** The HTTP status the agent answered or the command's exit code, for the attempt's record. */
  code?: number | null;
}

/** Identifies one attempt: a worker that claimed attempt 2 cannot end attempt 3. */
export interface ClaimGuard {
  id: string;
  attempt: number;
  claimedBy?: string;
}

/** Rows of raw `returning *` queries, typed and converted like the query builder's (dates, JSON). */
const COLUMNS = Object.entries(getTableColumns(heartbeatRuns));
function fromRaw(raw: Record<string, unknown>): HeartbeatRunRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of COLUMNS) {
    const value = raw[column.name];
    row[key] = value == null ? null : column.mapFromDriverValue(value);
  }
  return row as HeartbeatRunRow;
}

const CLAIMABLE = sql`h.status in ('queued', 'scheduled_retry') and h.run_after <= now()`;

/** Routine runs still waiting on their execution whose heartbeat run just ended failed/timed out (`run-status.ts`). */
const failRoutineRuns = runStatusRepo.heartbeatEnded;

export const heartbeatRunsRepo = {
  enqueue: enqueueHeartbeatRun,
  notifyAgent,

  async get(db: Executor, id: string): Promise<HeartbeatRunRow | undefined> {
    const [row] = await db.select().from(heartbeatRuns).where(eq(heartbeatRuns.id, id));
    return row;
  },

  async getRoutineRun(db: Executor, id: string): Promise<RoutineRunRow | undefined> {
    const [row] = await db.select().from(routineRuns).where(eq(routineRuns.id, id));
    return row;
  },

  /**
   * The dispatcher's claim, in one round trip: up to `limit` runnable runs of active http/process
   * agents, each with what its delivery needs (the agent, the execution issue, the routine run). The
   * lease covers the delivery timeout (the agent's `timeoutSec`, else `timeoutSec`) plus `marginSec`,
   * so no other process can take the run while this one may still be delivering it.
   *
   * `perAgent` caps how many runs of one agent this claimer holds at once, counting the `busy`
   * deliveries it already has in flight (agent id → count): one slow agent with a long queue cannot
   * take every slot. Agents at their cap are left out before the oldest `scanLimit` waiting runs are
   * ranked, so a queue of theirs does not hide the others' runs either. (Ranking happens before
   * locking: two processes claiming one agent's runs at the same instant may rank the same runs, and
   * the one that finds them locked takes that agent's next runs on its next claim.) The ranking is
   * computed once, into an array of run ids in claim order; each is then looked up by primary key and
   * locked in turn until `limit` are locked, so the plan does not depend on statistics. (Joined
   * instead, a planner expecting few waiting runs — statistics taken before a burst — re-ranked the
   * whole queue for every waiting run: 240 ms for a claim of 64 out of 500.)
   */
  async claimDeliveries(db: Executor, o: DispatchClaim): Promise<ClaimedDelivery[]> {
    const perAgent = o.perAgent ?? Number.MAX_SAFE_INTEGER;
    const busy = Object.entries(o.busy ?? {});
    const full = busy.filter(([, n]) => n >= perAgent).map(([id]) => id);
    // Prepared (one per connection): planning this statement cost more than running it for a small claim.
    const rows = await queryPrepared<Record<string, unknown>>(
      db,
      sql`with busy as (
            select * from unnest(${pgArray(busy.map(([id]) => id), "uuid")}, ${`{${busy.map(([, n]) => n).join(",")}}`}::int[]) b(agent_id, n)),
          waiting as (
            select h.id, h.agent_id, h.run_after from heartbeat_runs h join agents a on a.id = h.agent_id
             where ${CLAIMABLE} and a.status = 'active' and a.adapter_type in ('http', 'process')
               and h.agent_id <> all(${pgArray(full, "uuid")})
             order by h.run_after
             limit ${o.scanLimit ?? Math.max(1000, o.limit * 4)}),
          ranked as (
            select w.id, w.run_after, row_number() over (partition by w.agent_id order by w.run_after, w.id) + coalesce(b.n, 0) as place
              from waiting w left join busy b on b.agent_id = w.agent_id),
          candidates as (
            select h.id, h.agent_id
              from unnest(array(select r.id from ranked r
                                 where ${o.perAgent === undefined ? sql`true` : sql`r.place <= ${perAgent}`}
                                 order by r.run_after, r.id)) as r(id)
              cross join lateral (
                select h.id, h.agent_id from heartbeat_runs h
                 -- still claimable (rechecked on a row updated meanwhile); written so that only the
                 -- primary key can serve this lookup, whatever the statistics say
                 where h.id = r.id and (${CLAIMABLE}) is true
                   for update of h skip locked) h
             limit ${o.limit}),
          claimed as (
            update heartbeat_runs h
               set status = 'running', attempt = h.attempt + 1, claimed_by = ${o.workerId},
                   lease_expires_at = now() + make_interval(secs => greatest(${o.leaseSec}::float8,
                     coalesce((a.adapter_config->>'timeoutSec')::float8, ${o.timeoutSec}::float8) + ${o.marginSec}::float8)),
                   started_at = now(), finished_at = null, updated_at = now()
              from candidates c join agents a on a.id = c.agent_id where h.id = c.id
            returning h.*)
          select c.*, a.name as agent_name, a.adapter_type as agent_adapter_type, a.adapter_config as agent_adapter_config,
                 a.delivery_secret_ciphertext as agent_secret, row_to_json(i) as issue_row, row_to_json(rr) as routine_run_row,
                 ro.env as routine_env
            from claimed c join agents a on a.id = c.agent_id
            left join issues i on i.id = c.issue_id
            left join routine_runs rr on rr.id = c.routine_run_id
            left join routines ro on ro.id = rr.routine_id
           order by c.run_after`,
    );
    return rows.map((raw) => ({
      run: fromRaw(raw),
      agent: {
        id: raw.agent_id as string,
        name: raw.agent_name as string,
        adapterType: raw.agent_adapter_type as AgentRow["adapterType"],
        adapterConfig: (typeof raw.agent_adapter_config === "string"
          ? JSON.parse(raw.agent_adapter_config)
          : raw.agent_adapter_config) as Record<string, unknown>,
        deliverySecretCiphertext: (raw.agent_secret as string | null) ?? null,
      },
      issue: jsonRowOf(issues, raw.issue_row) ?? null,
      routineRun: jsonRowOf(routineRuns, raw.routine_run_row) ?? null,
      routineEnv: ((typeof raw.routine_env === "string" ? JSON.parse(raw.routine_env) : raw.routine_env) as StoredEnv | null) ?? null,
    }));
  },

  /** `claimDeliveries` without the context: the claimed runs. */
  async claimForDispatch(db: Executor, o: DispatchClaim): Promise<HeartbeatRunRow[]> {
    return (await heartbeatRunsRepo.claimDeliveries(db, o)).map((d) => d.run);
  },

  /** A poll agent's claim: its oldest runnable run, leased for `leaseSec`. */
  async claimForAgent(db: Executor, o: { agentId: string; workerId: string; leaseSec: number }): Promise<HeartbeatRunRow | undefined> {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`with candidate as (
            select h.id from heartbeat_runs h join agents a on a.id = h.agent_id
             where h.agent_id = ${o.agentId} and ${CLAIMABLE} and a.status = 'active' and a.adapter_type = 'poll'
             order by h.run_after
             limit 1
               for update of h skip locked)
          update heartbeat_runs h
             set status = 'running', attempt = h.attempt + 1, claimed_by = ${o.workerId},
                 lease_expires_at = now() + make_interval(secs => ${o.leaseSec}::float8),
                 started_at = now(), finished_at = null, updated_at = now()
            from candidate c where h.id = c.id
          returning h.*`,
    );
    return rows[0] && fromRaw(rows[0]);
  },

  /**
   * Runs whose lease lapsed (the holder died or hung): retried at once, or `timed_out` when
   * attempts are exhausted (failing the routine run); each lapsed attempt is recorded as
   * `lease_lapsed`. Returns how many were reclaimed.
   */
  async reclaimExpired(db: Executor, limit = 100): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`with expired as (
            select id from heartbeat_runs
             where status = 'running' and lease_expires_at < now()
             order by lease_expires_at limit ${limit}
               for update skip locked),
          ended as (
            update heartbeat_runs h
               set status = case when h.attempt >= h.max_attempts then 'timed_out' else 'scheduled_retry' end,
                   run_after = now(), lease_expires_at = null,
                   finished_at = case when h.attempt >= h.max_attempts then now() end,
                   error = 'Attempt ' || h.attempt || ' of ' || h.max_attempts || ' reported no result before its lease expired',
                   updated_at = now()
              from expired e where h.id = e.id
            returning h.id, h.agent_id, h.status, h.routine_run_id, h.attempt, h.started_at, h.error),
          attempts as (${recordAttempts("ended", sql`'lease_lapsed'`)}),
          failed as (${failRoutineRuns("ended", sql`'Heartbeat run timed out: attempt ' || e.attempt || ' reported no result before its lease expired'`)})
          select id from ended`,
    );
    return rows.length;
  },

  /** Ends the attempt held by `guard`; undefined when the claim is no longer current. */
  async finish(db: Executor, guard: ClaimGuard, outcome: Outcome): Promise<HeartbeatRunRow | undefined> {
    const [row] = await heartbeatRunsRepo.finishMany(db, [{ guard, outcome }]);
    return row;
  },

  /**
   * Ends many attempts in one statement (the dispatcher writes its results in batches), recording
   * each attempt in `heartbeat_attempts` in that same statement. Answers each in order: the run as
   * it is now, or undefined when that claim is no longer current.
   */
  async finishMany(db: Executor, items: { guard: ClaimGuard; outcome: Outcome }[]): Promise<(HeartbeatRunRow | undefined)[]> {
    if (items.length === 0) return [];
    const input = items.map(({ guard, outcome }) => ({
      id: guard.id,
      attempt: guard.attempt,
      claimed_by: guard.claimedBy ?? null,
      status: outcome.status,
      final: outcome.status !== "scheduled_retry",
      delay_sec: (outcome.retryDelayMs ?? 0) / 1000,
      summary: outcome.summary ?? null,
      error: outcome.error ?? null,
      output: outcome.output ?? null,
      failure_reason: outcome.failureReason ?? outcome.error ?? "Heartbeat run failed",
      attempt_outcome:
        outcome.status === "succeeded" ? "succeeded" : outcome.timedOut || outcome.status === "timed_out" ? "timed_out" : "failed",
      attempt_code: outcome.code ?? null,
    }));
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`with input as (
            select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
                     as x(id uuid, attempt int, claimed_by text, status text, final boolean, delay_sec float8,
                          summary text, error text, output text, failure_reason text, attempt_outcome text, attempt_code int)),
          ended as (
            update heartbeat_runs h
               set status = x.status,
                   run_after = case when x.final then h.run_after else now() + make_interval(secs => x.delay_sec) end,
                   lease_expires_at = null,
                   finished_at = case when x.final then now() end,
                   summary = coalesce(x.summary, h.summary),
                   error = x.error,
                   output = x.output,
                   updated_at = now()
              from input x
             where h.id = x.id and h.status = 'running' and h.attempt = x.attempt
               and (x.claimed_by is null or h.claimed_by = x.claimed_by)
            returning h.*, x.failure_reason, x.attempt_outcome, x.attempt_code),
          attempts as (${recordAttempts("ended", sql`e.attempt_outcome`, sql`e.attempt_code`)}),
          failed as (${failRoutineRuns("ended", sql`e.failure_reason`)})
          select * from ended`,
    );
    const byId = new Map(rows.map((raw) => [raw.id as string, fromRaw(raw)]));
    return items.map(({ guard }) => byId.get(guard.id));
  },

  /**
   * Cancels the runs of an issue that has been closed (done, cancelled) and that have not started:
   * the agent is not woken for work that is over. An attempt in progress finishes normally.
   */
  async cancelPendingForIssue(db: Executor, issueId: string, reason: string): Promise<number> {
    const rows = await db
      .update(heartbeatRuns)
      .set({ status: "cancelled", finishedAt: sql`now()`, error: reason, updatedAt: sql`now()` })
      .where(and(eq(heartbeatRuns.issueId, issueId), inArray(heartbeatRuns.status, ["queued", "scheduled_retry"])))
      .returning({ id: heartbeatRuns.id });
    return rows.length;
  },

  /**
   * Milliseconds (database clock) until the dispatcher has something to do: the earliest
   * `run_after` of a waiting run of an active http/process agent, or the earliest lease expiry.
   * With `agentId`: the same for that one agent's runs. Undefined when nothing is pending.
   */
  async nextWakeInMs(db: Executor, agentId?: string): Promise<number | undefined> {
    const agentFilter = agentId
      ? sql`h.agent_id = ${agentId} and a.adapter_type = 'poll'`
      : sql`a.adapter_type in ('http', 'process')`;
    const [row] = await queryRows<{ delay_ms: string | null }>(
      db,
      sql`select extract(epoch from (least(
                (select min(h.run_after) from heartbeat_runs h join agents a on a.id = h.agent_id
                  where h.status in ('queued', 'scheduled_retry') and a.status = 'active' and ${agentFilter}),
                (select min(h.lease_expires_at) from heartbeat_runs h
                  where h.status = 'running' ${agentId ? sql`and h.agent_id = ${agentId}` : sql``})
              ) - now())) * 1000 as delay_ms`,
    );
    return row?.delay_ms == null ? undefined : Math.max(0, Number(row.delay_ms));
  },

  /** Whether a routine run has a heartbeat run that is still waiting or being delivered. */
  async hasPendingForRoutineRun(db: Executor, routineRunId: string): Promise<boolean> {
    const rows = await db
      .select({ id: heartbeatRuns.id })
      .from(heartbeatRuns)
      .where(
        and(eq(heartbeatRuns.routineRunId, routineRunId), inArray(heartbeatRuns.status, ["queued", "running", "scheduled_retry"])),
      )
      .limit(1);
    return rows.length > 0;
  },

  /** An agent's runs, newest first, without their output; `before` is a run id (exclusive) or an instant. */
  async listByAgent(
    db: Executor,
    agentId: string,
    o: { limit: number; before?: { runId: string } | { at: Date }; status?: HeartbeatStatus; routineRunId?: string },
  ): Promise<Omit<HeartbeatRunRow, "output">[]> {
    const { output: _output, ...columns } = getTableColumns(heartbeatRuns);
    const h = heartbeatRuns;
    const before = !o.before
      ? undefined
      : "runId" in o.before
        ? sql`(${h.createdAt}, ${h.id}) < (select c.created_at, c.id from heartbeat_runs c where c.id = ${o.before.runId})`
        : lt(h.createdAt, o.before.at);
    return db
      .select(columns)
      .from(h)
      .where(
        and(
          eq(h.agentId, agentId),
          o.status ? eq(h.status, o.status) : undefined,
          o.routineRunId ? eq(h.routineRunId, o.routineRunId) : undefined,
          before,
        ),
      )
      .orderBy(desc(h.createdAt), desc(h.id))
      .limit(o.limit);
  },
};

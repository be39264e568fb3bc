/**
 * What a batch of fires needs to know once it holds its routines' locks, in one read: the clock, the triggers,
 * the newest open execution of each routine, the runs that already hold any of the fires' idempotency keys or
 * schedule slots, which webhook fingerprints are recorded and unexpired, and (only when the batch has gated
 * routines) the activity gate's facts. Every writer of these but the activity log takes the routine's lock
 * first, so the answer holds until the batch commits.
 */
import { type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { IssueStatus } from "../../../domain/enums";
import { type Trigger, narrowTrigger } from "../../../domain/trigger-kinds";
import { type Executor, pgArray, queryPrepared } from "../../db";
import { jsonRowOf } from "../../raw-rows";
import { routineTriggers } from "../../schema";
import { activeExecutionsQuery } from "../issues";
import { LINKED_IDENTIFIER, type RunRow, runFromRaw } from "../runs";

export interface BatchContextQuery {
  triggerIds: string[];
  /** Routines whose active execution is needed (every policy but always_enqueue). */
  activeFor: string[];
  openStatuses: readonly IssueStatus[];
  keys: { routineId: string; triggerId: string | null; key: string }[];
  slots: { triggerId: string; scheduledFor: Date }[];
  /** Webhook fingerprints to look for. */
  fingerprints: { triggerId: string; fingerprint: string }[];
  /** Routines whose activity gate applies to a fire of the batch (none: the gate's part is not in the statement). */
  gated: string[];
}

/** The activity gate's facts of a routine (see `domain/activity-gate.ts`). */
export interface GateFacts {
  project: { id: string; name: string } | null;
  lastDispatchedAt: Date | null;
  firstOutsideActivityAt: Date | null;
}

/** A routine's active execution: its newest open execution issue, and the run that created it. */
export interface ActiveExecutionRow {
  routineId: string;
  id: string;
  originRunId: string | null;
}

export interface BatchContext {
  now: Date;
  triggers: Trigger[];
  active: ActiveExecutionRow[];
  /** Runs holding a key or a slot asked for. */
  held: RunRow[];
  /** The fingerprints recorded and unexpired, as `triggerId/fingerprint`. */
  live: Set<string>;
  /** Routine id → its gate's facts, for each routine asked for in `gated`. */
  gates: Map<string, GateFacts>;
}

/** How the idempotency index spells "no trigger". */
const NO_TRIGGER = "00000000-0000-0000-0000-000000000000";

/**
 * The activity gate's facts of each gated routine: its project (when its gate is scoped to it), when its last
 * dispatched run (not skipped or coalesced) was triggered, and the first activity in scope since then by anyone
 * but its agent and routined itself. A run is created at the instant it is triggered (its transaction's
 * `now()`), so the newest by `routine_runs_routine_created_idx` is the last triggered.
 */
function gateFactsOf(routineIds: string[]): SQL {
  if (routineIds.length === 0) return sql`null`;
  return sql`(select json_agg(g) from (
      select r.id as routine_id, p.id as project_id, p.name as project_name, ld.at as last_at,
             (select min(a.created_at) from activity_log a
               where a.company_id = r.company_id and a.created_at > ld.at and a.actor_type <> 'system'
                 and (r.activity_gate_scope <> 'project' or a.project_id = r.project_id)
                 and (r.assignee_agent_id is null or a.agent_id is distinct from r.assignee_agent_id)) as first_at
        from routines r
        left join projects p on p.id = r.project_id and r.activity_gate_scope = 'project'
        left join lateral (select rr.triggered_at as at from routine_runs rr
                            where rr.routine_id = r.id and rr.status not in ('skipped', 'coalesced')
                            order by rr.created_at desc limit 1) ld on true
       where r.id = any(${pgArray(routineIds, "uuid")})) g)`;
}

/** A run as `json_agg` gives it, with its linked issue's identifier (for its reason). */
const runWithIdentifier = sql.raw(`r.*, (select i.identifier from issues i where i.id = r.linked_issue_id) as ${LINKED_IDENTIFIER}`);

async function readBatchContext(tx: Executor, q: BatchContextQuery): Promise<BatchContext> {
  const keys = JSON.stringify(q.keys.map((k) => ({ routine_id: k.routineId, trigger_id: k.triggerId ?? NO_TRIGGER, key: k.key })));
  const slots = JSON.stringify(q.slots.map((s) => ({ trigger_id: s.triggerId, scheduled_for: s.scheduledFor })));
  const fingerprints = JSON.stringify(q.fingerprints.map((f) => ({ trigger_id: f.triggerId, fingerprint: f.fingerprint })));
  // Every list is looked up value by value in an index (`any(array)`, LATERAL … LIMIT 1): the tables grow
  // with traffic, and a hash join against a JSON list would scan them whole.
  const [row] = await queryPrepared<{
    now: string | Date;
    triggers: unknown[] | null;
    active: [string, string, string | null][] | null;
    by_key: Record<string, unknown>[] | null;
    by_slot: Record<string, unknown>[] | null;
    live: string[] | null;
    gates: { routine_id: string; project_id: string | null; project_name: string | null; last_at: string | null; first_at: string | null }[] | null;
  }>(
    tx,
    sql`select now() as now,
        (select json_agg(t) from routine_triggers t where t.id = any(${pgArray(q.triggerIds, "uuid")})) as triggers,
        (select json_agg(json_build_array(i.origin_id, i.id, i.origin_run_id))
          from (${activeExecutionsQuery(q.activeFor, q.openStatuses, sql`origin_id, id, origin_run_id`)}) i) as active,
        (select json_agg(r) from jsonb_to_recordset(${keys}::jsonb) as k(routine_id uuid, trigger_id uuid, key text)
          cross join lateral (
            select ${runWithIdentifier} from routine_runs r
            where r.routine_id = k.routine_id and coalesce(r.trigger_id, ${NO_TRIGGER}::uuid) = k.trigger_id
              and r.idempotency_key = k.key limit 1) r) as by_key,
        (select json_agg(r) from jsonb_to_recordset(${slots}::jsonb) as s(trigger_id uuid, scheduled_for timestamptz)
          cross join lateral (
            select ${runWithIdentifier} from routine_runs r
            where r.trigger_id = s.trigger_id and r.scheduled_for = s.scheduled_for limit 1) r) as by_slot,
        (select json_agg(f.trigger_id || '/' || f.fingerprint)
          from jsonb_to_recordset(${fingerprints}::jsonb) as f(trigger_id uuid, fingerprint text)
          cross join lateral (
            select 1 from webhook_replays w
            where w.trigger_id = f.trigger_id and w.fingerprint = f.fingerprint and w.expires_at >= now() limit 1) w
        ) as live,
        ${gateFactsOf(q.gated)} as gates`,
  );
  const rows = <T extends PgTable>(table: T, raw: unknown[] | null) => (raw ?? []).map((r) => jsonRowOf(table, r)!);
  return {
    now: new Date(row!.now),
    triggers: rows(routineTriggers, row!.triggers).map(narrowTrigger),
    active: (row!.active ?? []).map(([routineId, id, originRunId]) => ({ routineId, id, originRunId })),
    held: [...(row!.by_key ?? []), ...(row!.by_slot ?? [])].map(runFromRaw),
    live: new Set(row!.live ?? []),
    gates: new Map((row!.gates ?? []).map((g) => [g.routine_id, {
      project: g.project_id ? { id: g.project_id, name: g.project_name! } : null,
      lastDispatchedAt: at(g.last_at),
      firstOutsideActivityAt: at(g.first_at),
    }])),
  };
}

const at = (v: string | null) => (v === null ? null : new Date(v));

export { readBatchContext };

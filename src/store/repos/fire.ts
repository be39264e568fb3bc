/**
 * The reads and writes of fires, each one round trip however many fires it serves: fires of a routine are
 * serialised by its row lock, so every statement between the lock and the commit is time during which no
 * other fire of it can proceed.
 */
import { sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { CHANNELS } from "../../domain/channels";
import type { IssueStatus, RunSource, RunStatus } from "../../domain/enums";
import { type Executor, pgArray, queryPrepared, queryRows } from "../db";
import { jsonRowOf, rowOf } from "../raw-rows";
import { issues, routineRuns, routineTriggers } from "../schema";
import { type IssueRow, activeExecutionsQuery } from "./issues";
import type { ActivityInsert } from "./activity";
import type { RunRow } from "./runs";
import type { TriggerRow } from "./triggers";

export interface BatchContextQuery {
  triggerIds: string[];
  /** Routines whose active execution is needed (every policy but always_enqueue). */
  activeFor: string[];
  openStatuses: readonly IssueStatus[];
  keys: { routineId: string; triggerId: string | null; key: string }[];
  /** Webhook fingerprints to look for. */
  fingerprints: { triggerId: string; fingerprint: string }[];
}

export interface BatchContext {
  now: Date;
  triggers: TriggerRow[];
  active: IssueRow[];
  existing: RunRow[];
  /** The fingerprints recorded and unexpired, as `triggerId/fingerprint`. */
  live: Set<string>;
}

/** How the idempotency index spells "no trigger". */
const NO_TRIGGER = "00000000-0000-0000-0000-000000000000";

export interface RunInsert {
  id: string;
  companyId: string;
  routineId: string;
  triggerId: string | null;
  source: RunSource;
  status: RunStatus;
  triggeredAt: Date;
  scheduledFor: Date | null;
  idempotencyKey: string | null;
  triggerPayload: Record<string, unknown> | null;
  routineRevisionId: string | null;
  dispatchFingerprint: string | null;
  linkedIssueId: string | null;
  coalescedIntoRunId: string | null;
  failureReason: string | null;
  completedAt: Date | null;
}

export interface IssueInsert {
  id: string;
  companyId: string;
  routineId: string;
  /** The run that creates the issue: the issue is written only if the run is. */
  runId: string;
  /** Null: the statement takes the next number of the company's counter (then every issue of the write must be null). */
  issueNumber: number | null;
  identifier: string | null;
  projectId: string | null;
  goalId: string | null;
  parentId: string | null;
  title: string;
  description: string | null;
  priority: string;
  assigneeAgentId: string | null;
  context: Record<string, unknown>;
}

/** A system comment; written only if its run is. */
export interface CommentInsert {
  companyId: string;
  issueId: string;
  runId: string;
  body: string;
}

/** A webhook delivery's fingerprint, kept until `now() + retentionSec` (replay protection). */
export interface ReplayInsert {
  triggerId: string;
  fingerprint: string;
  retentionSec: number;
}

/** Expired fingerprints deleted per fingerprint written, so the table drains without a sweeper loop. */
const REPLAYS_SWEPT_PER_FINGERPRINT = 10;

/** Everything a plan of fires writes; marks carry only the fields to set (a present null is written). */
export interface FireRows {
  runs: RunInsert[];
  issues: IssueInsert[];
  comments: CommentInsert[];
  /** Fingerprints found absent or expired under the routines' locks (`batchContext`). */
  replays: ReplayInsert[];
  /** Activity log entries of runs (`entityId` a run's id), written only with their run. */
  activity: ActivityInsert[];
  /** Of the heartbeat runs that wake the issues' assignees. */
  maxAttempts: number;
  triggerMarks: ({ id: string } & Record<string, unknown>)[];
  routineMarks: ({ id: string } & Record<string, unknown>)[];
}

export const fireRepo = {
  /**
   * What a batch of fires needs to know once it holds its routines' locks, in one read: the clock, the
   * triggers, the newest open execution of each routine in `activeFor`, the runs that already hold any of
   * `keys` (idempotency keys), and which webhook fingerprints are recorded and unexpired. Fingerprints are
   * only written under their trigger's routine lock, so this answer holds until the batch commits.
   */
  async batchContext(tx: Executor, q: BatchContextQuery): Promise<BatchContext> {
    const keys = JSON.stringify(q.keys.map((k) => ({ routine_id: k.routineId, trigger_id: k.triggerId ?? NO_TRIGGER, key: k.key })));
    const fingerprints = JSON.stringify(q.fingerprints.map((f) => ({ trigger_id: f.triggerId, fingerprint: f.fingerprint })));
    // Every list is looked up value by value in an index (`any(array)`, LATERAL … LIMIT 1): the tables grow
    // with traffic, and a hash join against a JSON list would scan them whole.
    const [row] = await queryPrepared<{
      now: string | Date;
      triggers: unknown[] | null;
      active: unknown[] | null;
      existing: unknown[] | null;
      live: string[] | null;
    }>(
      tx,
      sql`select now() as now,
          (select json_agg(t) from routine_triggers t where t.id = any(${pgArray(q.triggerIds, "uuid")})) as triggers,
          (select json_agg(i) from (${activeExecutionsQuery(q.activeFor, q.openStatuses)}) i) as active,
          (select json_agg(r) from jsonb_to_recordset(${keys}::jsonb) as k(routine_id uuid, trigger_id uuid, key text)
            cross join lateral (
              select * from routine_runs r
              where r.routine_id = k.routine_id and coalesce(r.trigger_id, ${NO_TRIGGER}::uuid) = k.trigger_id
                and r.idempotency_key = k.key limit 1) r) as existing,
          (select json_agg(f.trigger_id || '/' || f.fingerprint)
            from jsonb_to_recordset(${fingerprints}::jsonb) as f(trigger_id uuid, fingerprint text)
            cross join lateral (
              select 1 from webhook_replays w
              where w.trigger_id = f.trigger_id and w.fingerprint = f.fingerprint and w.expires_at >= now() limit 1) w
          ) as live`,
    );
    const rows = <T extends PgTable>(table: T, raw: unknown[] | null) => (raw ?? []).map((r) => jsonRowOf(table, r)!);
    return {
      now: new Date(row!.now),
      triggers: rows(routineTriggers, row!.triggers),
      active: rows(issues, row!.active),
      existing: rows(routineRuns, row!.existing),
      live: new Set(row!.live ?? []),
    };
  },

  /**
   * Takes `count` issue numbers from each company's counter: the first of them and the company's prefix.
   * Locks the company rows until the transaction ends (as creating any issue does), in id order.
   */
  async allocateIssueNumbers(tx: Executor, counts: Map<string, number>): Promise<Map<string, { first: number; prefix: string }>> {
    if (counts.size === 0) return new Map();
    const wanted = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, n]) => ({ id, n }));
    const rows = await queryRows<{ id: string; first: number; prefix: string }>(
      tx,
      sql`update companies c set issue_counter = c.issue_counter + v.n
            from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as v(id uuid, n int)
           where c.id = v.id
       returning c.id, c.issue_counter - v.n + 1 as first, c.issue_prefix as prefix`,
    );
    return new Map(rows.map((r) => [r.id, { first: Number(r.first), prefix: r.prefix }]));
  },

  /**
   * Writes what fires decided, in one statement: the runs (a run whose idempotency key or schedule slot is
   * taken is not written, nor is anything of it), the execution issues of the runs written (numbered from
   * their companies' counters, locked in id order, unless numbered already), their assignees' queued
   * heartbeat runs and a NOTIFY per agent (delivered on commit), system comments, webhook fingerprints, and
   * the trigger and routine fields the fires set. Returns the runs written (or, asked for `nothing`, none:
   * a burst of schedule fires has no use for them). Foreign keys are checked at
   * the end of the statement, so a row may refer to an issue written by the same statement.
   */
  async writeFires(tx: Executor, w: FireRows, returning: "runs" | "nothing" = "runs"): Promise<RunRow[]> {
    const rows = await queryPrepared<Record<string, unknown>>(
      tx,
      sql`with run as (
          insert into routine_runs (id, company_id, routine_id, trigger_id, source, status, triggered_at,
            scheduled_for, idempotency_key, trigger_payload, linked_issue_id, coalesced_into_run_id, failure_reason,
            completed_at, routine_revision_id, dispatch_fingerprint)
          select * from jsonb_to_recordset(${JSON.stringify(w.runs.map(runRecord))}::jsonb) as x(id uuid,
            company_id uuid, routine_id uuid, trigger_id uuid, source text, status text, triggered_at timestamptz,
            scheduled_for timestamptz, idempotency_key text, trigger_payload jsonb, linked_issue_id uuid,
            coalesced_into_run_id uuid, failure_reason text, completed_at timestamptz, routine_revision_id uuid,
            dispatch_fingerprint text)
          on conflict do nothing
          returning *
        ), planned_issue as (
          select x.*, row_number() over (partition by x.company_id order by x.ord) as n
          from jsonb_to_recordset(${JSON.stringify(w.issues.map(issueRecord))}::jsonb) as x(ord int, id uuid,
            company_id uuid, project_id uuid, goal_id uuid, parent_id uuid, issue_number int, identifier text,
            title text, description text, priority text, assignee_agent_id uuid, origin_id text, origin_run_id uuid,
            context jsonb)
          join run on run.id = x.origin_run_id
        ), counter_locked as (
          select id from companies
          where id in (select company_id from planned_issue where issue_number is null)
          order by id for no key update
        ), counter as (
          update companies c set issue_counter = c.issue_counter + k.taken
          from (select company_id, count(*) as taken from planned_issue group by company_id) k
          where c.id = k.company_id and c.id in (select id from counter_locked)
          returning c.id, c.issue_counter - k.taken as base, c.issue_prefix as prefix
        ), issue as (
          insert into issues (id, company_id, project_id, goal_id, parent_id, issue_number, identifier, title,
            description, status, priority, assignee_agent_id, origin_kind, origin_id, origin_run_id, context)
          select p.id, p.company_id, p.project_id, p.goal_id, p.parent_id, coalesce(p.issue_number, c.base + p.n),
            coalesce(p.identifier, c.prefix || '-' || (c.base + p.n)), p.title, p.description, 'todo', p.priority,
            p.assignee_agent_id, 'routine_execution', p.origin_id, p.origin_run_id, p.context
          from planned_issue p left join counter c on c.id = p.company_id
          returning id, company_id, assignee_agent_id, origin_run_id
        ), heartbeat as (
          insert into heartbeat_runs (company_id, agent_id, issue_id, routine_run_id, status, max_attempts, run_after)
          select company_id, assignee_agent_id, id, origin_run_id, 'queued', ${w.maxAttempts}, now()
          from issue where assignee_agent_id is not null
          returning agent_id
        ), woken as (
          select pg_notify(${CHANNELS.heartbeatRuns}, agent_id::text) from (select distinct agent_id from heartbeat) a
        ), comment as (
          insert into issue_comments (company_id, issue_id, author_kind, body)
          select x.company_id, x.issue_id, 'system', x.body
          from jsonb_to_recordset(${JSON.stringify(w.comments.map(commentRecord))}::jsonb) as x(company_id uuid,
            issue_id uuid, run_id uuid, body text)
          join run on run.id = x.run_id
        ), activity as (
          insert into activity_log (company_id, actor_type, actor_id, agent_id, action, entity_type, entity_id,
            project_id, details)
          select x.company_id, x.actor_type, x.actor_id, x.agent_id, x.action, x.entity_type, x.entity_id,
            x.project_id, x.details
          from jsonb_to_recordset(${JSON.stringify(w.activity.map(activityRecord))}::jsonb) as x(company_id uuid,
            actor_type text, actor_id text, agent_id uuid, action text, entity_type text, entity_id text,
            project_id uuid, details jsonb)
          join run on run.id::text = x.entity_id
        ), trigger_marks as (
          update routine_triggers t
             set ${setIfPresent("nextRunAt", "next_run_at", "timestamptz")},
                 ${setIfPresent("lastFiredAt", "last_fired_at", "timestamptz")},
                 ${setIfPresent("lastResult", "last_result", "text")}, updated_at = now()
            from jsonb_array_elements(${JSON.stringify(w.triggerMarks)}::jsonb) v(j)
           where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(w.triggerMarks.map((m) => m.id), "uuid")})
        ), replay as (
          select distinct on (x.trigger_id, x.fingerprint) *
          from jsonb_to_recordset(${JSON.stringify(w.replays.map(replayRecord))}::jsonb) as x(trigger_id uuid,
            fingerprint text, retention_sec int)
        ), replays_swept as (
          delete from webhook_replays where (trigger_id, fingerprint) in (
            select trigger_id, fingerprint from webhook_replays
            where expires_at < now() and (trigger_id, fingerprint) not in (select trigger_id, fingerprint from replay)
            limit ${REPLAYS_SWEPT_PER_FINGERPRINT * w.replays.length} for update skip locked)
        ), replays as (
          insert into webhook_replays (trigger_id, fingerprint, expires_at)
          select trigger_id, fingerprint, now() + make_interval(secs => retention_sec) from replay
          on conflict (trigger_id, fingerprint) do update set expires_at = excluded.expires_at
        ), routine_marks as (
          update routines t
             set ${setIfPresent("lastTriggeredAt", "last_triggered_at", "timestamptz")},
                 ${setIfPresent("lastEnqueuedAt", "last_enqueued_at", "timestamptz")}, updated_at = now()
            from jsonb_array_elements(${JSON.stringify(w.routineMarks)}::jsonb) v(j)
           where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(w.routineMarks.map((m) => m.id), "uuid")})
        )
        select ${returning === "runs" ? sql`run.*` : sql`count(*)`}, (select count(*) from woken) as woken from run`,
    );
    return returning === "runs" ? rows.map((row) => rowOf(routineRuns, row)) : [];
  },
};

/** `column = the element's value` when the key is present in the JSON element `v.j` (even as null); else kept. */
const setIfPresent = (key: string, column: string, type: string) =>
  sql.raw(`${column} = case when v.j ? '${key}' then (v.j->>'${key}')::${type} else t.${column} end`);

const runRecord = (r: RunInsert) => ({
  id: r.id,
  company_id: r.companyId,
  routine_id: r.routineId,
  trigger_id: r.triggerId,
  source: r.source,
  status: r.status,
  triggered_at: r.triggeredAt,
  scheduled_for: r.scheduledFor,
  idempotency_key: r.idempotencyKey,
  trigger_payload: r.triggerPayload,
  linked_issue_id: r.linkedIssueId,
  coalesced_into_run_id: r.coalescedIntoRunId,
  failure_reason: r.failureReason,
  completed_at: r.completedAt,
  routine_revision_id: r.routineRevisionId,
  dispatch_fingerprint: r.dispatchFingerprint,
});

const activityRecord = (a: ActivityInsert) => ({
  company_id: a.companyId,
  actor_type: a.actorType,
  actor_id: a.actorId,
  agent_id: a.agentId ?? null,
  action: a.action,
  entity_type: a.entityType,
  entity_id: a.entityId,
  project_id: a.projectId ?? null,
  details: a.details ?? null,
});

const issueRecord = (i: IssueInsert, ord: number) => ({
  ord,
  id: i.id,
  company_id: i.companyId,
  project_id: i.projectId,
  goal_id: i.goalId,
  parent_id: i.parentId,
  issue_number: i.issueNumber,
  identifier: i.identifier,
  title: i.title,
  description: i.description,
  priority: i.priority,
  assignee_agent_id: i.assigneeAgentId,
  origin_id: i.routineId,
  origin_run_id: i.runId,
  context: i.context,
});

const replayRecord = (r: ReplayInsert) => ({ trigger_id: r.triggerId, fingerprint: r.fingerprint, retention_sec: r.retentionSec });

const commentRecord = (c: CommentInsert) => ({ company_id: c.companyId, issue_id: c.issueId, run_id: c.runId, body: c.body });

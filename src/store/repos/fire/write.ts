/**
 * The write of a plan of fires: one statement, however many fires, made of CTE groups each named for what it
 * writes. Fires of a routine are serialised by its row lock, so every round trip between the lock and the
 * commit is time during which no other fire of it can proceed; the groups are therefore composed into one
 * statement rather than run one by one. Foreign keys are checked at the end of the statement, so a row may
 * refer to an issue written by the same statement.
 *
 * - `runsWritten`: the runs; a run whose idempotency key or schedule slot is taken is not written, and neither
 *   is anything of it (the other groups join `run`);
 * - `executionIssuesWritten`: the execution issues of the runs written, numbered from their companies'
 *   counters (`issueNumbers`), their assignees' queued heartbeat runs and one NOTIFY per agent (on commit);
 * - `commentsWritten`: system comments (a coalesced fire's payload on the active issue);
 * - `activityWritten`: each run's activity log entry (`routine.run_triggered`);
 * - `replaysWritten`: webhook fingerprints (replay protection), sweeping a few expired ones;
 * - `marksWritten`: the trigger and routine fields the fires set.
 */
import { type SQL, sql } from "drizzle-orm";
import { CHANNELS } from "../../../domain/channels";
import { type Executor, pgArray, queryPrepared } from "../../db";
import { issueIdentifier, issueNumbers } from "../issue-numbers";
import { LINKED_IDENTIFIER, type RunRow, runFromRaw } from "../runs";
import type { ActivityRecord } from "../../../domain/activity-entry";
import type { CommentInsert, FireRows, IssueInsert, Mark, ReplayInsert, RunInsert } from "./rows";

export type { FireRows } from "./rows";

/** Expired fingerprints deleted per fingerprint written, so the table drains without a sweeper loop. */
const REPLAYS_SWEPT_PER_FINGERPRINT = 10;

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** CTE `run`: the runs written (`returning *`). */
export function runsWritten(runs: RunInsert[]): SQL {
  return sql`run as (
    insert into routine_runs (id, company_id, routine_id, trigger_id, source, status, triggered_at, scheduled_for,
      idempotency_key, trigger_payload, linked_issue_id, coalesced_into_run_id, failure_reason, completed_at,
      routine_revision_id, dispatch_fingerprint)
    select * from jsonb_to_recordset(${json(runs.map(runRecord))}) as x(id uuid, company_id uuid, routine_id uuid,
      trigger_id uuid, source text, status text, triggered_at timestamptz, scheduled_for timestamptz,
      idempotency_key text, trigger_payload jsonb, linked_issue_id uuid, coalesced_into_run_id uuid,
      failure_reason text, completed_at timestamptz, routine_revision_id uuid, dispatch_fingerprint text)
    on conflict do nothing
    returning *)`;
}

/** CTEs `issue` (the execution issues written, with their identifiers), `heartbeat` and `woken`. */
export function executionIssuesWritten(issues: IssueInsert[], maxAttempts: number): SQL {
  return sql`planned_issue as (
    select x.*, row_number() over (partition by x.company_id order by x.ord) as n
    from jsonb_to_recordset(${json(issues.map(issueRecord))}) as x(ord int, id uuid, company_id uuid,
      project_id uuid, goal_id uuid, parent_id uuid, title text, description text, priority text,
      assignee_agent_id uuid, origin_id text, origin_run_id uuid, context jsonb)
    join run on run.id = x.origin_run_id
  ), ${issueNumbers(sql`select company_id, count(*) as taken from planned_issue group by company_id`)}, issue as (
    insert into issues (id, company_id, project_id, goal_id, parent_id, issue_number, identifier, title,
      description, status, priority, assignee_agent_id, origin_kind, origin_id, origin_run_id, context)
    select p.id, p.company_id, p.project_id, p.goal_id, p.parent_id, c.first + p.n - 1,
      ${issueIdentifier(sql`c.prefix`, sql`(c.first + p.n - 1)`)}, p.title, p.description, 'todo', p.priority,
      p.assignee_agent_id, 'routine_execution', p.origin_id, p.origin_run_id, p.context
    from planned_issue p join issue_number c on c.company_id = p.company_id
    returning id, identifier, company_id, assignee_agent_id, origin_run_id
  ), heartbeat as (
    insert into heartbeat_runs (company_id, agent_id, issue_id, routine_run_id, status, max_attempts, run_after)
    select company_id, assignee_agent_id, id, origin_run_id, 'queued', ${maxAttempts}, now()
    from issue where assignee_agent_id is not null
    returning agent_id
  ), woken as (
    select pg_notify(${CHANNELS.heartbeatRuns}, agent_id::text) from (select distinct agent_id from heartbeat) a
  )`;
}

/** CTE `comment`: comments of the runs written. */
export function commentsWritten(comments: CommentInsert[]): SQL {
  return sql`comment as (
    insert into issue_comments (company_id, issue_id, author_kind, body)
    select x.company_id, x.issue_id, 'system', x.body
    from jsonb_to_recordset(${json(comments.map(commentRecord))}) as x(company_id uuid, issue_id uuid, run_id uuid, body text)
    join run on run.id = x.run_id
  )`;
}

/** CTE `activity`: the activity log entries of the runs written (`routine.run_triggered`). */
export function activityWritten(activity: ActivityRecord[]): SQL {
  return sql`activity as (
    insert into activity_log (company_id, actor_type, actor_id, agent_id, run_id, action, entity_type, entity_id,
      project_id, details)
    select x.company_id, x.actor_type, x.actor_id, x.agent_id, x.run_id, x.action, x.entity_type, x.entity_id,
      x.project_id, x.details
    from jsonb_to_recordset(${json(activity.map(activityRecord))}) as x(company_id uuid, actor_type text,
      actor_id text, agent_id uuid, run_id uuid, action text, entity_type text, entity_id text, project_id uuid,
      details jsonb)
    join run on run.id::text = x.entity_id
  )`;
}

/** CTEs `replay`, `replays_swept`, `replays`: fingerprints recorded (or renewed) until `now() + retention`. */
export function replaysWritten(replays: ReplayInsert[]): SQL {
  return sql`replay as (
    select distinct on (x.trigger_id, x.fingerprint) *
    from jsonb_to_recordset(${json(replays.map(replayRecord))}) as x(trigger_id uuid, fingerprint text, retention_sec int)
  ), replays_swept as (
    delete from webhook_replays where (trigger_id, fingerprint) in (
      select trigger_id, fingerprint from webhook_replays
      where expires_at < now() and (trigger_id, fingerprint) not in (select trigger_id, fingerprint from replay)
      limit ${REPLAYS_SWEPT_PER_FINGERPRINT * replays.length} for update skip locked)
  ), replays as (
    insert into webhook_replays (trigger_id, fingerprint, expires_at)
    select trigger_id, fingerprint, now() + make_interval(secs => retention_sec) from replay
    on conflict (trigger_id, fingerprint) do update set expires_at = excluded.expires_at
  )`;
}

/** CTEs `trigger_marks`, `routine_marks`: the fields fires set (each mark carries only the fields to set). */
export function marksWritten(triggerMarks: Mark[], routineMarks: Mark[]): SQL {
  return sql`trigger_marks as (
    update routine_triggers t
       set ${setIfPresent("nextRunAt", "next_run_at", "timestamptz")},
           ${setIfPresent("lastFiredAt", "last_fired_at", "timestamptz")},
           ${setIfPresent("lastResult", "last_result", "text")}, updated_at = now()
      from jsonb_array_elements(${json(triggerMarks)}) v(j)
     where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(triggerMarks.map((m) => m.id), "uuid")})
  ), routine_marks as (
    update routines t
       set ${setIfPresent("lastTriggeredAt", "last_triggered_at", "timestamptz")},
           ${setIfPresent("lastEnqueuedAt", "last_enqueued_at", "timestamptz")}, updated_at = now()
      from jsonb_array_elements(${json(routineMarks)}) v(j)
     where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(routineMarks.map((m) => m.id), "uuid")})
  )`;
}

/**
 * Writes what fires decided, in one statement. Returns the runs written, each with its reason rendered (or,
 * asked for `nothing`, none: a burst of schedule fires has no use for them).
 */
export async function writeFires(tx: Executor, w: FireRows, returning: "runs" | "nothing" = "runs"): Promise<RunRow[]> {
  const groups = [
    runsWritten(w.runs),
    executionIssuesWritten(w.issues, w.maxAttempts),
    commentsWritten(w.comments),
    activityWritten(w.activity),
    replaysWritten(w.replays),
    marksWritten(w.triggerMarks, w.routineMarks),
  ];
  // `woken` is a plain select: it runs (and NOTIFYs) only if the statement reads it.
  const result =
    returning === "runs"
      ? sql`select run.*, coalesce(issue.identifier, (select i.identifier from issues i where i.id = run.linked_issue_id))
              as ${sql.raw(LINKED_IDENTIFIER)}, (select count(*) from woken) as woken
            from run left join issue on issue.id = run.linked_issue_id`
      : sql`select count(*), (select count(*) from woken) as woken from run`;
  const rows = await queryPrepared<Record<string, unknown>>(tx, sql`with ${sql.join(groups, sql`, `)} ${result}`);
  return returning === "runs" ? rows.map(runFromRaw) : [];
}

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

const activityRecord = (a: ActivityRecord) => ({
  company_id: a.companyId,
  actor_type: a.actorType,
  actor_id: a.actorId,
  agent_id: a.agentId,
  run_id: a.runId,
  action: a.action,
  entity_type: a.entityType,
  entity_id: a.entityId,
  project_id: a.projectId,
  details: a.details,
});

const issueRecord = (i: IssueInsert, ord: number) => ({
  ord,
  id: i.id,
  company_id: i.companyId,
  project_id: i.projectId,
  goal_id: i.goalId,
  parent_id: i.parentId,
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

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
 * - `triggerMarksWritten`, `routineMarksWritten`: the trigger and routine fields the fires set.
 *
 * A group with nothing to write is left out of the statement.
 */
import { type SQL, sql } from "drizzle-orm";
import { CHANNELS } from "../../../domain/channels";
import { type Executor, pgArray, queryPrepared } from "../../db";
import { issueIdentifier, issueNumbers } from "../issue-numbers";
import { LINKED_IDENTIFIER, type RunRow, runFromRaw } from "../runs";
import type { CommentInsert, FireRows, IssueInsert, Mark, ReplayInsert, RunActivityInsert, RunInsert } from "./rows";

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
    select * from jsonb_to_recordset(${json(runs)}) as x(id uuid, "companyId" uuid, "routineId" uuid,
      "triggerId" uuid, source text, status text, "triggeredAt" timestamptz, "scheduledFor" timestamptz,
      "idempotencyKey" text, "triggerPayload" jsonb, "linkedIssueId" uuid, "coalescedIntoRunId" uuid,
      "failureReason" text, "completedAt" timestamptz, "routineRevisionId" uuid, "dispatchFingerprint" text)
    on conflict do nothing
    returning *)`;
}

/** A timestamp as JavaScript's `toISOString` writes it (`2026-12-02T05:00:00.000Z`), as JSON carried it before. */
const isoTimestamp = (ts: SQL) => sql`to_char(${ts} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * CTEs `issue` (the execution issues written, with their identifiers and their context, from their runs),
 * `heartbeat` and `woken`.
 */
export function executionIssuesWritten(issues: IssueInsert[], maxAttempts: number): SQL {
  return sql`planned_issue as (
    select x.id, x."companyId" as company_id, x."projectId" as project_id, x."goalId" as goal_id, x."parentId" as parent_id,
      x.title, x.description, x.priority, x."assigneeAgentId" as assignee_agent_id, x."routineId" as origin_id,
      x."runId" as origin_run_id, row_number() over (partition by x."companyId" order by x.ordinality) as n,
      jsonb_build_object('routineId', run.routine_id, 'routineRunId', run.id, 'source', run.source, 'triggerId', run.trigger_id,
        'scheduledFor', ${isoTimestamp(sql`run.scheduled_for`)}, 'payload', run.trigger_payload) as context
    from rows from (jsonb_to_recordset(${json(issues)}) as (id uuid, "companyId" uuid, "projectId" uuid,
      "goalId" uuid, "parentId" uuid, title text, description text, priority text, "assigneeAgentId" uuid,
      "routineId" text, "runId" uuid)) with ordinality as x
    join run on run.id = x."runId"
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
    select x."companyId", x."issueId", 'system', x.body
    from jsonb_to_recordset(${json(comments)}) as x("companyId" uuid, "issueId" uuid, "runId" uuid, body text)
    join run on run.id = x."runId"
  )`;
}

/**
 * CTE `activity`: the activity log entries of the runs written, Paperclip's `routine.run_triggered` on the run: the
 * actor and project come with each, the rest is the run's.
 */
export function activityWritten(activity: RunActivityInsert[]): SQL {
  return sql`activity as (
    insert into activity_log (id, company_id, actor_type, actor_id, agent_id, run_id, action, entity_type, entity_id, project_id, details)
    select x.id, run.company_id, x."actorType", x."actorId", x."agentId", x."runId", 'routine.run_triggered', 'routine_run', run.id::text,
      x."projectId", jsonb_build_object('routineId', run.routine_id, 'triggerId', run.trigger_id, 'source', run.source, 'status', run.status)
    from jsonb_to_recordset(${json(activity)}) as x(id uuid, "routineRunId" uuid, "actorType" text, "actorId" text, "agentId" uuid,
      "projectId" uuid, "runId" uuid)
    join run on run.id = x."routineRunId"
  )`;
}

/** CTEs `replay`, `replays_swept`, `replays`: fingerprints recorded (or renewed) until `now() + retention`. */
export function replaysWritten(replays: ReplayInsert[]): SQL {
  return sql`replay as (
    select distinct on (x."triggerId", x.fingerprint) *
    from jsonb_to_recordset(${json(replays)}) as x("triggerId" uuid, fingerprint text, "retentionSec" int)
  ), replays_swept as (
    delete from webhook_replays where (trigger_id, fingerprint) in (
      select trigger_id, fingerprint from webhook_replays
      where expires_at < now() and (trigger_id, fingerprint) not in (select "triggerId", fingerprint from replay)
      limit ${REPLAYS_SWEPT_PER_FINGERPRINT * replays.length} for update skip locked)
  ), replays as (
    insert into webhook_replays (trigger_id, fingerprint, expires_at)
    select "triggerId", fingerprint, now() + make_interval(secs => "retentionSec") from replay
    on conflict (trigger_id, fingerprint) do update set expires_at = excluded.expires_at
  )`;
}

/** CTE `trigger_marks`: the trigger fields fires set (each mark carries only the fields to set). */
export function triggerMarksWritten(marks: Mark[]): SQL {
  return sql`trigger_marks as (
    update routine_triggers t
       set ${setIfPresent("nextRunAt", "next_run_at", "timestamptz")},
           ${setIfPresent("lastFiredAt", "last_fired_at", "timestamptz")},
           ${setIfPresent("lastResult", "last_result", "text")}, updated_at = now()
      from jsonb_array_elements(${json(marks)}) v(j)
     where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(marks.map((m) => m.id), "uuid")})
  )`;
}

/** CTE `routine_marks`: the routine fields fires set. */
export function routineMarksWritten(marks: Mark[]): SQL {
  return sql`routine_marks as (
    update routines t
       set ${setIfPresent("lastTriggeredAt", "last_triggered_at", "timestamptz")},
           ${setIfPresent("lastEnqueuedAt", "last_enqueued_at", "timestamptz")}, updated_at = now()
      from jsonb_array_elements(${json(marks)}) v(j)
     where t.id = (v.j->>'id')::uuid and t.id = any(${pgArray(marks.map((m) => m.id), "uuid")})
  )`;
}

/**
 * Writes what fires decided, in one statement. Returns the runs written, each with its reason rendered (or,
 * asked for `nothing`, none: a burst of schedule fires has no use for them).
 */
export async function writeFires(tx: Executor, w: FireRows, returning: "runs" | "nothing" = "runs"): Promise<RunRow[]> {
  // Only the groups with rows to write: each group is a part of the plan the database sets up for every execution,
  // and most small batches (a manual run, a webhook) write no issue, comment, fingerprint or trigger field.
  const issues = w.issues.length > 0;
  const groups = [
    runsWritten(w.runs),
    issues && executionIssuesWritten(w.issues, w.maxAttempts),
    w.comments.length > 0 && commentsWritten(w.comments),
    w.activity.length > 0 && activityWritten(w.activity),
    w.replays.length > 0 && replaysWritten(w.replays),
    w.triggerMarks.length > 0 && triggerMarksWritten(w.triggerMarks),
    w.routineMarks.length > 0 && routineMarksWritten(w.routineMarks),
  ].filter((g): g is SQL => g !== false);
  // `woken` is a plain select: it runs (and NOTIFYs) only if the statement reads it.
  const woken = issues ? sql`(select count(*) from woken)` : sql`0`;
  const identifier = sql`(select i.identifier from issues i where i.id = run.linked_issue_id)`;
  const result =
    returning === "runs"
      ? issues
        ? sql`select run.*, coalesce(issue.identifier, ${identifier}) as ${sql.raw(LINKED_IDENTIFIER)}, ${woken} as woken
              from run left join issue on issue.id = run.linked_issue_id`
        : sql`select run.*, ${identifier} as ${sql.raw(LINKED_IDENTIFIER)} from run`
      : sql`select count(*), ${woken} as woken from run`;
  const rows = await queryPrepared<Record<string, unknown>>(tx, sql`with ${sql.join(groups, sql`, `)} ${result}`);
  return returning === "runs" ? rows.map(runFromRaw) : [];
}

/** `column = the element's value` when the key is present in the JSON element `v.j` (even as null); else kept. */
const setIfPresent = (key: string, column: string, type: string) =>
  sql.raw(`${column} = case when v.j ? '${key}' then (v.j->>'${key}')::${type} else t.${column} end`);

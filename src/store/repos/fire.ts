/**
 * The reads and the main write of a fire, one round trip each: fires of a routine are serialised by its row
 * lock, so every statement between the lock and the commit is time during which no other fire can proceed.
 */
import { type SQL, sql } from "drizzle-orm";
import { CHANNELS } from "../../domain/channels";
import type { IssueStatus, RunSource } from "../../domain/enums";
import { type Executor, queryRows } from "../db";
import { jsonRowOf, rowOf } from "../raw-rows";
import { issues, routineRuns, routineTriggers } from "../schema";
import type { IssueRow } from "./issues";
import type { RunRow } from "./runs";
import type { TriggerRow } from "./triggers";

export interface FireContextQuery {
  routineId: string;
  triggerId: string | null;
  idempotencyKey: string | null;
  scheduledFor: Date | null;
  /** The routine's newest open execution issue is needed (every policy but always_enqueue). */
  openStatuses: readonly IssueStatus[] | null;
}

export interface FireContext {
  /** The database clock (the transaction's start: every `now()` of the fire agrees with it). */
  now: Date;
  trigger?: TriggerRow;
  /** The run already recorded for this idempotency key or schedule slot. */
  existing?: RunRow;
  active?: IssueRow;
}

export interface NewExecution {
  runId: string;
  issueId: string;
  companyId: string;
  routineId: string;
  triggerId: string | null;
  source: RunSource;
  scheduledFor: Date | null;
  idempotencyKey: string | null;
  triggerPayload: Record<string, unknown> | null;
  issue: {
    projectId: string | null;
    goalId: string | null;
    parentId: string | null;
    title: string;
    description: string | null;
    priority: string;
    assigneeAgentId: string | null;
    context: Record<string, unknown>;
  };
  maxAttempts: number;
  lastResult: string;
}

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
const iso = (date: Date | null) => date?.toISOString() ?? null;

export const fireRepo = {
  /** Call after locking the routine row: a statement of its own sees every fire committed before the lock. */
  async context(tx: Executor, q: FireContextQuery): Promise<FireContext> {
    let existing: SQL = sql`null::json`;
    if (q.idempotencyKey) {
      const sameTrigger = q.triggerId ? sql`r.trigger_id = ${q.triggerId}::uuid` : sql`r.trigger_id is null`;
      existing = sql`(select row_to_json(r) from routine_runs r
        where r.routine_id = ${q.routineId}::uuid and ${sameTrigger} and r.idempotency_key = ${q.idempotencyKey} limit 1)`;
    } else if (q.triggerId && q.scheduledFor) {
      existing = sql`(select row_to_json(r) from routine_runs r
        where r.trigger_id = ${q.triggerId}::uuid and r.scheduled_for = ${iso(q.scheduledFor)}::timestamptz limit 1)`;
    }
    const active = q.openStatuses
      ? sql`(select row_to_json(i) from issues i
          where i.origin_kind = 'routine_execution' and i.origin_id = ${q.routineId}
            and i.status in (${sql.join(q.openStatuses.map((s) => sql`${s}`), sql`, `)})
          order by i.created_at desc limit 1)`
      : sql`null::json`;
    const trigger = q.triggerId
      ? sql`(select row_to_json(t) from routine_triggers t where t.id = ${q.triggerId}::uuid)`
      : sql`null::json`;
    const [row] = await queryRows<Record<string, unknown>>(
      tx,
      sql`select now() as now, ${trigger} as trigger, ${existing} as existing, ${active} as active`,
    );
    return {
      now: new Date(row!.now as string | Date),
      trigger: jsonRowOf(routineTriggers, row!.trigger),
      existing: jsonRowOf(routineRuns, row!.existing),
      active: jsonRowOf(issues, row!.active),
    };
  },

  /**
   * Records a run that created its execution issue, in one statement: the run (`issue_created`), the company's
   * next issue number, the issue, the assignee's queued heartbeat run and its NOTIFY (delivered on commit), and
   * the trigger's and routine's last-fired fields. Nothing is written when the run's idempotency key or
   * schedule slot is taken (returns undefined). Foreign keys are checked at the end of the statement.
   */
  async insertExecution(tx: Executor, v: NewExecution): Promise<RunRow | undefined> {
    const i = v.issue;
    const [row] = await queryRows<Record<string, unknown>>(
      tx,
      sql`with run as (
          insert into routine_runs (id, company_id, routine_id, trigger_id, source, status, triggered_at,
            scheduled_for, idempotency_key, trigger_payload, linked_issue_id)
          values (${v.runId}::uuid, ${v.companyId}::uuid, ${v.routineId}::uuid, ${v.triggerId}::uuid, ${v.source},
            'issue_created', now(), ${iso(v.scheduledFor)}::timestamptz, ${v.idempotencyKey},
            ${json(v.triggerPayload)}::jsonb, ${v.issueId}::uuid)
          on conflict do nothing
          returning *
        ), counter as (
          update companies set issue_counter = issue_counter + 1
          where id = ${v.companyId}::uuid and exists (select 1 from run)
          returning issue_counter, issue_prefix
        ), issue as (
          insert into issues (id, company_id, project_id, goal_id, parent_id, issue_number, identifier, title,
            description, status, priority, assignee_agent_id, origin_kind, origin_id, origin_run_id, context)
          select ${v.issueId}::uuid, ${v.companyId}::uuid, ${i.projectId}::uuid, ${i.goalId}::uuid, ${i.parentId}::uuid,
            c.issue_counter, c.issue_prefix || '-' || c.issue_counter, ${i.title}, ${i.description}, 'todo',
            ${i.priority}, ${i.assigneeAgentId}::uuid, 'routine_execution', ${v.routineId}, ${v.runId}::uuid,
            ${json(i.context)}::jsonb
          from counter c
          returning id
        ), heartbeat as (
          insert into heartbeat_runs (company_id, agent_id, issue_id, routine_run_id, status, max_attempts, run_after)
          select ${v.companyId}::uuid, ${i.assigneeAgentId}::uuid, issue.id, ${v.runId}::uuid, 'queued',
            ${v.maxAttempts}, now()
          from issue where ${i.assigneeAgentId}::uuid is not null
          returning pg_notify(${CHANNELS.heartbeatRuns}, agent_id::text)
        ), trigger_fired as (
          update routine_triggers set last_fired_at = now(), last_result = ${v.lastResult}, updated_at = now()
          where id = ${v.triggerId}::uuid and exists (select 1 from run)
        ), routine_fired as (
          update routines set last_triggered_at = now(), last_enqueued_at = now(), updated_at = now()
          where id = ${v.routineId}::uuid and exists (select 1 from run)
        )
        select * from run`,
    );
    return row ? rowOf(routineRuns, row) : undefined;
  },
};

/**
 * Bench fixtures written straight in SQL (set-based, so 100,000 triggers take seconds): a company
 * with an agent and a project, routines each with one schedule trigger, open execution issues.
 */
import { sql } from "drizzle-orm";
import type { ConcurrencyPolicy } from "../../src/domain/enums";
import { CHANNELS } from "../../src/domain/channels";
import { type Executor, notify, queryRows } from "../../src/store/db";

export interface World {
  companyId: string;
  agentId: string;
  projectId: string;
}

export async function seedCompany(db: Executor, prefix = "BEN"): Promise<World> {
  const [row] = await queryRows<World>(
    db,
    sql`with c as (insert into companies (name, issue_prefix) values (${`Bench ${prefix}`}, ${prefix}) returning id),
             a as (insert into agents (company_id, name) select id, 'Bench agent' from c returning id),
             p as (insert into projects (company_id, name) select id, 'Bench project' from c returning id)
        select c.id as "companyId", a.id as "agentId", p.id as "projectId" from c, a, p`,
  );
  return row!;
}

/**
 * `count` active routines of `world`, each with one enabled schedule trigger (`cron`, UTC) whose
 * `nextRunAt` is null (not due) until `setDue` says otherwise. Returns nothing: tests query by SQL.
 */
export async function insertScheduleRoutines(
  db: Executor,
  world: World,
  opts: { count: number; policy: ConcurrencyPolicy; cron: string; nextRunAt?: Date | null },
): Promise<void> {
  await db.execute(
    sql`with r as (
          insert into routines (company_id, project_id, title, assignee_agent_id, concurrency_policy)
          select ${world.companyId}, ${world.projectId}, 'Bench routine ' || g, ${world.agentId}, ${opts.policy}
            from generate_series(1, ${opts.count}::int) g
          returning id, company_id)
        insert into routine_triggers (company_id, routine_id, kind, cron_expression, timezone, next_run_at)
        select company_id, id, 'schedule', ${opts.cron}, 'UTC', ${opts.nextRunAt?.toISOString() ?? null}::timestamptz from r`,
  );
}

/** Gives every routine of the company an open execution issue (as after a first fire). */
export async function openExecutionIssues(db: Executor, world: World): Promise<void> {
  await db.execute(
    sql`with r as (select id, title, row_number() over (order by id) as n from routines where company_id = ${world.companyId}),
             i as (insert into issues (company_id, project_id, issue_number, identifier, title, status, priority,
                                       assignee_agent_id, origin_kind, origin_id)
                   select ${world.companyId}, ${world.projectId}, n, 'BEN-' || n, title, 'todo', 'medium',
                          ${world.agentId}, 'routine_execution', id::text from r
                   returning 1)
        update companies set issue_counter = (select count(*) from i) where id = ${world.companyId}`,
  );
}

/**
 * Makes triggers due: trigger number k (0-based, in id order) at `first + (k mod spreadSec) s`, then
 * NOTIFYs the schedulers, as a trigger edit would.
 */
export async function setDue(db: Executor, first: Date, spreadSec = 1): Promise<void> {
  await db.execute(
    sql`update routine_triggers t set next_run_at = ${first.toISOString()}::timestamptz + ((k.n - 1) % ${spreadSec}::int) * interval '1 second'
          from (select id, row_number() over (order by id) as n from routine_triggers) k
         where k.id = t.id`,
  );
  await notify(db, CHANNELS.triggers);
}

/** The database clock, rounded up to a whole second plus `aheadSec` seconds. */
export async function wholeSecondAhead(db: Executor, aheadSec: number): Promise<Date> {
  const [row] = await queryRows<{ at: Date | string }>(db, sql`select date_trunc('second', now()) + make_interval(secs => ${aheadSec + 1}::int) as at`);
  return new Date(row!.at);
}

export async function count(db: Executor, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, query);
  return Number(row?.n ?? 0);
}

/**
 * The "wake" scenario shared by bench/wake-latency.ts and bench/peers: N schedule triggers of N
 * routines fall due at the same instant; routined (its own process, on PostgreSQL) fires them and
 * delivers each heartbeat run to a local HTTP agent. Measured per run, from the due time: the firing
 * transaction's start (`created_at`), the dispatcher's claim (`started_at`, which is after the
 * commit, so it bounds the commit from above), and the agent's HTTP handler being entered.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { generateWebhookSecret } from "../../src/domain/webhook-auth";
import { createSecretBox } from "../../src/domain/secret-box";
import { CHANNELS } from "../../src/domain/channels";
import { type Executor, notify, queryRows } from "../../src/store/db";
import type { BenchAgent } from "./agent-server";
import { summarize } from "./stats";

export const SECRET_KEY = crypto.randomBytes(32).toString("hex");
const box = createSecretBox(Buffer.from(SECRET_KEY, "hex"));

/** A company with `agents` http agents (all answering at `agentUrl`) and `triggers` routines spread over them. */
export async function seedWakeCompany(
  db: Executor,
  o: { prefix: string; agents: number; triggers: number; agentUrl: string; cron: string },
): Promise<string> {
  const [company] = await queryRows<{ id: string }>(
    db,
    sql`insert into companies (name, issue_prefix) values (${`Wake ${o.prefix}`}, ${o.prefix}) returning id`,
  );
  const companyId = company!.id;
  const secret = box.encrypt(generateWebhookSecret("standard_webhooks"));
  await db.execute(
    sql`with a as (
          insert into agents (company_id, name, adapter_type, adapter_config, delivery_secret_ciphertext)
          select ${companyId}, 'Agent ' || g, 'http', ${JSON.stringify({ url: o.agentUrl })}::jsonb, ${secret}
            from generate_series(1, ${o.agents}::int) g
          returning id),
        numbered as (select id, row_number() over (order by id) - 1 as k from a),
        p as (insert into projects (company_id, name) values (${companyId}, 'Wake') returning id),
        r as (
          insert into routines (company_id, project_id, title, assignee_agent_id, concurrency_policy)
          select ${companyId}, p.id, 'Wake routine ' || g, n.id, 'always_enqueue'
            from generate_series(0, ${o.triggers - 1}::int) g
            join numbered n on n.k = g % ${o.agents}::int
           cross join p
          returning id)
        insert into routine_triggers (company_id, routine_id, kind, cron_expression, timezone, next_run_at)
        select ${companyId}, id, 'schedule', ${o.cron}, 'UTC', null from r`,
  );
  return companyId;
}

/** Makes every trigger of the company due at `at` and tells the schedulers. */
export async function makeDue(db: Executor, companyId: string, at: Date): Promise<void> {
  await db.execute(sql`update routine_triggers set next_run_at = ${at.toISOString()}::timestamptz where company_id = ${companyId}`);
  await notify(db, CHANNELS.triggers);
}

export async function disableTriggers(db: Executor, companyId: string): Promise<void> {
  await db.execute(sql`update routine_triggers set enabled = false, next_run_at = null where company_id = ${companyId}`);
  await notify(db, CHANNELS.triggers);
}

/**
 * Notes when each run became visible to another connection (so: committed), polling every `everyMs`
 * until `n` are; ms after the due time.
 */
export async function watchCommits(db: Executor, companyId: string, dueAt: Date, n: number, timeoutMs: number, everyMs = 5) {
  const seen = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < n && Date.now() < deadline) {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`select id from routine_runs where company_id = ${companyId} and scheduled_for = ${dueAt.toISOString()}::timestamptz`,
    );
    const now = Date.now();
    for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, now - dueAt.getTime());
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return [...seen.values()];
}

/** The lags of one round, from the database and from the agent's arrivals (ms after each run's due time). */
export async function wakeLags(db: Executor, companyId: string, agent: BenchAgent, dueAt: Date, visible: number[] = []) {
  const rows = await queryRows<{ tx: number; claimed: number | null }>(
    db,
    sql`select extract(epoch from r.created_at - r.scheduled_for) * 1000 as tx,
               extract(epoch from h.started_at - r.scheduled_for) * 1000 as claimed
          from routine_runs r left join heartbeat_runs h on h.routine_run_id = r.id
         where r.company_id = ${companyId} and r.scheduled_for = ${dueAt.toISOString()}::timestamptz`,
  );
  const handler = agent.arrivals.filter((a) => a.dueAt === dueAt.getTime()).map((a) => a.enteredAt - a.dueAt!);
  return {
    runs: rows.length,
    delivered: handler.length,
    txStartLagMs: summarize(rows.map((r) => Number(r.tx))),
    /** Seen by another connection (polled every 5 ms): committed, plus up to the polling interval. */
    visibleLagMs: summarize(visible),
    claimLagMs: summarize(rows.filter((r) => r.claimed !== null).map((r) => Number(r.claimed))),
    handlerLagMs: summarize(handler),
  };
}

/**
 * Heartbeat runs through the API: poll agents claim (long-poll) and complete their runs; agents
 * read their own runs, the board reads all. Delivery by the dispatcher is in `heartbeat-dispatch.ts`.
 */
import type { Config } from "../config";
import type { Actor } from "../domain/actor";
import { isUuid } from "../lib/is-uuid";
import type { Clock } from "../domain/clock";
import { conflict, forbidden, notFound } from "../domain/errors";
import type { ClaimBody, CompleteBody, ListHeartbeatAttemptsQuery, ListHeartbeatRunsQuery } from "../domain/schemas/heartbeat-runs";
import type { Db, Executor } from "../store/db";
import { type HeartbeatRunRow, heartbeatRunsRepo as repo } from "../store/repos/heartbeat-runs";
import { heartbeatAttemptsRepo } from "../store/repos/heartbeat-runs-attempts";
import { issuesRepo } from "../store/repos/issues";
import { runStatusRepo } from "../store/repos/run-status";
import { assertCompanyAccess } from "./access";
import type { AgentWakeups } from "./agent-wakeups";
import type { AgentService } from "./agents";


/** Who holds a run a poll agent claimed through the API (the dispatcher's claims name its worker). */
const pollClaimant = (agentId: string) => `agent:${agentId}`;

/** What an agent is woken with: the run, its execution issue and the routine run behind it. */
export async function loadDelivery(db: Executor, run: HeartbeatRunRow) {
  const [issue, routineRun] = await Promise.all([
    run.issueId ? issuesRepo.get(db, run.issueId) : undefined,
    run.routineRunId ? repo.getRoutineRun(db, run.routineRunId) : undefined,
  ]);
  return { heartbeatRun: run, issue: issue ?? null, routineRun: routineRun ?? null };
}

export interface HeartbeatRunServiceDeps {
  db: Db;
  config: Pick<Config, "dispatch">;
  clock: Clock;
  agents: AgentService;
  wakeups: AgentWakeups;
  /** Told about every result a poll agent reports on a run it claimed (the delivery metrics and log line). */
  onRecord?: (run: HeartbeatRunRow) => void;
}

export function createHeartbeatRunService({ db, config, clock, agents, wakeups, onRecord }: HeartbeatRunServiceDeps) {
  async function load(actor: Actor, id: string): Promise<HeartbeatRunRow> {
    const row = await repo.get(db, id);
    if (!row) throw notFound("Heartbeat run not found");
    assertCompanyAccess(actor, row.companyId);
    if (actor.kind === "agent" && actor.agentId !== row.agentId) {
      throw forbidden("Agents can only see their own heartbeat runs");
    }
    return row;
  }

  async function claimOnce(agentId: string) {
    await repo.reclaimExpired(db);
    const run = await repo.claimForAgent(db, { agentId, workerId: pollClaimant(agentId), leaseSec: config.dispatch.leaseSec });
    return run && loadDelivery(db, run);
  }

  return {
    get: load,
    /** How many long-poll claims of this agent are waiting (what the dashboard shows as "listening"). */
    waitingClaims: wakeups.waiting,

    /**
     * A poll agent takes its oldest runnable run, waiting up to `waitSec` for one: woken by the
     * NOTIFY of an enqueue or resume, or when a retry falls due. Undefined when none came.
     */
    async claim(actor: Actor, body: ClaimBody, signal?: AbortSignal) {
      if (actor.kind !== "agent") throw forbidden("Only agents claim heartbeat runs: authenticate with the agent's API key");
      const agent = await agents.load(actor, actor.agentId);
      if (agent.adapterType !== "poll") {
        throw conflict(`This agent uses the ${agent.adapterType} adapter, so routined delivers its runs; set adapterType to poll to claim them`);
      }
      const deadline = clock.now().getTime() + (body.waitSec ?? 0) * 1000;
      const waiter = await wakeups.subscribe(actor.agentId);
      try {
        for (;;) {
          const claimed = await claimOnce(actor.agentId);
          const remaining = deadline - clock.now().getTime();
          if (claimed || remaining <= 0 || signal?.aborted) return claimed;
          const due = await repo.nextWakeInMs(db, actor.agentId);
          await waiter.wait(Math.min(remaining, due ?? remaining), signal);
        }
      } finally {
        waiter.close();
      }
    },

    /** The agent holding a running run reports its result; a failure is final and fails the routine run. */
    async complete(actor: Actor, id: string, body: CompleteBody) {
      const run = await load(actor, id);
      if (actor.kind !== "agent") throw forbidden("Only the agent that holds the heartbeat run can complete it");
      if (run.status !== "running") {
        throw conflict(`Heartbeat run is ${run.status}, not running: claim it before completing it`);
      }
      const ended = await repo.finish(
        db,
        { id, attempt: run.attempt, claimedBy: run.claimedBy ?? undefined },
        body.status === "succeeded"
          ? { status: "succeeded", summary: body.summary ?? null }
          : {
              status: "failed",
              summary: body.summary ?? null,
              error: "The agent reported failure",
              failureReason: `Agent reported failure${body.summary ? `: ${body.summary}` : ""}`,
            },
      );
      if (!ended) throw conflict("Heartbeat run changed while completing it (its lease expired or it was completed): reload it");
      // A run the dispatcher holds is recorded by the dispatcher, with its adapter.
      if (run.claimedBy === pollClaimant(run.agentId)) onRecord?.(ended);
      return ended;
    },

    /** A run's delivery attempts, oldest first (the board, and the run's own agent). */
    async listAttempts(actor: Actor, id: string, query: ListHeartbeatAttemptsQuery) {
      await load(actor, id);
      return heartbeatAttemptsRepo.list(db, id, { limit: query.limit, after: query.after });
    },

    async listByAgent(actor: Actor, agentId: string, query: ListHeartbeatRunsQuery) {
      await agents.load(actor, agentId);
      if (actor.kind === "agent" && actor.agentId !== agentId) throw forbidden("Agents can only see their own heartbeat runs");
      const before = query.before
        ? isUuid(query.before)
          ? { runId: query.before }
          : { at: new Date(query.before) }
        : undefined;
      return repo.listByAgent(db, agentId, { limit: query.limit, before, status: query.status, routineRunId: query.routineRunId });
    },

    /**
     * The board retries a delivery that failed for good (failed or timed out): a new heartbeat run
     * for the same agent, issue and routine run, with a fresh set of attempts, and the routine run
     * waits on its execution again. The failed run stays as it was, as the record of what happened.
     */
    async retry(actor: Actor, id: string) {
      if (actor.kind !== "board") throw forbidden("Only the board retries heartbeat runs");
      const run = await load(actor, id);
      if (run.status !== "failed" && run.status !== "timed_out") {
        throw conflict(`Heartbeat run is ${run.status}: only a failed or timed out run can be retried`);
      }
      return db.transaction(async (tx) => {
        if (run.issueId) {
          const issue = await issuesRepo.get(tx, run.issueId);
          if (issue && (issue.status === "done" || issue.status === "cancelled")) {
            throw conflict(`Issue ${issue.identifier} is ${issue.status}: reopen it before retrying its delivery`);
          }
        }
        if (run.routineRunId) {
          if (await repo.hasPendingForRoutineRun(tx, run.routineRunId)) {
            throw conflict("This routine run already has a delivery waiting or in progress");
          }
          await runStatusRepo.deliveryRetried(tx, run.routineRunId);
        }
        return repo.enqueue(tx, {
          companyId: run.companyId,
          agentId: run.agentId,
          issueId: run.issueId,
          routineRunId: run.routineRunId,
          maxAttempts: config.dispatch.maxAttempts,
        });
      });
    },
  };
}

export type HeartbeatRunService = ReturnType<typeof createHeartbeatRunService>;

/**
 * The one firing path. Every fire — schedule, webhook, api, manual — is decided by `planFire`, inside the
 * caller's transaction and under its routine's row lock (which serialises fires of one routine across all
 * processes): it refuses what may not fire, returns the existing run for a repeated idempotency key,
 * finds the active execution, applies the concurrency policy, and plans the outcome as a routine run.
 * `flush` writes a plan. Every outcome leaves a run with a reason.
 *
 * Fires are planned in batches, under their routines' locks, and written with one flush: two statements
 * however many fires, the same outcomes as firing them one by one. The batches: the scheduler's due
 * triggers (`scheduling.ts`), concurrent webhook deliveries and manual runs (`group-commit.ts`, which also
 * fires one alone), and a backfilled range (`backfill.ts`).
 */
import crypto from "node:crypto";
import type { Config } from "../config";
import { coalescedComment, decideConcurrency } from "../domain/concurrency";
import type { RunSource } from "../domain/enums";
import { conflict, forbidden, notFound } from "../domain/errors";
import { type Executor, dbNow } from "../store/db";
import { heartbeatRunsRepo } from "../store/repos/heartbeat-runs";
import { fireRepo } from "../store/repos/fire";
import {
  type ActiveExecution,
  type FirePlan,
  type PlannedRun,
  isEmptyPlan,
  keyOf,
  markRoutine,
  markTrigger,
} from "./fire-plan";
import type { IssueRow } from "../store/repos/issues";
import type { RoutineRow } from "../store/repos/routines";
import { type RunRow, runsRepo } from "../store/repos/runs";
import type { TriggerRow } from "../store/repos/triggers";

export interface FireRequest {
  routineId: string;
  source: RunSource;
  triggerId?: string | null;
  payload?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  /** The occurrence a schedule fire is for: at most one run per (trigger, scheduledFor). */
  scheduledFor?: Date | null;
}

/**
 * What the owner of a batch of fires holds in its transaction: the routine, locked, its trigger when it
 * has read it, and the transaction's `now()`.
 */
export interface BatchFacts {
  routine: RoutineRow;
  trigger?: TriggerRow;
  now: Date;
}

/** A fire's place in a plan: the run it will write, or the run that already held its idempotency key. */
export interface PlannedFire {
  /** The planned run, or the run (planned or written) that holds the fire's idempotency key. */
  runId: string;
  /** That run, when it was found in the database rather than planned. */
  existing?: RunRow;
}

/** `lastResult` texts on the trigger, as Paperclip writes them. */
const LAST_RESULT = {
  issue_created: "Created execution issue",
  coalesced: "Coalesced into active execution",
  skipped: "Skipped: routine already active",
} as const;

/** Why a routine or trigger may not fire from this source, or null when it may. */
function refusal(routine: RoutineRow, trigger: TriggerRow | undefined, source: RunSource): string | null {
  if (routine.status === "archived") return "Routine is archived";
  const automatic = source === "schedule" || source === "webhook";
  if (automatic && routine.status === "paused") return "Routine is paused";
  if (automatic && trigger && !trigger.enabled) return "Routine trigger is disabled";
  return null;
}

/** Told about every fire a flush wrote (metrics, the fire log line). */
export type FireObserver = (runs: readonly PlannedRun[]) => void;

export function createFiringService(config: Pick<Config, "dispatch">, observe?: FireObserver) {
  /**
   * Decides one fire and adds what it writes to `plan` (nothing is read or written: `flush` writes). The
   * batch owner has read what the fire decides on, under the routine lock: the routine's active execution
   * (unless the policy is `always_enqueue`) and the run holding the fire's idempotency key, both in the
   * plan. A schedule slot is the owner's to check too (a claim moved `nextRunAt` past it; a backfill reads
   * the slots already fired); should one have fired, the write's unique index still finds it.
   */
  function planFire(plan: FirePlan, req: FireRequest, facts: BatchFacts): PlannedFire {
    const { routine, trigger, now } = facts;
    const key = req.idempotencyKey ? keyOf(routine.id, req.triggerId, req.idempotencyKey) : null;
    if (routine.concurrencyPolicy !== "always_enqueue" && !plan.active.has(routine.id)) {
      throw new Error(`the active execution of routine ${routine.id} was not read before planning its fire`);
    }
    if (key && !plan.keys.has(key)) throw new Error(`idempotency key ${key} was not looked up before planning its fire`);
    if (req.triggerId && !trigger) throw notFound("Routine trigger not found");
    if (trigger && trigger.routineId !== routine.id) throw forbidden("Routine trigger belongs to another routine");
    const held = key ? plan.keys.get(key) : null;
    if (held) return { runId: held.runId, existing: held.existing };

    const base = {
      id: crypto.randomUUID(),
      companyId: routine.companyId,
      routineId: routine.id,
      triggerId: trigger?.id ?? null,
      source: req.source,
      triggeredAt: now,
      scheduledFor: req.scheduledFor ?? null,
      idempotencyKey: req.idempotencyKey ?? null,
      triggerPayload: req.payload ?? null,
      linkedIssueId: null,
      coalescedIntoRunId: null,
      failureReason: null,
      completedAt: null,
    };
    const refused = refusal(routine, trigger, req.source);
    // Scheduled fires are refused on the record; callers of other sources get the error, and nothing is planned.
    if (refused && req.source === "webhook") throw conflict("Routine trigger is not active");
    if (refused && req.source !== "schedule") throw conflict(refused);
    if (key) plan.keys.set(key, { runId: base.id });
    if (refused) {
      planRun(plan, { ...base, status: "skipped", failureReason: refused, completedAt: now }, refused);
      return { runId: base.id };
    }

    const active = plan.active.get(routine.id) ?? null;
    const outcome = decideConcurrency(routine.concurrencyPolicy, active !== null);
    if (outcome === "create" || !active) {
      planExecution(plan, routine, base);
      return { runId: base.id };
    }
    const linked = { linkedIssueId: active.id, coalescedIntoRunId: active.originRunId, completedAt: now };
    if (outcome === "skip") {
      const reason = () => `Skipped: execution issue ${active.identifier} is still open`;
      planRun(plan, { ...base, ...linked, status: "skipped", failureReason: active.identifier ? reason() : reason }, LAST_RESULT.skipped);
    } else {
      planRun(plan, { ...base, ...linked, status: "coalesced" }, LAST_RESULT.coalesced);
      const body = coalescedComment(req.source, now, req.payload ?? null);
      plan.comments.push({ companyId: routine.companyId, issueId: active.id, runId: base.id, body });
    }
    return { runId: base.id };
  }

  /** Adds a run and notes the result on its trigger and routine. */
  function planRun(plan: FirePlan, run: PlannedRun, lastResult: string): void {
    plan.runs.push(run);
    if (run.triggerId) markTrigger(plan, run.triggerId, { lastFiredAt: run.triggeredAt, lastResult });
    markRoutine(plan, run.routineId, { lastTriggeredAt: run.triggeredAt });
  }

  /** Adds a run that creates its execution issue (which wakes its assignee); the issue becomes the routine's active one. */
  function planExecution(plan: FirePlan, routine: RoutineRow, base: Omit<PlannedRun, "status">): void {
    const execution: ActiveExecution = { id: crypto.randomUUID(), originRunId: base.id, identifier: null };
    planRun(plan, { ...base, status: "issue_created", linkedIssueId: execution.id }, LAST_RESULT.issue_created);
    markRoutine(plan, routine.id, { lastEnqueuedAt: base.triggeredAt });
    plan.issues.push({
      execution,
      companyId: routine.companyId,
      routineId: routine.id,
      runId: base.id,
      projectId: routine.projectId,
      goalId: routine.goalId,
      parentId: routine.parentIssueId,
      title: routine.title,
      description: routine.description,
      priority: routine.priority,
      assigneeAgentId: routine.assigneeAgentId,
      context: {
        routineId: routine.id,
        routineRunId: base.id,
        source: base.source,
        triggerId: base.triggerId,
        scheduledFor: base.scheduledFor,
        payload: base.triggerPayload,
      },
    });
    plan.active.set(routine.id, execution);
  }

  /**
   * Writes a plan in one statement: every run, issue (numbered by the statement), heartbeat run, comment,
   * fingerprint and mark. Only when a run's text names an issue of the plan are the numbers taken first,
   * by a statement of their own. Returns the run of every planned fire by planned id: the one written,
   * or — when a fire that committed after the plan's reads took the key or slot — that one's; or, asked
   * for `nothing`, an empty map.
   */
  async function flush(tx: Executor, plan: FirePlan, returning: "runs" | "nothing" = "runs"): Promise<Map<string, RunRow>> {
    if (isEmptyPlan(plan)) return new Map();
    const namesIssue = plan.runs.some((r) => typeof r.failureReason === "function");
    const counts = new Map<string, number>();
    if (namesIssue) for (const i of plan.issues) counts.set(i.companyId, (counts.get(i.companyId) ?? 0) + 1);
    const numbers = await fireRepo.allocateIssueNumbers(tx, counts);
    const issues = plan.issues.map(({ execution, ...issue }) => {
      const company = numbers.get(issue.companyId);
      if (!company) return { ...issue, id: execution.id, issueNumber: null, identifier: null };
      const issueNumber = company.first++;
      execution.identifier = `${company.prefix}-${issueNumber}`;
      return { ...issue, id: execution.id, issueNumber, identifier: execution.identifier };
    });
    const written = await fireRepo.writeFires(tx, {
      runs: plan.runs.map((r) => ({ ...r, failureReason: typeof r.failureReason === "function" ? r.failureReason() : r.failureReason })),
      issues,
      comments: plan.comments,
      replays: plan.replays,
      maxAttempts: config.dispatch.maxAttempts,
      triggerMarks: [...plan.triggerMarks].map(([id, mark]) => ({ id, ...mark })),
      routineMarks: [...plan.routineMarks].map(([id, mark]) => ({ id, ...mark })),
    }, returning);
    observe?.(plan.runs);
    const runs = new Map(written.map((run) => [run.id, run]));
    if (returning === "nothing") return runs;
    for (const r of plan.runs) {
      if (runs.has(r.id)) continue;
      const existing = r.idempotencyKey
        ? await runsRepo.findByIdempotencyKey(tx, r.routineId, r.triggerId, r.idempotencyKey)
        : r.triggerId && r.scheduledFor
          ? (await runsRepo.findBySlots(tx, r.triggerId, [r.scheduledFor])).get(r.scheduledFor.getTime())
          : undefined;
      if (existing) runs.set(r.id, existing);
    }
    return runs;
  }

  /**
   * Plans the record of scheduled occurrences that were not fired (missed beyond the grace, or beyond
   * the catch-up cap): one `skipped` run, so a user can see what was dropped and why.
   */
  function planDropped(plan: FirePlan, req: { scheduledFor: Date; reason: string }, facts: Required<BatchFacts>): void {
    const { routine, trigger, now } = facts;
    planRun(
      plan,
      {
        id: crypto.randomUUID(),
        companyId: routine.companyId,
        routineId: routine.id,
        triggerId: trigger.id,
        source: "schedule",
        status: "skipped",
        triggeredAt: now,
        scheduledFor: req.scheduledFor,
        idempotencyKey: null,
        triggerPayload: null,
        linkedIssueId: null,
        coalescedIntoRunId: null,
        failureReason: req.reason,
        completedAt: now,
      },
      req.reason,
    );
  }

  /** Issue `done` → run `completed`; `cancelled`/`blocked` → run `failed`. Runs in the issue's transaction. */
  async function onIssueStatusChange(tx: Executor, issue: IssueRow): Promise<void> {
    if (issue.status === "done" || issue.status === "cancelled") {
      // The work is over: do not wake the agent for it any more.
      await heartbeatRunsRepo.cancelPendingForIssue(tx, issue.id, `Issue moved to ${issue.status}`);
    }
    if (issue.originKind !== "routine_execution" || !issue.originRunId) return;
    const run = await runsRepo.get(tx, issue.originRunId);
    if (!run || run.status !== "issue_created") return;
    if (issue.status === "done") {
      await runsRepo.update(tx, run.id, { status: "completed", completedAt: await dbNow(tx) });
    } else if (issue.status === "cancelled" || issue.status === "blocked") {
      await runsRepo.update(tx, run.id, {
        status: "failed",
        failureReason: `Execution issue moved to ${issue.status}`,
        completedAt: await dbNow(tx),
      });
    }
  }

  return {
    planFire,
    planDropped,
    flush,
    onIssueStatusChange,
  };
}

export type FiringService = ReturnType<typeof createFiringService>;

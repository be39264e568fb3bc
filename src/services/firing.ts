/**
 * The one firing path. Every fire — schedule, webhook, api, manual — comes through `fireWithin`,
 * which, inside the caller's transaction: locks the routine row (serialising fires of one routine
 * across all processes), refuses what may not fire, returns the existing run for a repeated
 * idempotency key or schedule slot, finds the active execution, applies the concurrency policy,
 * and records the outcome as a routine run. Every outcome leaves a run with a reason.
 */
import crypto from "node:crypto";
import type { Config } from "../config";
import { coalescedComment, decideConcurrency } from "../domain/concurrency";
import { OPEN_ISSUE_STATUSES, type RunSource } from "../domain/enums";
import { conflict, forbidden, notFound } from "../domain/errors";
import { type Db, type Executor, dbNow } from "../store/db";
import { heartbeatRunsRepo } from "../store/repos/heartbeat-runs";
import { fireRepo } from "../store/repos/fire";
import { type IssueRow, issuesRepo } from "../store/repos/issues";
import { type RoutineRow, routinesRepo } from "../store/repos/routines";
import { type RunRow, runsRepo } from "../store/repos/runs";
import { type TriggerRow, triggersRepo } from "../store/repos/triggers";

export interface FireRequest {
  routineId: string;
  source: RunSource;
  triggerId?: string | null;
  payload?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  /** The occurrence a schedule fire is for: at most one run per (trigger, scheduledFor). */
  scheduledFor?: Date | null;
  /**
   * Runs under the routine lock before anything is read or written (the webhook fire records the delivery's
   * fingerprints here, taking locks in the order every writer uses); throwing aborts the fire.
   */
  underLock?: (tx: Executor) => Promise<void>;
}

/**
 * What the scheduler's batch already holds in its transaction, so a fire does not ask again: the
 * claim locked the routine (active) and its enabled trigger and read `now()`; one query found the
 * routine's active execution; and the trigger and routine bookkeeping of a whole batch is written
 * at its end, one statement per table (`marks`). Outcomes are the same as without it.
 */
export interface BatchFacts {
  routine: RoutineRow;
  trigger: TriggerRow;
  now: Date;
  /** The active execution as the batch found it; "unknown" once an earlier fire may have changed it. */
  active: IssueRow | undefined | "unknown";
  marks: FireMarks;
}

/** The trigger and routine fields fires set, by row id; a later fire's value replaces an earlier one's. */
export interface FireMarks {
  triggers: Map<string, { lastFiredAt?: Date; lastResult: string | null }>;
  routines: Map<string, { lastTriggeredAt?: Date; lastEnqueuedAt?: Date }>;
}

export const newFireMarks = (): FireMarks => ({ triggers: new Map(), routines: new Map() });

export function mergeFireMarks(into: FireMarks, from: FireMarks): void {
  for (const [id, m] of from.triggers) into.triggers.set(id, m);
  for (const [id, m] of from.routines) into.routines.set(id, m);
}

export interface FireResult {
  run: RunRow;
  /** True when the run already existed (repeated idempotency key or schedule slot). */
  duplicate: boolean;
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

export function createFiringService(db: Db, config: Pick<Config, "dispatch">) {
  async function fireWithin(tx: Executor, req: FireRequest, batch?: BatchFacts): Promise<FireResult> {
    const routine = batch?.routine ?? (await routinesRepo.getForUpdate(tx, req.routineId));
    if (!routine) throw notFound("Routine not found");
    await req.underLock?.(tx);
    // One read after the lock: the trigger, the clock, a run already recorded for this key or slot, and the
    // active execution (only a policy other than always_enqueue needs it). A batch knows all but the
    // existing run, and a claimed slot has not fired (the claim moves nextRunAt past it): should it have,
    // the insert's unique index still finds it.
    const { trigger, now, existing, active } =
      batch && batch.active !== "unknown" && !req.idempotencyKey
        ? { trigger: batch.trigger, now: batch.now, existing: undefined, active: batch.active }
        : await fireRepo.context(tx, {
            routineId: routine.id,
            triggerId: req.triggerId ?? null,
            idempotencyKey: req.idempotencyKey ?? null,
            scheduledFor: req.triggerId ? (req.scheduledFor ?? null) : null,
            openStatuses: routine.concurrencyPolicy === "always_enqueue" ? null : OPEN_ISSUE_STATUSES,
          });
    if (req.triggerId && !trigger) throw notFound("Routine trigger not found");
    if (trigger && trigger.routineId !== routine.id) throw forbidden("Routine trigger belongs to another routine");
    if (existing) return { run: existing, duplicate: true };

    const base = {
      companyId: routine.companyId,
      routineId: routine.id,
      triggerId: trigger?.id ?? null,
      source: req.source,
      triggeredAt: now,
      scheduledFor: req.scheduledFor ?? null,
      idempotencyKey: req.idempotencyKey ?? null,
      triggerPayload: req.payload ?? null,
    };

    const refused = refusal(routine, trigger, req.source);
    if (refused) {
      // Scheduled fires are refused on the record; callers of other sources get the error.
      if (req.source === "webhook") throw conflict("Routine trigger is not active");
      if (req.source !== "schedule") throw conflict(refused);
      const skipped = { ...base, status: "skipped" as const, failureReason: refused, completedAt: now };
      return record(tx, skipped, trigger, undefined, batch?.marks);
    }

    const outcome = decideConcurrency(routine.concurrencyPolicy, active !== undefined);
    if (outcome === "create" || !active) return createExecution(tx, routine, base, batch?.marks);

    const linked = { linkedIssueId: active.id, coalescedIntoRunId: active.originRunId, completedAt: now };
    if (outcome === "skip") {
      const reason = `Skipped: execution issue ${active.identifier} is still open`;
      const skipped = { ...base, ...linked, status: "skipped" as const, failureReason: reason };
      return record(tx, skipped, trigger, LAST_RESULT.skipped, batch?.marks);
    }
    const coalesced = { ...base, ...linked, status: "coalesced" as const };
    const result = await record(tx, coalesced, trigger, LAST_RESULT.coalesced, batch?.marks);
    if (!result.duplicate) {
      await issuesRepo.insertComment(tx, {
        companyId: routine.companyId,
        issueId: active.id,
        authorKind: "system",
        body: coalescedComment(req.source, now, req.payload ?? null),
      });
    }
    return result;
  }

  /**
   * Inserts the run (or finds the one a concurrent fire inserted) and notes the result on the trigger
   * and routine — or in `marks`, for the batch to write.
   */
  async function record(
    tx: Executor,
    values: Parameters<typeof runsRepo.insert>[1],
    trigger: TriggerRow | undefined,
    lastResult?: string,
    marks?: FireMarks,
  ): Promise<FireResult> {
    const run = await runsRepo.insertUnlessExists(tx, values);
    if (!run) {
      const existing = values.idempotencyKey
        ? await runsRepo.findByIdempotencyKey(tx, values.routineId, values.triggerId ?? null, values.idempotencyKey)
        : await runsRepo.findBySlot(tx, values.triggerId!, values.scheduledFor!);
      return { run: existing!, duplicate: true };
    }
    if (marks) {
      const result = lastResult ?? values.failureReason ?? null;
      if (trigger) marks.triggers.set(trigger.id, { lastFiredAt: values.triggeredAt, lastResult: result });
      marks.routines.set(values.routineId, { lastTriggeredAt: values.triggeredAt });
      return { run, duplicate: false };
    }
    if (trigger) {
      await triggersRepo.update(tx, trigger.id, {
        lastFiredAt: values.triggeredAt,
        lastResult: lastResult ?? values.failureReason ?? null,
      });
    }
    await routinesRepo.update(tx, values.routineId, { lastTriggeredAt: values.triggeredAt });
    return { run, duplicate: false };
  }

  /** The run, its execution issue and the agent's heartbeat run, written in one statement. */
  async function createExecution(
    tx: Executor,
    routine: RoutineRow,
    base: Parameters<typeof runsRepo.insert>[1] & { triggeredAt: Date },
    marks?: FireMarks,
  ): Promise<FireResult> {
    const runId = crypto.randomUUID();
    const run = await fireRepo.insertExecution(tx, {
      runId,
      issueId: crypto.randomUUID(),
      companyId: routine.companyId,
      routineId: routine.id,
      triggerId: base.triggerId ?? null,
      source: base.source,
      scheduledFor: base.scheduledFor ?? null,
      idempotencyKey: base.idempotencyKey ?? null,
      triggerPayload: base.triggerPayload ?? null,
      issue: {
        projectId: routine.projectId,
        goalId: routine.goalId,
        parentId: routine.parentIssueId,
        title: routine.title,
        description: routine.description,
        priority: routine.priority,
        assigneeAgentId: routine.assigneeAgentId,
        context: {
          routineId: routine.id,
          routineRunId: runId,
          source: base.source,
          triggerId: base.triggerId ?? null,
          scheduledFor: base.scheduledFor ?? null,
          payload: base.triggerPayload ?? null,
        },
      },
      maxAttempts: config.dispatch.maxAttempts,
      lastResult: LAST_RESULT.issue_created,
    });
    if (run) {
      // The statement set the trigger's and routine's fields; the marks follow, so that what a later
      // fire of the batch marks still wins and what an earlier one marked does not.
      const at = base.triggeredAt;
      if (base.triggerId) marks?.triggers.set(base.triggerId, { lastFiredAt: at, lastResult: LAST_RESULT.issue_created });
      marks?.routines.set(routine.id, { lastTriggeredAt: at, lastEnqueuedAt: at });
      return { run, duplicate: false };
    }
    // The key or slot was taken by a fire that committed after our read: return its run.
    const existing = base.idempotencyKey
      ? await runsRepo.findByIdempotencyKey(tx, routine.id, base.triggerId ?? null, base.idempotencyKey)
      : await runsRepo.findBySlot(tx, base.triggerId!, base.scheduledFor!);
    return { run: existing!, duplicate: true };
  }

  /**
   * Records scheduled occurrences that were not fired (missed beyond the grace, or beyond the
   * catch-up cap) as one `skipped` run, so a user can see what was dropped and why.
   */
  async function recordDropped(
    tx: Executor,
    req: { routineId: string; triggerId: string; scheduledFor: Date; reason: string },
    batch?: BatchFacts,
  ): Promise<FireResult> {
    const routine = batch?.routine ?? (await routinesRepo.getForUpdate(tx, req.routineId));
    if (!routine) throw notFound("Routine not found");
    const trigger = batch?.trigger ?? (await triggersRepo.get(tx, req.triggerId));
    const now = batch?.now ?? (await dbNow(tx));
    return record(
      tx,
      {
        companyId: routine.companyId,
        routineId: routine.id,
        triggerId: req.triggerId,
        source: "schedule",
        status: "skipped",
        triggeredAt: now,
        scheduledFor: req.scheduledFor,
        failureReason: req.reason,
        completedAt: now,
      },
      trigger,
      undefined,
      batch?.marks,
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
    fireWithin,
    recordDropped,
    /** Fires in a transaction of its own. */
    fire: (req: FireRequest) => db.transaction((tx) => fireWithin(tx, req)),
    onIssueStatusChange,
  };
}

export type FiringService = ReturnType<typeof createFiringService>;

/**
 * The planner: what a fire does, decided in memory from facts the batch read under the routine's lock. Pure:
 * no database handle, no clock (the transaction's `now` is a fact). Every rule of a fire is here, in order:
 *
 * 1. the trigger must exist and belong to the routine; the routine must exist;
 * 2. a webhook delivery must have been verified against the trigger's current secret and signing mode, and none
 *    of its replay fingerprints may be recorded;
 * 3. a repeated idempotency key (or a schedule slot already fired) answers with the run that holds it;
 * 4. lifecycle: an archived routine never fires; a paused routine refuses schedules and webhooks, a disabled
 *    trigger every fire naming it (a schedule's refusal is recorded as a skipped run; others are refused); a
 *    draft runs only when the run names the agent and project it lacks;
 * 5. the routine's variables (given by the run or the webhook, else their defaults; a schedule fire missing one,
 *    or gated out by the activity gate, is recorded as a skipped run; other sources are refused);
 * 6. the concurrency policy against the routine's active execution: a new execution issue (and heartbeat run),
 *    a coalesced run (and a comment on the active issue), or a skipped run linked to it.
 *
 * A plan also remembers what its fires changed (the active execution, the keys taken, the fingerprints), so
 * the tenth fire of a routine in a batch decides exactly as it would after the ninth had committed.
 */
import type { Logger } from "pino";
import type { GateDecision } from "../domain/activity-gate";
import { actorColumns } from "../domain/activity-entry";
import type { Actor } from "../domain/actor";
import { coalescedComment, decideConcurrency } from "../domain/concurrency";
import { dispatchFingerprint } from "../domain/dispatch-fingerprint";
import { AppError } from "../domain/errors";
import { draftGaps } from "../domain/routine-lifecycle";
import { type VariableValue, payloadValues, renderExecution, resolveValues, withVariables } from "../domain/routine-variables";
import type { RunSource } from "../domain/enums";
import type { ApiTrigger, ScheduleTrigger, WebhookTrigger } from "../domain/trigger-kinds";
import { replayRetentionSec } from "../domain/webhook-auth/retention";
import type { CommentInsert, IssueInsert, ReplayInsert, RunActivityInsert, RunInsert } from "../store/repos/fire";
import type { FiringRoutine } from "../store/repos/routines";
import type { RunRow } from "../store/repos/runs";
import type { Refusal, Refused } from "./refusals";

export interface FireRequest {
  routineId: string;
  source: RunSource;
  triggerId?: string | null;
  payload?: Record<string, unknown> | null;
  /** Variable values a run gives beside its payload (they win over `payload.variables`, Paperclip's order). */
  variables?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  /** The occurrence a schedule fire is for: at most one run per (trigger, scheduledFor). */
  scheduledFor?: Date | null;
  /** A webhook delivery: the trigger as it was verified against, and its replay fingerprints. */
  delivery?: Delivery;
  /** A manual or API run may wake another agent, or file the issue in another project, than the routine's. */
  assigneeAgentId?: string | null;
  projectId?: string | null;
  /** Who fired (the activity log's actor); omitted: routined itself (schedules, webhooks). */
  actor?: Actor;
  /** The activity gate's decision for a scheduled fire of a gated routine (the batch decides it from its context read). */
  gate?: GateDecision;
  /** The logger of the HTTP request that asked for the fire: its log line goes there, with the request id. */
  log?: Pick<Logger, "info">;
}

export interface Delivery {
  verifiedWith: Pick<WebhookTrigger, "secretCiphertext" | "signingMode">;
  fingerprints: string[];
}

/** A trigger's fields a fire reads: a whole `Trigger` will do, and the scheduler's claim reads no more than these. */
export type FiringTrigger =
  | Pick<ScheduleTrigger, "kind" | "id" | "routineId" | "enabled">
  | Pick<ApiTrigger, "kind" | "id" | "routineId" | "enabled">
  | Pick<WebhookTrigger, "kind" | "id" | "routineId" | "enabled" | "secretCiphertext" | "signingMode" | "replayWindowSec">;

/** What the batch holds for a fire: its routine (locked) and trigger as they are under the lock, and `now()`. */
export interface FireFacts {
  routine: FiringRoutine | undefined;
  trigger: FiringTrigger | undefined;
  now: Date;
}

/** A run that holds an idempotency key or a schedule slot: planned by this plan, or found in the database. */
export interface Held {
  runId: string;
  existing?: RunRow;
}

/** What a fire came to: its run (planned, or the one that already held its key or slot), or a refusal. */
export type FireOutcome = Held | Refused;

/** An open execution issue as a fire sees it: one in the database, or one this plan creates. */
export interface ActiveExecution {
  id: string;
  originRunId: string | null;
}

export type PlannedIssue = Omit<IssueInsert, "issueNumber" | "identifier">;

/** The trigger and routine fields fires set; a later fire's value replaces an earlier one's. */
export interface TriggerMark {
  lastFiredAt?: Date;
  lastResult?: string | null;
  nextRunAt?: Date | null;
}
export interface RoutineMark {
  lastTriggeredAt?: Date;
  lastEnqueuedAt?: Date;
}

export interface FirePlan {
  runs: RunInsert[];
  issues: PlannedIssue[];
  comments: CommentInsert[];
  replays: ReplayInsert[];
  triggerMarks: Map<string, TriggerMark>;
  routineMarks: Map<string, RoutineMark>;
  /** The activity log entry of each run (`routine.run_triggered`), written only if its run is. */
  activity: RunActivityInsert[];
  /** What the fires decide on, as the batch read it and the plan changed it. */
  known: Knowledge;
}

export interface Knowledge {
  /** Routine id → its active execution (absent or null: none). */
  active: Map<string, ActiveExecution | null>;
  /** `keyOf(...)` → the run holding that idempotency key. */
  keys: Map<string, Held>;
  /** `slotOf(...)` → the run holding that schedule slot (read only by owners that may meet one: backfill). */
  slots: Map<string, Held>;
  /** Recorded, unexpired webhook fingerprints, as `fingerprintOf(...)`. */
  fingerprints: Set<string>;
}

export function newPlan(known: Partial<Knowledge> = {}): FirePlan {
  return {
    runs: [],
    issues: [],
    comments: [],
    replays: [],
    triggerMarks: new Map(),
    routineMarks: new Map(),
    activity: [],
    known: { active: new Map(), keys: new Map(), slots: new Map(), fingerprints: new Set(), ...known },
  };
}

/** An idempotency key is unique per routine and trigger (no trigger counts as one). */
export const keyOf = (routineId: string, triggerId: string | null | undefined, key: string) => `${routineId}/${triggerId ?? "-"}/${key}`;
export const slotOf = (triggerId: string, scheduledFor: Date) => `${triggerId}@${scheduledFor.getTime()}`;
export const fingerprintOf = (triggerId: string, fingerprint: string) => `${triggerId}/${fingerprint}`;

export const isEmptyPlan = (plan: FirePlan): boolean =>
  plan.runs.length === 0 && plan.triggerMarks.size === 0 && plan.routineMarks.size === 0 && plan.replays.length === 0;

/** `lastResult` texts on the trigger, as Paperclip writes them. */
const LAST_RESULT = {
  issue_created: "Created execution issue",
  coalesced: "Coalesced into active execution",
  skipped: "Skipped: routine already active",
} as const;

/**
 * The lifecycle refusal of a routine or trigger for this source, or null when it may fire. A paused routine
 * still runs when asked to (manual, api); a disabled trigger fires for no one, not even a run naming it.
 */
function lifecycle(routine: FiringRoutine, trigger: FiringTrigger | undefined, source: RunSource): Refusal | null {
  if (routine.status === "archived") return "routine_archived";
  const automatic = source === "schedule" || source === "webhook";
  if (automatic && routine.status === "paused") return "routine_paused";
  if (trigger && !trigger.enabled) return "trigger_disabled";
  return null;
}

/** Why a schedule fire refused by its lifecycle was skipped, as its run records it. */
const SKIPPED_BECAUSE: Partial<Record<Refusal, string>> = {
  routine_archived: "Routine is archived",
  routine_paused: "Routine is paused",
  trigger_disabled: "Routine trigger is disabled",
};

/** The execution issue's fields a fire decides: title and description rendered, agent and project (a run's or the routine's). */
interface ExecutionFields {
  title: string;
  description: string | null;
  assigneeAgentId: string | null;
  projectId: string | null;
}

/** Decides one fire and adds what it writes to `plan`; nothing is read or written. */
export function planFire(plan: FirePlan, req: FireRequest, { routine, trigger, now }: FireFacts, newId: () => string): FireOutcome {
  if (req.triggerId && !trigger) return { refused: "trigger_not_found" };
  if (!routine) return { refused: "routine_not_found" };
  if (trigger && trigger.routineId !== routine.id) return { refused: "trigger_of_another_routine" };
  const { known } = plan;
  const delivery = req.delivery;
  if (delivery && trigger) {
    const verified = delivery.verifiedWith;
    if (trigger.kind !== "webhook" || verified.secretCiphertext !== trigger.secretCiphertext || verified.signingMode !== trigger.signingMode) {
      return { refused: "secret_rotated" };
    }
    if (delivery.fingerprints.some((f) => known.fingerprints.has(fingerprintOf(trigger.id, f)))) {
      return { refused: "duplicate_delivery" };
    }
  }
  const outcome = decide(plan, req, { routine, trigger, now }, newId);
  if ("refused" in outcome || !delivery || trigger?.kind !== "webhook") return outcome;
  const retentionSec = replayRetentionSec(trigger);
  for (const fingerprint of delivery.fingerprints) {
    known.fingerprints.add(fingerprintOf(trigger.id, fingerprint));
    plan.replays.push({ triggerId: trigger.id, fingerprint, retentionSec });
  }
  return outcome;
}

function decide(plan: FirePlan, req: FireRequest, facts: FireFacts & { routine: FiringRoutine }, newId: () => string): FireOutcome {
  const { routine, trigger, now } = facts;
  const { known } = plan;
  const key = req.idempotencyKey ? keyOf(routine.id, req.triggerId, req.idempotencyKey) : null;
  const slot = trigger && req.scheduledFor ? slotOf(trigger.id, req.scheduledFor) : null;
  const held = (key && known.keys.get(key)) || (slot && known.slots.get(slot));
  if (held) return held;

  const refused = lifecycle(routine, trigger, req.source);
  // Scheduled fires are refused on the record; callers of other sources are refused, and nothing is planned.
  if (refused && req.source !== "schedule") return { refused };
  // A draft (no agent or project of its own) runs only when the run names what it lacks.
  const missing = req.source === "schedule" ? [] : draftGaps({ assigneeAgentId: req.assigneeAgentId ?? routine.assigneeAgentId, projectId: req.projectId ?? routine.projectId });
  if (missing.length) return { refused: "routine_draft", missing };
  // The routine's variables: given by the run (its variables, payload.variables) or the webhook's payload, else defaults.
  let values: Record<string, VariableValue> = {};
  let unresolved: string | null = null;
  try {
    // A routine without variables takes no values, whatever the fire gives.
    if (routine.variables.length) {
      const given = payloadValues(req.source, req.payload);
      values = resolveValues(routine.variables, req.variables ? { ...given, ...req.variables } : given);
    }
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (req.source !== "schedule" && !refused) return { refused: "variables_missing", detail: err.message };
    unresolved = err.message;
  }
  const payload = withVariables(req.payload ?? null, values);
  const actor = req.actor ?? "system";
  // The run this fire plans, completed in place as the fire is decided: a copy per outcome (spread, then keys
  // overwritten) took V8's slow path, a third of the planner's time for a coalesced webhook.
  const base: RunInsert = {
    id: newId(),
    companyId: routine.companyId,
    routineId: routine.id,
    triggerId: trigger?.id ?? null,
    source: req.source,
    status: "skipped",
    triggeredAt: now,
    scheduledFor: req.scheduledFor ?? null,
    idempotencyKey: req.idempotencyKey ?? null,
    triggerPayload: payload,
    routineRevisionId: routine.latestRevisionId,
    dispatchFingerprint: null,
    linkedIssueId: null,
    coalescedIntoRunId: null,
    failureReason: null,
    completedAt: null,
  };
  if (key) known.keys.set(key, { runId: base.id });
  if (slot) known.slots.set(slot, { runId: base.id });
  const skippedBecause = (refused && SKIPPED_BECAUSE[refused]!) || (req.gate && !req.gate.fire ? req.gate.reason : null) || unresolved;
  if (skippedBecause) {
    base.failureReason = skippedBecause;
    base.completedAt = now;
    planRun(plan, base, { lastResult: skippedBecause, actor, projectId: routine.projectId, newId });
    return { runId: base.id };
  }
  const execution: ExecutionFields = {
    ...renderExecution(routine, values, now),
    assigneeAgentId: req.assigneeAgentId ?? routine.assigneeAgentId,
    projectId: req.projectId ?? routine.projectId,
  };
  base.dispatchFingerprint = dispatchFingerprint({
    assigneeAgentId: execution.assigneeAgentId,
    description: execution.description,
    payload,
    projectId: execution.projectId,
    routineRevisionId: routine.latestRevisionId,
    title: execution.title,
  });

  const active = known.active.get(routine.id) ?? null;
  const outcome = decideConcurrency(routine.concurrencyPolicy, active !== null);
  if (outcome === "create" || !active) {
    planExecution(plan, routine, base, execution, { actor, newId });
    return { runId: base.id };
  }
  // Linked to the active issue: a skipped run's reason names it when read ("execution issue AR-1 is still open").
  base.linkedIssueId = active.id;
  base.coalescedIntoRunId = active.originRunId;
  base.completedAt = now;
  if (outcome === "skip") {
    planRun(plan, base, { lastResult: LAST_RESULT.skipped, actor, projectId: routine.projectId, newId });
  } else {
    base.status = "coalesced";
    planRun(plan, base, { lastResult: LAST_RESULT.coalesced, actor, projectId: routine.projectId, newId });
    const body = coalescedComment(req.source, now, req.payload ?? null);
    plan.comments.push({ companyId: routine.companyId, issueId: active.id, runId: base.id, body });
  }
  return { runId: base.id };
}

/**
 * Plans the record of scheduled occurrences that were not fired (missed beyond the grace, or beyond the
 * catch-up cap): one `skipped` run, so a user can see what was dropped and why.
 */
export function planDropped(
  plan: FirePlan,
  dropped: { scheduledFor: Date; reason: string },
  { routine, trigger, now }: { routine: FiringRoutine; trigger: FiringTrigger; now: Date },
  newId: () => string,
): void {
  planRun(
    plan,
    {
      id: newId(),
      companyId: routine.companyId,
      routineId: routine.id,
      triggerId: trigger.id,
      source: "schedule",
      status: "skipped",
      triggeredAt: now,
      scheduledFor: dropped.scheduledFor,
      idempotencyKey: null,
      triggerPayload: null,
      routineRevisionId: routine.latestRevisionId,
      dispatchFingerprint: null,
      linkedIssueId: null,
      coalescedIntoRunId: null,
      failureReason: dropped.reason,
      completedAt: now,
    },
    { lastResult: dropped.reason, actor: "system", projectId: routine.projectId, newId },
  );
}

export function markTrigger(plan: FirePlan, id: string, mark: TriggerMark): void {
  setMark(plan.triggerMarks, id, mark);
}

function markRoutine(plan: FirePlan, id: string, mark: RoutineMark): void {
  setMark(plan.routineMarks, id, mark);
}

/** A later mark's fields replace an earlier one's (set in place: a burst marks thousands). */
function setMark<M extends object>(marks: Map<string, M>, id: string, mark: M): void {
  const marked = marks.get(id);
  if (marked) Object.assign(marked, mark);
  else marks.set(id, { ...mark });
}

/** Adds a run (and its activity log entry) and notes the result on its trigger and routine. */
function planRun(
  plan: FirePlan,
  run: RunInsert,
  { lastResult, actor, projectId, newId }: { lastResult: string; actor: Actor | "system"; projectId: string | null; newId: () => string },
): void {
  plan.runs.push(run);
  const who = actorColumns(actor);
  const runId = actor === "system" ? null : (actor.runId ?? null);
  plan.activity.push({ id: newId(), routineRunId: run.id, actorType: who.actorType, actorId: who.actorId, agentId: who.agentId, projectId, runId });
  if (run.triggerId) markTrigger(plan, run.triggerId, { lastFiredAt: run.triggeredAt, lastResult });
  markRoutine(plan, run.routineId, { lastTriggeredAt: run.triggeredAt });
}

/** Adds a run that creates its execution issue (which wakes its assignee); the issue becomes the routine's active one. */
function planExecution(
  plan: FirePlan,
  routine: FiringRoutine,
  base: RunInsert,
  execution: ExecutionFields,
  { actor, newId }: { actor: Actor | "system"; newId: () => string },
): void {
  const issueId = newId();
  base.status = "issue_created";
  base.linkedIssueId = issueId;
  planRun(plan, base, { lastResult: LAST_RESULT.issue_created, actor, projectId: execution.projectId, newId });
  markRoutine(plan, routine.id, { lastEnqueuedAt: base.triggeredAt });
  plan.issues.push({
    id: issueId,
    companyId: routine.companyId,
    routineId: routine.id,
    runId: base.id,
    projectId: execution.projectId,
    goalId: routine.goalId,
    parentId: routine.parentIssueId,
    title: execution.title,
    description: execution.description,
    priority: routine.priority,
    assigneeAgentId: execution.assigneeAgentId,
  });
  plan.known.active.set(routine.id, { id: issueId, originRunId: base.id });
}

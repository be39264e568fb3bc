/**
 * A batch of fires: the firing protocol as one object. `openBatch` takes the routines' locks in id order (or
 * takes over the locks a scheduler claim took) and does the one context read for the fires it is opened for
 * (their triggers, the routines' active executions, the runs holding their keys or slots, the recorded
 * fingerprints, and the activity gate's facts when a scheduled fire's routine is gated). The batch then plans
 * those fires in order (`fire`), records dropped occurrences (`drop`) and trigger fields (`mark`), and writes
 * everything with one flush. So a batch is three round trips (lock, read, write) however many fires it holds,
 * with the same outcomes as firing them one by one.
 *
 * `togetherOrOneByOne` is the one retry policy of every batch owner (scheduler, group commit): when a batch
 * fails as a whole, each of its items is tried alone, in a savepoint, so one bad item cannot fail the others.
 */
import { type GateDecision, decideGate, gateApplies } from "../domain/activity-gate";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import { afterCommit, committing } from "../lib/after-commit";
import { uuidV7 } from "../lib/uuid-v7";
import type { Db, Executor, Tx } from "../store/db";
import { type GateFacts, fireRepo } from "../store/repos/fire";
import { type FiringRoutine, routinesRepo } from "../store/repos/routines";
import { type RunRow, runsRepo } from "../store/repos/runs";
import {
  type FireOutcome,
  type FirePlan,
  type FireRequest,
  type FiringTrigger,
  type TriggerMark,
  keyOf,
  markTrigger,
  newPlan,
  planDropped,
  planFire,
  slotOf,
} from "./plan";
import type { Refused } from "./refusals";
import { type PlanWriter, writePlan } from "./write";

/**
 * Told about every fire a flush wrote (metrics, the fire log line), once its transaction committed, and, by run
 * id, the logger of the request that asked for it (`FireRequest.log`).
 */
export type FireObserver = (runs: FirePlan["runs"], requestLogs: ReadonlyMap<string, NonNullable<FireRequest["log"]>>) => void;

/** What a caller gets for a fire: its run, or why it was refused. */
export type FireAnswer = { run: RunRow } | Refused;

export interface BatchScope {
  /** The fires to plan, in order. */
  fires: FireRequest[];
  /** Routines to lock, in id order. Omitted: the routines (and triggers) a scheduler claim has locked, in `claimed`. */
  claimed?: { routine: FiringRoutine; trigger: FiringTrigger }[];
  /** Read the runs already holding the fires' schedule slots (a backfill may overlap an earlier one). */
  slots?: boolean;
}

export interface FireBatch {
  /** The transaction's `now()`. */
  now: Date;
  /** Plans every fire of the batch, in order (once); what each came to. */
  fire(): FireOutcome[];
  /** Records occurrences of a claimed trigger that were not fired (a skipped run saying why). */
  drop(routine: FiringRoutine, trigger: FiringTrigger, dropped: { scheduledFor: Date; reason: string }): void;
  /** Sets trigger fields with the write (`nextRunAt`, `lastResult`). */
  mark(triggerId: string, mark: TriggerMark): void;
  /** Writes the batch: an answer per fire, in order. */
  flush(): Promise<FireAnswer[]>;
  /** Writes the batch, with no answers (a scheduler burst has no use for them). */
  flushQuietly(): Promise<void>;
}

export interface Firing {
  open(tx: Executor, scope: BatchScope): Promise<FireBatch>;
}

/** The firing protocol; `write` may be replaced to inject a failure in tests; `observe` hears every written fire. */
export function createFiring(config: { dispatch: { maxAttempts: number } }, write: PlanWriter = writePlan, observe?: FireObserver): Firing {
  return { open: (tx, scope) => openBatch(tx, scope, { maxAttempts: config.dispatch.maxAttempts, write, observe }) };
}

async function openBatch(
  tx: Executor,
  scope: BatchScope,
  o: { maxAttempts: number; write: PlanWriter; observe?: FireObserver },
): Promise<FireBatch> {
  const { fires } = scope;
  const routines = scope.claimed
    ? new Map(scope.claimed.map((c) => [c.routine.id, c.routine]))
    : await routinesRepo.lockMany(tx, [...new Set(fires.map((f) => f.routineId))].sort());
  const needsActive = [...routines.values()].filter((r) => r.concurrencyPolicy !== "always_enqueue").map((r) => r.id);
  // The gate is the scheduler's (a batch opened on its claim); a backfill is asked for by an operator and is not gated.
  const gated = scope.claimed ? gatedRoutines(routines, fires) : new Map<string, FiringRoutine>();
  const context = await fireRepo.context(tx, {
    triggerIds: scope.claimed ? [] : [...new Set(fires.flatMap((f) => (f.triggerId ? [f.triggerId] : [])))],
    activeFor: needsActive,
    openStatuses: OPEN_ISSUE_STATUSES,
    keys: fires.flatMap((f) => (f.idempotencyKey ? [{ routineId: f.routineId, triggerId: f.triggerId ?? null, key: f.idempotencyKey }] : [])),
    slots: scope.slots ? fires.flatMap((f) => (f.triggerId && f.scheduledFor ? [{ triggerId: f.triggerId, scheduledFor: f.scheduledFor }] : [])) : [],
    fingerprints: fires.flatMap((f) => (f.delivery && f.triggerId ? f.delivery.fingerprints.map((fingerprint) => ({ triggerId: f.triggerId!, fingerprint })) : [])),
    gated: [...gated.keys()],
  });
  const gates = gateDecisions(gated, context.gates);
  const triggers = new Map((scope.claimed?.map((c) => c.trigger) ?? context.triggers).map((t) => [t.id, t]));
  const activeIssues = new Map(context.active.map((i) => [i.routineId, i]));
  const plan: FirePlan = newPlan({
    active: new Map(needsActive.map((id) => {
      const issue = activeIssues.get(id);
      return [id, issue ? { id: issue.id, originRunId: issue.originRunId } : null];
    })),
    keys: new Map(context.held.flatMap((run) => (run.idempotencyKey ? [[keyOf(run.routineId, run.triggerId, run.idempotencyKey), { runId: run.id, existing: run }]] : []))),
    slots: new Map(context.held.flatMap((run) => (run.triggerId && run.scheduledFor ? [[slotOf(run.triggerId, run.scheduledFor), { runId: run.id, existing: run }]] : []))),
    fingerprints: context.live,
  });
  const now = context.now;
  let outcomes: FireOutcome[] | undefined;

  const batch: FireBatch = {
    now,
    fire() {
      if (outcomes) throw new Error("a batch plans its fires once");
      outcomes = fires.map((req) => {
        const gate = req.source === "schedule" ? gates.get(req.routineId) : undefined;
        return planFire(plan, gate ? { ...req, gate } : req, { routine: routines.get(req.routineId), trigger: req.triggerId ? triggers.get(req.triggerId) : undefined, now }, newRowId);
      });
      return outcomes;
    },
    drop: (routine, trigger, dropped) => planDropped(plan, dropped, { routine, trigger, now }, newRowId),
    mark: (triggerId, mark) => markTrigger(plan, triggerId, mark),
    async flushQuietly() {
      await o.write(tx, plan, { maxAttempts: o.maxAttempts, returning: "nothing" });
      afterCommit(tx, () => o.observe?.(plan.runs, requestLogs(fires, outcomes)));
    },
    async flush() {
      const planned = outcomes ?? batch.fire();
      const written = await o.write(tx, plan, { maxAttempts: o.maxAttempts, returning: "runs" });
      afterCommit(tx, () => o.observe?.(plan.runs, requestLogs(fires, planned)));
      return Promise.all(planned.map(async (outcome, i) => {
        if ("refused" in outcome) return outcome;
        const run = outcome.existing ?? written.get(outcome.runId) ?? (await heldSince(tx, plan, outcome.runId, fires[i]!));
        return { run };
      }));
    },
  };
  return batch;
}

/** Ids of the rows a batch writes (runs, issues, activity entries): time-ordered, so their indexes grow at one edge. */
const newRowId = () => uuidV7();

/** The routines of `fires` whose activity gate applies to one of their fires (a scheduled one), by id. */
function gatedRoutines(routines: Map<string, FiringRoutine>, fires: FireRequest[]): Map<string, FiringRoutine> {
  const gated = new Map<string, FiringRoutine>();
  for (const f of fires) {
    const routine = routines.get(f.routineId);
    if (routine && gateApplies({ policy: routine.activityGatePolicy, source: f.source })) gated.set(routine.id, routine);
  }
  return gated;
}

/** The gate's decision for each gated routine, from the facts the context read (one decision for all its fires of the batch). */
function gateDecisions(gated: Map<string, FiringRoutine>, facts: Map<string, GateFacts>): Map<string, GateDecision> {
  const none: GateFacts = { project: null, lastDispatchedAt: null, firstOutsideActivityAt: null };
  return new Map(
    [...gated].map(([id, r]) => [id, decideGate({ policy: r.activityGatePolicy, scope: r.activityGateScope, source: "schedule", ...(facts.get(id) ?? none) })]),
  );
}

/** Run id → the logger of the request that asked for the run (fires without one are left out). */
function requestLogs(fires: FireRequest[], outcomes: FireOutcome[] | undefined): Map<string, NonNullable<FireRequest["log"]>> {
  const logs = new Map<string, NonNullable<FireRequest["log"]>>();
  outcomes?.forEach((outcome, i) => {
    const log = fires[i]!.log;
    if (log && "runId" in outcome && !outcome.existing) logs.set(outcome.runId, log);
  });
  return logs;
}

/**
 * A planned run the write did not write: a fire that committed after the batch's read took its key or slot
 * (only a slot the batch did not read can be: every writer of a key holds the routine lock). Its run answers.
 */
async function heldSince(tx: Executor, plan: FirePlan, runId: string, req: FireRequest): Promise<RunRow> {
  const run = plan.runs.find((r) => r.id === runId);
  const found = !run
    ? undefined
    : run.idempotencyKey
      ? await runsRepo.findByIdempotencyKey(tx, run.routineId, run.triggerId, run.idempotencyKey)
      : run.triggerId && run.scheduledFor
        ? (await runsRepo.findBySlots(tx, run.triggerId, [run.scheduledFor])).get(run.scheduledFor.getTime())
        : undefined;
  if (!found) throw new Error(`run ${runId} of routine ${req.routineId} was neither written nor found`);
  return found;
}

/**
 * The one retry policy of every batch owner. The items (read in the transaction: a claim, or a given list)
 * go together in one transaction; if it fails, a second transaction reads them again and tries each alone in
 * a savepoint: an item that fails again gets `failed(item, error)` and is rolled back alone, the others commit.
 * `afterwards` runs in that transaction once every item was tried (a scheduler notes its failed triggers).
 */
export async function togetherOrOneByOne<I, A>(
  db: Db,
  o: {
    items: (tx: Tx) => Promise<I[]> | I[];
    together: (tx: Executor, items: I[]) => Promise<A[]>;
    failed: (item: I, err: unknown) => A;
    afterwards?: (tx: Tx, failures: { item: I; err: unknown }[]) => Promise<void>;
  },
): Promise<A[]> {
  try {
    return await committing(db, async (tx) => o.together(tx, await o.items(tx)));
  } catch {
    return committing(db, async (tx) => {
      const answers: A[] = [];
      const failures: { item: I; err: unknown }[] = [];
      for (const item of await o.items(tx)) {
        try {
          answers.push((await committing(tx, (sp) => o.together(sp, [item])))[0]!);
        } catch (err) {
          failures.push({ item, err });
          answers.push(o.failed(item, err));
        }
      }
      if (failures.length && o.afterwards) await o.afterwards(tx, failures);
      return answers;
    });
  }
}

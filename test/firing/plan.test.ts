/**
 * The planner without a database: every rule of a fire as rows of a table (policy × lifecycle × idempotency ×
 * catch-up, and a webhook delivery's checks under the lock), each row a fact set and what a user would see.
 */
import { describe, expect, it } from "vitest";
import type { ConcurrencyPolicy, RoutineStatus, RunSource } from "../../src/domain/enums";
import { type FireOutcome, type FirePlan, type FireRequest, fingerprintOf, keyOf, newPlan, planDropped, planFire, slotOf } from "../../src/firing/plan";
import { type Refusal, refusalError } from "../../src/firing/refusals";
import type { RoutineVariable } from "../../src/domain/routine-variables";
import type { RoutineRow } from "../../src/store/repos/routines";
import type { RunRow } from "../../src/store/repos/runs";
import type { TriggerRow } from "../../src/store/repos/triggers";
import { type Trigger, type WebhookTrigger, narrowTrigger } from "../../src/domain/trigger-kinds";

const NOW = new Date("2026-12-01T09:00:00Z");
const ROUTINE = "00000000-0000-4000-8000-00000000000a";
const TRIGGER = "00000000-0000-4000-8000-00000000000b";
const ACTIVE_ISSUE = "00000000-0000-4000-8000-0000000000c1";
const ACTIVE_RUN = "00000000-0000-4000-8000-0000000000c2";

function routine(over: Partial<RoutineRow> = {}): RoutineRow {
  return {
    id: ROUTINE,
    companyId: "00000000-0000-4000-8000-000000000001",
    projectId: "00000000-0000-4000-8000-000000000003",
    goalId: null,
    parentIssueId: null,
    title: "Weekly briefing",
    description: null,
    assigneeAgentId: "00000000-0000-4000-8000-000000000002",
    priority: "medium",
    status: "active",
    concurrencyPolicy: "coalesce_if_active",
    catchUpPolicy: "skip_missed",
    folderId: null,
    activityGatePolicy: "always",
    activityGateScope: "company",
    variables: [],
    env: null,
    latestRevisionId: null,
    latestRevisionNumber: 0,
    createdByAgentId: null,
    createdByUserId: null,
    updatedByAgentId: null,
    updatedByUserId: null,
    responsibleUserId: null,
    lastTriggeredAt: null,
    lastEnqueuedAt: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

/** A trigger as the store gives it: a row (every kind's columns, each read only for its kind) narrowed to its kind. */
function trigger(over: Partial<TriggerRow> = {}): Trigger {
  return narrowTrigger({
    id: TRIGGER,
    companyId: "00000000-0000-4000-8000-000000000001",
    routineId: ROUTINE,
    kind: "webhook",
    label: null,
    enabled: true,
    cronExpression: "0 9 * * 1",
    timezone: null,
    nextRunAt: null,
    lastFiredAt: null,
    lastResult: null,
    lastRefusedAt: null,
    lastRefusal: null,
    publicId: "pub",
    secretCiphertext: "cipher-1",
    signingMode: "hmac_sha256",
    replayWindowSec: null,
    lastRotatedAt: null,
    createdByAgentId: null,
    createdByUserId: null,
    updatedByAgentId: null,
    updatedByUserId: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  });
}

let ids = 0;
const newId = () => `00000000-0000-4000-9000-${String(++ids).padStart(12, "0")}`;

/** A plan that knows the routine's active execution (or that it has none). */
const planWith = (active: boolean, more: Parameters<typeof newPlan>[0] = {}): FirePlan =>
  newPlan({ active: new Map([[ROUTINE, active ? { id: ACTIVE_ISSUE, originRunId: ACTIVE_RUN } : null]]), ...more });

const runOf = (plan: FirePlan, outcome: FireOutcome) => ("runId" in outcome ? plan.runs.find((r) => r.id === outcome.runId) : undefined);

describe("concurrency policy × active execution", () => {
  it.each<[ConcurrencyPolicy, boolean, { status: string; issues: number; comments: number; linked: "new" | "active"; lastResult: string }]>([
    ["coalesce_if_active", false, { status: "issue_created", issues: 1, comments: 0, linked: "new", lastResult: "Created execution issue" }],
    ["coalesce_if_active", true, { status: "coalesced", issues: 0, comments: 1, linked: "active", lastResult: "Coalesced into active execution" }],
    ["skip_if_active", false, { status: "issue_created", issues: 1, comments: 0, linked: "new", lastResult: "Created execution issue" }],
    ["skip_if_active", true, { status: "skipped", issues: 0, comments: 0, linked: "active", lastResult: "Skipped: routine already active" }],
    ["always_enqueue", false, { status: "issue_created", issues: 1, comments: 0, linked: "new", lastResult: "Created execution issue" }],
    ["always_enqueue", true, { status: "issue_created", issues: 1, comments: 0, linked: "new", lastResult: "Created execution issue" }],
  ])("%s, active execution %s", (concurrencyPolicy, active, want) => {
    const plan = planWith(active);
    const outcome = planFire(plan, { routineId: ROUTINE, triggerId: TRIGGER, source: "webhook", payload: { n: 1 } }, { routine: routine({ concurrencyPolicy }), trigger: trigger(), now: NOW }, newId);
    const run = runOf(plan, outcome)!;
    expect(run.status).toBe(want.status);
    expect(plan.issues).toHaveLength(want.issues);
    expect(plan.comments).toHaveLength(want.comments);
    expect(run.linkedIssueId).toBe(want.linked === "active" ? ACTIVE_ISSUE : plan.issues[0]!.id);
    expect(run.coalescedIntoRunId).toBe(want.linked === "active" ? ACTIVE_RUN : null);
    // A skipped run's reason is rendered from its linked issue when read: nothing to number now.
    expect(run.failureReason).toBeNull();
    expect(plan.triggerMarks.get(TRIGGER)).toEqual({ lastFiredAt: NOW, lastResult: want.lastResult });
    expect(plan.routineMarks.get(ROUTINE)).toEqual(want.issues ? { lastTriggeredAt: NOW, lastEnqueuedAt: NOW } : { lastTriggeredAt: NOW });
  });

  it("a coalesced fire's payload goes on the active issue as a comment", () => {
    const plan = planWith(true);
    planFire(plan, { routineId: ROUTINE, source: "manual", payload: { context: "q4" } }, { routine: routine(), trigger: undefined, now: NOW }, newId);
    expect(plan.comments).toEqual([
      expect.objectContaining({ issueId: ACTIVE_ISSUE, body: `Coalesced manual fire at ${NOW.toISOString()}: {"context":"q4"}` }),
    ]);
  });

  it("a new execution issue carries the routine's fields and its run (whose fire the write records as its context), and becomes the active one", () => {
    const plan = planWith(false);
    const outcome = planFire(plan, { routineId: ROUTINE, source: "api", payload: { a: 1 } }, { routine: routine({ priority: "high" }), trigger: undefined, now: NOW }, newId);
    expect(plan.issues[0]).toMatchObject({ title: "Weekly briefing", priority: "high", runId: (outcome as { runId: string }).runId });
    expect(plan.known.active.get(ROUTINE)).toEqual({ id: plan.issues[0]!.id, originRunId: (outcome as { runId: string }).runId });
  });
});

describe("lifecycle × source", () => {
  type Want = { refused: Refusal } | { skipped: string } | "fires";
  it.each<[RoutineStatus, boolean, RunSource, Want]>([
    ["active", true, "schedule", "fires"],
    ["active", true, "webhook", "fires"],
    ["active", false, "schedule", { skipped: "Routine trigger is disabled" }],
    ["active", false, "webhook", { refused: "trigger_disabled" }],
    ["active", false, "manual", { refused: "trigger_disabled" }],
    ["active", false, "api", { refused: "trigger_disabled" }],
    ["paused", true, "schedule", { skipped: "Routine is paused" }],
    ["paused", true, "webhook", { refused: "routine_paused" }],
    ["paused", true, "manual", "fires"],
    ["paused", true, "api", "fires"],
    ["archived", true, "schedule", { skipped: "Routine is archived" }],
    ["archived", true, "webhook", { refused: "routine_archived" }],
    ["archived", true, "manual", { refused: "routine_archived" }],
    ["archived", true, "api", { refused: "routine_archived" }],
  ])("routine %s, trigger enabled %s, %s fire", (status, enabled, source, want) => {
    const plan = planWith(false);
    const kind = source === "schedule" ? "schedule" : "webhook";
    const outcome = planFire(plan, { routineId: ROUTINE, triggerId: TRIGGER, source }, { routine: routine({ status }), trigger: trigger({ kind, enabled }), now: NOW }, newId);
    if (want === "fires") {
      expect(runOf(plan, outcome)!.status).toBe("issue_created");
    } else if ("refused" in want) {
      expect(outcome).toEqual(want);
      expect(plan.runs).toHaveLength(0);
      expect(plan.triggerMarks.size).toBe(0);
    } else {
      expect(runOf(plan, outcome)).toMatchObject({ status: "skipped", failureReason: want.skipped, completedAt: NOW });
      expect(plan.issues).toHaveLength(0);
      expect(plan.triggerMarks.get(TRIGGER)?.lastResult).toBe(want.skipped);
    }
  });
});

describe("idempotency key and schedule slot", () => {
  const existing = { id: "00000000-0000-4000-8000-0000000000e1", status: "issue_created" } as RunRow;

  it.each<[string, Parameters<typeof newPlan>[0], FireRequest, "existing" | "new"]>([
    ["a key held in the database answers with its run", { keys: new Map([[keyOf(ROUTINE, null, "k"), { runId: existing.id, existing }]]) }, { routineId: ROUTINE, source: "api", idempotencyKey: "k" }, "existing"],
    ["the same key on a trigger is another key", { keys: new Map([[keyOf(ROUTINE, null, "k"), { runId: existing.id, existing }]]) }, { routineId: ROUTINE, source: "webhook", triggerId: TRIGGER, idempotencyKey: "k" }, "new"],
    ["a slot held in the database answers with its run", { slots: new Map([[slotOf(TRIGGER, NOW), { runId: existing.id, existing }]]) }, { routineId: ROUTINE, source: "schedule", triggerId: TRIGGER, scheduledFor: NOW }, "existing"],
    ["another slot fires", { slots: new Map([[slotOf(TRIGGER, NOW), { runId: existing.id, existing }]]) }, { routineId: ROUTINE, source: "schedule", triggerId: TRIGGER, scheduledFor: new Date(NOW.getTime() + 60_000) }, "new"],
  ])("%s", (_name, known, req, want) => {
    const plan = planWith(false, known);
    const outcome = planFire(plan, req, { routine: routine(), trigger: req.triggerId ? trigger({ kind: req.source === "schedule" ? "schedule" : "webhook" }) : undefined, now: NOW }, newId);
    if (want === "existing") {
      expect(outcome).toEqual({ runId: existing.id, existing });
      expect(plan.runs).toHaveLength(0);
    } else {
      expect(runOf(plan, outcome)).toBeDefined();
    }
  });

  it("a key taken by an earlier fire of the plan answers with that fire's run", () => {
    const plan = planWith(false);
    const facts = { routine: routine(), trigger: undefined, now: NOW };
    const first = planFire(plan, { routineId: ROUTINE, source: "api", idempotencyKey: "k" }, facts, newId);
    const second = planFire(plan, { routineId: ROUTINE, source: "api", idempotencyKey: "k", payload: { other: true } }, facts, newId);
    expect(second).toEqual(first);
    expect(plan.runs).toHaveLength(1);
  });

  it("a held key answers before the lifecycle: an archived routine still returns the run it made", () => {
    const plan = planWith(false, { keys: new Map([[keyOf(ROUTINE, null, "k"), { runId: existing.id, existing }]]) });
    expect(planFire(plan, { routineId: ROUTINE, source: "api", idempotencyKey: "k" }, { routine: routine({ status: "archived" }), trigger: undefined, now: NOW }, newId)).toEqual({ runId: existing.id, existing });
  });

  it("a refused fire takes no key: the next try may fire", () => {
    const plan = planWith(false);
    planFire(plan, { routineId: ROUTINE, source: "api", idempotencyKey: "k" }, { routine: routine({ status: "archived" }), trigger: undefined, now: NOW }, newId);
    expect(plan.known.keys.size).toBe(0);
  });
});

describe("caught-up occurrences of one routine in one plan decide on each other", () => {
  it.each<[ConcurrencyPolicy, string[]]>([
    ["coalesce_if_active", ["issue_created", "coalesced", "coalesced"]],
    ["skip_if_active", ["issue_created", "skipped", "skipped"]],
    ["always_enqueue", ["issue_created", "issue_created", "issue_created"]],
  ])("%s", (concurrencyPolicy, statuses) => {
    const plan = planWith(false);
    const facts = { routine: routine({ concurrencyPolicy }), trigger: trigger({ kind: "schedule", cronExpression: "* * * * *" }), now: NOW };
    const outcomes = [0, 1, 2].map((m) =>
      planFire(plan, { routineId: ROUTINE, triggerId: TRIGGER, source: "schedule", scheduledFor: new Date(NOW.getTime() - m * 60_000) }, facts, newId),
    );
    expect(outcomes.map((o) => runOf(plan, o)!.status)).toEqual(statuses);
    const first = runOf(plan, outcomes[0]!)!;
    for (const o of outcomes.slice(1)) {
      const run = runOf(plan, o)!;
      if (run.status !== "issue_created") expect(run).toMatchObject({ linkedIssueId: first.linkedIssueId, coalescedIntoRunId: first.id });
    }
    expect(plan.issues).toHaveLength(statuses.filter((s) => s === "issue_created").length);
  });

  it("dropped occurrences are recorded as one skipped run with the reason, and mark the trigger", () => {
    const plan = planWith(false);
    planDropped(plan, { scheduledFor: NOW, reason: "Dropped 3 missed scheduled runs" }, { routine: routine(), trigger: trigger({ kind: "schedule" }), now: NOW }, newId);
    expect(plan.runs).toEqual([expect.objectContaining({ status: "skipped", source: "schedule", scheduledFor: NOW, failureReason: "Dropped 3 missed scheduled runs" })]);
    expect(plan.triggerMarks.get(TRIGGER)?.lastResult).toBe("Dropped 3 missed scheduled runs");
  });
});

describe("a webhook delivery under the lock", () => {
  const delivery = (over: Partial<WebhookTrigger> = {}, fingerprints = ["sig:a"]): FireRequest => ({
    routineId: ROUTINE,
    source: "webhook",
    triggerId: TRIGGER,
    delivery: { verifiedWith: { secretCiphertext: "cipher-1", signingMode: "hmac_sha256", ...over }, fingerprints },
  });
  const facts = (over: Partial<TriggerRow> = {}) => ({ routine: routine(), trigger: trigger(over), now: NOW });

  it.each<[string, FireRequest, Partial<TriggerRow>, Set<string>, Refusal | null]>([
    ["verified against the current secret: fires", delivery(), {}, new Set(), null],
    ["the secret was rotated since", delivery(), { secretCiphertext: "cipher-2" }, new Set(), "secret_rotated"],
    ["the signing mode changed since", delivery(), { signingMode: "github_hmac" }, new Set(), "secret_rotated"],
    ["a fingerprint is recorded", delivery({}, ["sig:x", "sig:a"]), {}, new Set([fingerprintOf(TRIGGER, "sig:a")]), "duplicate_delivery"],
    ["a fingerprint of another trigger does not count", delivery(), {}, new Set([fingerprintOf("other", "sig:a")]), null],
  ])("%s", (_name, req, now, fingerprints, refused) => {
    const plan = planWith(false, { fingerprints });
    const outcome = planFire(plan, req, facts(now), newId);
    expect(outcome).toEqual(refused ? { refused } : { runId: expect.any(String) });
    expect(plan.replays).toHaveLength(refused ? 0 : 1);
  });

  it("records its fingerprints for as long as a replay could be accepted, and refuses the same delivery again in the plan", () => {
    const plan = planWith(false);
    planFire(plan, delivery(), facts({ replayWindowSec: 120 }), newId);
    expect(plan.replays).toEqual([{ triggerId: TRIGGER, fingerprint: "sig:a", retentionSec: 2 * 120 + 60 }]);
    expect(planFire(plan, delivery(), facts({ replayWindowSec: 120 }), newId)).toEqual({ refused: "duplicate_delivery" });
  });

  it("GitHub deliveries, which sign no timestamp, keep their fingerprints a day", () => {
    const plan = planWith(false);
    const req = delivery({ signingMode: "github_hmac" });
    planFire(plan, req, facts({ signingMode: "github_hmac" }), newId);
    expect(plan.replays[0]!.retentionSec).toBe(86_400);
  });
});

describe("what a fire refers to", () => {
  it.each<[string, FireRequest, { routine?: RoutineRow; trigger?: Trigger }, Refusal]>([
    ["an unknown trigger", { routineId: ROUTINE, source: "api", triggerId: TRIGGER }, { routine: routine() }, "trigger_not_found"],
    ["an unknown routine", { routineId: ROUTINE, source: "api" }, {}, "routine_not_found"],
    ["a trigger of another routine", { routineId: ROUTINE, source: "api", triggerId: TRIGGER }, { routine: routine(), trigger: trigger({ routineId: "other" }) }, "trigger_of_another_routine"],
  ])("%s is refused", (_name, req, facts, refused) => {
    const plan = planWith(false);
    expect(planFire(plan, req, { routine: facts.routine, trigger: facts.trigger, now: NOW }, newId)).toEqual({ refused });
    expect(plan.runs).toHaveLength(0);
  });
});

describe("drafts", () => {
  it.each<[string, Partial<RoutineRow>, Partial<FireRequest>, { refused: Refusal; missing: string[] } | "fires"]>([
    ["a run of a routine without agent and project is refused, naming both", { assigneeAgentId: null, projectId: null }, {}, { refused: "routine_draft", missing: ["assigneeAgentId", "projectId"] }],
    ["a run naming what the draft lacks fires", { projectId: null }, { projectId: "00000000-0000-4000-8000-0000000000b9" }, "fires"],
    ["a run naming only the agent still lacks the project", { assigneeAgentId: null, projectId: null }, { assigneeAgentId: "00000000-0000-4000-8000-0000000000a9" }, { refused: "routine_draft", missing: ["projectId"] }],
  ])("%s", (_name, over, req, want) => {
    const plan = planWith(false);
    const outcome = planFire(plan, { routineId: ROUTINE, source: "manual", ...req }, { routine: routine(over), trigger: undefined, now: NOW }, newId);
    if (want === "fires") expect(runOf(plan, outcome)!.status).toBe("issue_created");
    else {
      expect(outcome).toEqual(want);
      expect(plan.runs).toHaveLength(0);
      expect(refusalError(want.refused, "manual", undefined, want.missing)).toMatchObject({
        status: 422,
        message: `Routine is a draft: set ${want.missing.join(" and ")} before running it`,
      });
    }
  });
});

describe("a refusal as its caller answers it", () => {
  it.each<[Refusal, RunSource, number, string]>([
    ["routine_not_found", "manual", 404, "Routine not found"],
    ["trigger_not_found", "webhook", 404, "Routine trigger not found"],
    ["trigger_of_another_routine", "api", 403, "Trigger does not belong to routine"],
    ["trigger_disabled", "manual", 409, "Routine trigger is not active"],
    ["secret_rotated", "webhook", 401, "Unauthorized"],
    ["duplicate_delivery", "webhook", 409, "Duplicate delivery"],
    ["routine_archived", "manual", 409, "Routine is archived"],
    ["routine_archived", "webhook", 409, "Routine trigger is not active"],
    ["routine_paused", "webhook", 409, "Routine trigger is not active"],
    ["trigger_disabled", "webhook", 409, "Routine trigger is not active"],
  ])("%s (%s): %i %s", (refusal, source, status, message) => {
    expect(refusalError(refusal, source)).toMatchObject({ status, message });
  });
});

describe("variables × source", () => {
  const topic = (over: Partial<RoutineVariable> = {}): RoutineVariable => ({ name: "topic", label: null, type: "text", defaultValue: null, required: true, options: [], ...over });
  const titled = (variables: RoutineVariable[]) => routine({ title: "Brief on {{topic}}", description: "Due {{date}}", variables });
  type Want = { title: string; variables?: Record<string, unknown> } | { refused: Refusal; detail: string } | { skipped: string };
  it.each<[string, RoutineVariable[], RunSource, Record<string, unknown> | null, Want]>([
    ["a run's value is rendered and recorded", [topic()], "api", { variables: { topic: "Q4" } }, { title: "Brief on Q4", variables: { topic: "Q4" } }],
    ["a webhook's top-level key is a value", [topic()], "webhook", { topic: "churn" }, { title: "Brief on churn", variables: { topic: "churn" } }],
    ["the default stands in for a missing value", [topic({ defaultValue: "sales" })], "schedule", null, { title: "Brief on sales", variables: { topic: "sales" } }],
    ["a given value wins over the default", [topic({ defaultValue: "sales" })], "manual", { variables: { topic: "ops" } }, { title: "Brief on ops", variables: { topic: "ops" } }],
    ["an optional variable without a value stays as written (Paperclip)", [topic({ required: false })], "api", null, { title: "Brief on {{topic}}" }],
    ["a webhook missing a required value is refused, naming it", [topic()], "webhook", { other: 1 }, { refused: "variables_missing", detail: "Missing routine variables: topic" }],
    ["an api run missing a required value is refused", [topic()], "api", null, { refused: "variables_missing", detail: "Missing routine variables: topic" }],
    ["a schedule fire missing a required value is a skipped run saying why", [topic()], "schedule", null, { skipped: "Missing routine variables: topic" }],
  ])("%s", (_name, variables, source, payload, want) => {
    const plan = planWith(false);
    const kind = source === "schedule" ? "schedule" : "webhook";
    const triggerId = source === "api" || source === "manual" ? null : TRIGGER;
    const outcome = planFire(plan, { routineId: ROUTINE, triggerId, source, payload }, { routine: titled(variables), trigger: triggerId ? trigger({ kind }) : undefined, now: NOW }, newId);
    if ("refused" in want) {
      expect(outcome).toEqual(want);
      expect(plan.runs).toHaveLength(0);
      expect(refusalError(want.refused, source, want.detail)).toMatchObject({ status: 422, message: want.detail });
    } else if ("skipped" in want) {
      expect(runOf(plan, outcome)).toMatchObject({ status: "skipped", failureReason: want.skipped });
      expect(plan.issues).toHaveLength(0);
    } else {
      const run = runOf(plan, outcome)!;
      expect(plan.issues[0]).toMatchObject({ title: want.title, description: "Due 2026-12-01" });
      if (want.variables) expect(run.triggerPayload).toMatchObject({ variables: want.variables });
      expect(run.dispatchFingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe("activity gate, overrides, activity rows", () => {
  const scheduled = (gate?: FireRequest["gate"]): FireRequest => ({ routineId: ROUTINE, triggerId: TRIGGER, source: "schedule", scheduledFor: NOW, gate });
  it.each<[string, FireRequest["gate"], "fires" | string]>([
    ["no decision (ungated routine) fires", undefined, "fires"],
    ["the gate open fires", { fire: true }, "fires"],
    ["the gate closed is a skipped run with its reason", { fire: false, reason: "Skipped: no activity in the company since 2026-11-30T09:00:00.000Z" }, "Skipped: no activity in the company since 2026-11-30T09:00:00.000Z"],
  ])("%s", (_name, gate, want) => {
    const plan = planWith(false);
    const outcome = planFire(plan, scheduled(gate), { routine: routine(), trigger: trigger({ kind: "schedule" }), now: NOW }, newId);
    const run = runOf(plan, outcome)!;
    if (want === "fires") expect(run.status).toBe("issue_created");
    else {
      expect(run).toMatchObject({ status: "skipped", failureReason: want });
      expect(plan.issues).toHaveLength(0);
      expect(plan.triggerMarks.get(TRIGGER)?.lastResult).toBe(want);
    }
  });

  it("a lifecycle skip is reported before the gate", () => {
    const plan = planWith(false);
    const outcome = planFire(plan, scheduled({ fire: false, reason: "gated" }), { routine: routine({ status: "paused" }), trigger: trigger({ kind: "schedule" }), now: NOW }, newId);
    expect(runOf(plan, outcome)!.failureReason).toBe("Routine is paused");
  });

  it("a run may name another agent and project; its activity row names the actor, the run it acts for and the issue's project", () => {
    const plan = planWith(false);
    const agentId = "00000000-0000-4000-8000-0000000000a9";
    const projectId = "00000000-0000-4000-8000-0000000000b9";
    const runId = "00000000-0000-4000-8000-0000000000c9";
    const actor = { kind: "agent" as const, agentId, companyId: routine().companyId, keyId: "k", runId };
    const outcome = planFire(plan, { routineId: ROUTINE, source: "api", assigneeAgentId: agentId, projectId, actor }, { routine: routine({ latestRevisionId: "00000000-0000-4000-8000-0000000000d1" }), trigger: undefined, now: NOW }, newId);
    const run = runOf(plan, outcome)!;
    expect(plan.issues[0]).toMatchObject({ assigneeAgentId: agentId, projectId });
    expect(run.routineRevisionId).toBe("00000000-0000-4000-8000-0000000000d1");
    expect(plan.activity).toEqual([{ id: expect.any(String), routineRunId: run.id, actorType: "agent", actorId: agentId, agentId, projectId, runId }]);
  });

  it("every planned run has one activity row; schedules and dropped occurrences are routined's own", () => {
    const plan = planWith(true);
    const facts = { routine: routine(), trigger: trigger({ kind: "schedule" }), now: NOW };
    planFire(plan, scheduled(), facts, newId);
    planDropped(plan, { scheduledFor: new Date(NOW.getTime() - 3_600_000), reason: "missed" }, facts, newId);
    expect(plan.activity.map((a) => [a.routineRunId, a.actorType, a.actorId])).toEqual(plan.runs.map((r) => [r.id, "system", "routined"]));
  });
});

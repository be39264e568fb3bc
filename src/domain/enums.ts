/** Every enumeration of the wire format, as const arrays next to their zod schemas. */
import { z } from "zod";

export const ROUTINE_STATUSES = ["active", "paused", "archived"] as const;
export const PRIORITIES = ["critical", "high", "medium", "low"] as const;
export const CONCURRENCY_POLICIES = ["coalesce_if_active", "skip_if_active", "always_enqueue"] as const;
export const CATCH_UP_POLICIES = ["skip_missed", "enqueue_missed_with_cap"] as const;
export const TRIGGER_KINDS = ["schedule", "webhook", "api"] as const;
export const SIGNING_MODES = ["bearer", "hmac_sha256", "github_hmac", "standard_webhooks", "none"] as const;
export const ACTIVITY_GATE_POLICIES = ["always", "require_external_activity"] as const;
export const ACTIVITY_GATE_SCOPES = ["company", "project"] as const;
export const ACTIVITY_ACTOR_TYPES = ["user", "agent", "system"] as const;
export const VARIABLE_TYPES = ["text", "textarea", "number", "boolean", "select", "date"] as const;
export const RUN_STATUSES = ["received", "issue_created", "coalesced", "skipped", "completed", "failed"] as const;
export const RUN_SOURCES = ["schedule", "manual", "api", "webhook"] as const;
export const ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"] as const;
/** Issue statuses in which an execution issue still counts as the routine's active execution. */
export const OPEN_ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "blocked"] as const;
export const AGENT_STATUSES = ["active", "paused"] as const;
export const ADAPTER_TYPES = ["poll", "http", "process"] as const;
export const HEARTBEAT_STATUSES = [
  "queued",
  "running",
  "scheduled_retry",
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
] as const;
/** How one delivery attempt of a heartbeat run ended (`heartbeat_attempts.outcome`). */
export const ATTEMPT_OUTCOMES = ["succeeded", "failed", "timed_out", "lease_lapsed"] as const;
export const PROJECT_STATUSES = ["backlog", "planned", "in_progress", "completed", "cancelled"] as const;
export const GOAL_STATUSES = ["planned", "active", "achieved", "cancelled"] as const;
/** Annotation threads on a routine's description (Paperclip's document annotations). */
export const ANNOTATION_THREAD_STATUSES = ["open", "resolved"] as const;
export const ANCHOR_STATES = ["active", "stale", "orphaned"] as const;
export const ANCHOR_CONFIDENCES = ["exact", "duplicate", "fuzzy", "ambiguous", "missing"] as const;

export const routineStatus = z.enum(ROUTINE_STATUSES);
export const priority = z.enum(PRIORITIES);
export const concurrencyPolicy = z.enum(CONCURRENCY_POLICIES);
export const catchUpPolicy = z.enum(CATCH_UP_POLICIES);
export const triggerKind = z.enum(TRIGGER_KINDS);
export const signingMode = z.enum(SIGNING_MODES);
export const activityGatePolicy = z.enum(ACTIVITY_GATE_POLICIES);
export const activityGateScope = z.enum(ACTIVITY_GATE_SCOPES);
export const variableType = z.enum(VARIABLE_TYPES);
export const runStatus = z.enum(RUN_STATUSES);
export const runSource = z.enum(RUN_SOURCES);
export const issueStatus = z.enum(ISSUE_STATUSES);
export const agentStatus = z.enum(AGENT_STATUSES);
export const adapterType = z.enum(ADAPTER_TYPES);
export const heartbeatStatus = z.enum(HEARTBEAT_STATUSES);
export const attemptOutcome = z.enum(ATTEMPT_OUTCOMES);
export const projectStatus = z.enum(PROJECT_STATUSES);
export const goalStatus = z.enum(GOAL_STATUSES);
export const activityActorType = z.enum(ACTIVITY_ACTOR_TYPES);
export const annotationThreadStatus = z.enum(ANNOTATION_THREAD_STATUSES);
export const anchorState = z.enum(ANCHOR_STATES);
export const anchorConfidence = z.enum(ANCHOR_CONFIDENCES);

export type RoutineStatus = z.infer<typeof routineStatus>;
export type Priority = z.infer<typeof priority>;
export type ConcurrencyPolicy = z.infer<typeof concurrencyPolicy>;
export type CatchUpPolicy = z.infer<typeof catchUpPolicy>;
export type TriggerKind = z.infer<typeof triggerKind>;
export type SigningMode = z.infer<typeof signingMode>;
export type ActivityGatePolicy = z.infer<typeof activityGatePolicy>;
export type ActivityGateScope = z.infer<typeof activityGateScope>;
export type VariableType = z.infer<typeof variableType>;
export type RunStatus = z.infer<typeof runStatus>;
export type RunSource = z.infer<typeof runSource>;
export type IssueStatus = z.infer<typeof issueStatus>;
export type AdapterType = z.infer<typeof adapterType>;
export type HeartbeatStatus = z.infer<typeof heartbeatStatus>;

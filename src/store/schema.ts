/**
 * The one place the database schema lives. `npm run db:generate` turns changes here into a new
 * numbered SQL migration in `src/store/migrations/`, which is committed and applied at start.
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import * as E from "../domain/enums";
import type { RoutineVariable } from "../domain/routine-variables";
import type { StoredEnv } from "../domain/routine-env";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => ts("created_at").notNull().defaultNow();
const updatedAt = () => ts("updated_at").notNull().defaultNow();
const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);

export const companies = pgTable("companies", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  description: text("description"),
  issuePrefix: text("issue_prefix").notNull(),
  issueCounter: integer("issue_counter").notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const agents = pgTable(
  "agents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role"),
    title: text("title"),
    status: text("status", { enum: E.AGENT_STATUSES }).notNull().default("active"),
    adapterType: text("adapter_type", { enum: E.ADAPTER_TYPES }).notNull().default("poll"),
    adapterConfig: jsonb("adapter_config").$type<Record<string, unknown>>().notNull().default({}),
    /** Secret that signs HTTP deliveries to this agent, encrypted with the server key. */
    deliverySecretCiphertext: text("delivery_secret_ciphertext"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("agents_company_idx").on(t.companyId),
    check("agents_status_ck", inList("status", E.AGENT_STATUSES)),
    check("agents_adapter_type_ck", inList("adapter_type", E.ADAPTER_TYPES)),
  ],
);

export const agentApiKeys = pgTable(
  "agent_api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    name: text("name"),
    /** First characters of the key, safe to show so a user can tell keys apart. */
    keyPrefix: text("key_prefix").notNull(),
    /** SHA-256 hex of the whole key: keys are high-entropy, so a fast hash is enough. */
    keyHash: text("key_hash").notNull(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("agent_api_keys_hash_uq").on(t.keyHash), index("agent_api_keys_agent_idx").on(t.agentId)],
);

export const boardTokens = pgTable(
  "board_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name"),
    tokenPrefix: text("token_prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("board_tokens_hash_uq").on(t.tokenHash)],
);

export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    status: text("status", { enum: E.PROJECT_STATUSES }).notNull().default("in_progress"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("projects_company_idx").on(t.companyId)],
);

export const goals = pgTable(
  "goals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description"),
    status: text("status", { enum: E.GOAL_STATUSES }).notNull().default("active"),
    parentId: uuid("parent_id").references((): AnyPgColumn => goals.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("goals_company_idx").on(t.companyId)],
);

export const issues = pgTable(
  "issues",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    goalId: uuid("goal_id").references(() => goals.id, { onDelete: "set null" }),
    parentId: uuid("parent_id").references((): AnyPgColumn => issues.id, { onDelete: "set null" }),
    issueNumber: integer("issue_number").notNull(),
    identifier: text("identifier").notNull(),
    title: text("title").notNull(),
    description: text("description"),
    status: text("status", { enum: E.ISSUE_STATUSES }).notNull().default("backlog"),
    priority: text("priority", { enum: E.PRIORITIES }).notNull().default("medium"),
    assigneeAgentId: uuid("assignee_agent_id").references(() => agents.id, { onDelete: "set null" }),
    /** `manual` for issues people create; `routine_execution` for the issue a routine run creates. */
    originKind: text("origin_kind").notNull().default("manual"),
    originId: text("origin_id"),
    originRunId: uuid("origin_run_id"),
    /** What the agent needs to do the work: for execution issues, the trigger payload and source. */
    context: jsonb("context").$type<Record<string, unknown>>(),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    startedAt: ts("started_at"),
    completedAt: ts("completed_at"),
    cancelledAt: ts("cancelled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("issues_company_number_uq").on(t.companyId, t.issueNumber),
    index("issues_company_status_idx").on(t.companyId, t.status),
    /** The issue list's order (newest first, id breaking ties; scanned backwards) and its page cursor. */
    index("issues_company_created_idx").on(t.companyId, t.createdAt, t.id),
    index("issues_assignee_idx").on(t.assigneeAgentId),
    index("issues_origin_idx").on(t.originKind, t.originId, t.status),
    check(
      "issues_status_ck",
      inList("status", E.ISSUE_STATUSES),
    ),
    check("issues_priority_ck", inList("priority", E.PRIORITIES)),
  ],
);

export const issueComments = pgTable(
  "issue_comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    issueId: uuid("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    /** `board`, `agent` or `system` (comments routined writes itself, e.g. coalesced fires). */
    authorKind: text("author_kind").notNull(),
    authorAgentId: uuid("author_agent_id").references(() => agents.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("issue_comments_issue_idx").on(t.issueId, t.createdAt)],
);

export const routines = pgTable(
  "routines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "cascade" }),
    goalId: uuid("goal_id").references(() => goals.id, { onDelete: "set null" }),
    parentIssueId: uuid("parent_issue_id").references(() => issues.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    description: text("description"),
    assigneeAgentId: uuid("assignee_agent_id").references(() => agents.id),
    priority: text("priority", { enum: E.PRIORITIES }).notNull().default("medium"),
    status: text("status", { enum: E.ROUTINE_STATUSES }).notNull().default("active"),
    concurrencyPolicy: text("concurrency_policy", { enum: E.CONCURRENCY_POLICIES }).notNull().default("coalesce_if_active"),
    catchUpPolicy: text("catch_up_policy", { enum: E.CATCH_UP_POLICIES }).notNull().default("skip_missed"),
    /** Paperclip's routine folders: stored, not a resource of routined. */
    folderId: uuid("folder_id"),
    activityGatePolicy: text("activity_gate_policy", { enum: E.ACTIVITY_GATE_POLICIES }).notNull().default("always"),
    activityGateScope: text("activity_gate_scope", { enum: E.ACTIVITY_GATE_SCOPES }).notNull().default("company"),
    /** Typed variables of the title and description templates (Paperclip's `RoutineVariable[]`). */
    variables: jsonb("variables").$type<RoutineVariable[]>().notNull().default([]),
    /** Environment handed to the agent: `{ NAME: { type: "plain", ciphertext } }`, values encrypted with the server key. */
    env: jsonb("env").$type<StoredEnv>(),
    latestRevisionId: uuid("latest_revision_id"),
    latestRevisionNumber: integer("latest_revision_number").notNull().default(0),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    updatedByAgentId: uuid("updated_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    updatedByUserId: text("updated_by_user_id"),
    responsibleUserId: text("responsible_user_id"),
    lastTriggeredAt: ts("last_triggered_at"),
    lastEnqueuedAt: ts("last_enqueued_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("routines_company_status_idx").on(t.companyId, t.status),
    index("routines_company_project_idx").on(t.companyId, t.projectId),
    check("routines_status_ck", inList("status", E.ROUTINE_STATUSES)),
    check("routines_priority_ck", inList("priority", E.PRIORITIES)),
    check(
      "routines_concurrency_ck",
      inList("concurrency_policy", E.CONCURRENCY_POLICIES),
    ),
    check("routines_catch_up_ck", inList("catch_up_policy", E.CATCH_UP_POLICIES)),
    check("routines_activity_gate_policy_ck", inList("activity_gate_policy", E.ACTIVITY_GATE_POLICIES)),
    check("routines_activity_gate_scope_ck", inList("activity_gate_scope", E.ACTIVITY_GATE_SCOPES)),
  ],
);

export const routineTriggers = pgTable(
  "routine_triggers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id")
      .notNull()
      .references(() => routines.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: E.TRIGGER_KINDS }).notNull(),
    label: text("label"),
    enabled: boolean("enabled").notNull().default(true),
    cronExpression: text("cron_expression"),
    timezone: text("timezone"),
    nextRunAt: ts("next_run_at"),
    lastFiredAt: ts("last_fired_at"),
    lastResult: text("last_result"),
    /** Webhook triggers: when a request to the public URL was last refused, and with what answer. */
    lastRefusedAt: ts("last_refused_at"),
    lastRefusal: text("last_refusal"),
    publicId: text("public_id"),
    /** The webhook secret, AES-256-GCM encrypted with the server key; never returned after create/rotate. */
    secretCiphertext: text("secret_ciphertext"),
    signingMode: text("signing_mode", { enum: E.SIGNING_MODES }),
    replayWindowSec: integer("replay_window_sec"),
    lastRotatedAt: ts("last_rotated_at"),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    updatedByAgentId: uuid("updated_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    updatedByUserId: text("updated_by_user_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("routine_triggers_routine_idx").on(t.routineId),
    index("routine_triggers_due_idx")
      .on(t.nextRunAt)
      .where(sql`kind = 'schedule' and enabled and next_run_at is not null`),
    uniqueIndex("routine_triggers_public_id_uq").on(t.publicId),
    check("routine_triggers_kind_ck", inList("kind", E.TRIGGER_KINDS)),
    // What each kind needs (domain/trigger-kinds.ts narrowTrigger reads a row as its kind). NOT VALID in the
    // migration: rows written before it are not checked, new and updated rows are.
    check("routine_triggers_schedule_ck", sql`kind <> 'schedule' or cron_expression is not null`),
    check("routine_triggers_webhook_ck", sql`kind <> 'webhook' or (public_id is not null and secret_ciphertext is not null)`),
  ],
);

export const routineRuns = pgTable(
  "routine_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id")
      .notNull()
      .references(() => routines.id, { onDelete: "cascade" }),
    triggerId: uuid("trigger_id").references(() => routineTriggers.id, { onDelete: "set null" }),
    source: text("source", { enum: E.RUN_SOURCES }).notNull(),
    status: text("status", { enum: E.RUN_STATUSES }).notNull().default("received"),
    triggeredAt: ts("triggered_at").notNull().defaultNow(),
    /** The occurrence a schedule run is for; unique per trigger so a slot can never fire twice. */
    scheduledFor: ts("scheduled_for"),
    idempotencyKey: text("idempotency_key"),
    triggerPayload: jsonb("trigger_payload").$type<Record<string, unknown>>(),
    linkedIssueId: uuid("linked_issue_id").references(() => issues.id, { onDelete: "set null" }),
    coalescedIntoRunId: uuid("coalesced_into_run_id").references((): AnyPgColumn => routineRuns.id, {
      onDelete: "set null",
    }),
    failureReason: text("failure_reason"),
    completedAt: ts("completed_at"),
    /** The routine revision the run fired from. */
    routineRevisionId: uuid("routine_revision_id"),
    /** SHA-256 of what the run dispatched (payload, variables, assignee, project, revision): Paperclip's field. */
    dispatchFingerprint: text("dispatch_fingerprint"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    /**
     * A routine's runs newest first: its run list, and the activity gate's "last dispatched run" (a fire's run
     * is created at the instant it is triggered, its transaction's `now()`, so one index serves both).
     */
    index("routine_runs_routine_created_idx").on(t.routineId, t.createdAt),
    index("routine_runs_linked_issue_idx").on(t.linkedIssueId),
    uniqueIndex("routine_runs_trigger_slot_uq").on(t.triggerId, t.scheduledFor),
    uniqueIndex("routine_runs_idempotency_uq")
      .on(t.routineId, sql`coalesce(trigger_id, '00000000-0000-0000-0000-000000000000'::uuid)`, t.idempotencyKey)
      .where(sql`idempotency_key is not null`),
    check("routine_runs_source_ck", inList("source", E.RUN_SOURCES)),
    check(
      "routine_runs_status_ck",
      inList("status", E.RUN_STATUSES),
    ),
  ],
);

export const heartbeatRuns = pgTable(
  "heartbeat_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    issueId: uuid("issue_id").references(() => issues.id, { onDelete: "set null" }),
    routineRunId: uuid("routine_run_id").references(() => routineRuns.id, { onDelete: "set null" }),
    status: text("status", { enum: E.HEARTBEAT_STATUSES }).notNull().default("queued"),
    attempt: integer("attempt").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    /** When the run may next be claimed (retry backoff). */
    runAfter: ts("run_after").notNull().defaultNow(),
    /** While running: when the claim lapses and the run may be retried. */
    leaseExpiresAt: ts("lease_expires_at"),
    claimedBy: text("claimed_by"),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    summary: text("summary"),
    error: text("error"),
    output: text("output"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("heartbeat_runs_agent_idx").on(t.agentId, t.createdAt),
    index("heartbeat_runs_claimable_idx")
      .on(t.runAfter)
      .where(sql`status in ('queued', 'scheduled_retry')`),
    index("heartbeat_runs_lease_idx").on(t.leaseExpiresAt).where(sql`status = 'running'`),
    check(
      "heartbeat_runs_status_ck",
      inList("status", E.HEARTBEAT_STATUSES),
    ),
  ],
);

/** Accepted webhook signatures / delivery ids, kept until their replay window has passed. */
/**
 * One row per delivery attempt of a heartbeat run (the run itself keeps only its attempt count and
 * last error), written by the statement that ends the attempt: the dispatcher's batched results, a
 * poll agent's completion, the sweep of lapsed leases.
 */
export const heartbeatAttempts = pgTable(
  "heartbeat_attempts",
  {
    heartbeatRunId: uuid("heartbeat_run_id")
      .notNull()
      .references(() => heartbeatRuns.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at").notNull().defaultNow(),
    /** The agent's adapter when the attempt was made. */
    adapterType: text("adapter_type", { enum: E.ADAPTER_TYPES }).notNull(),
    outcome: text("outcome", { enum: E.ATTEMPT_OUTCOMES }).notNull(),
    /** The HTTP status the agent answered, or the command's exit code, when known. */
    code: integer("code"),
    /** Truncated; never a secret or the signing header (adapters' errors do not carry them). */
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.heartbeatRunId, t.attempt] }),
    check("heartbeat_attempts_outcome_ck", inList("outcome", E.ATTEMPT_OUTCOMES)),
  ],
);

export const webhookReplays = pgTable(
  "webhook_replays",
  {
    triggerId: uuid("trigger_id")
      .notNull()
      .references(() => routineTriggers.id, { onDelete: "cascade" }),
    /** SHA-256 of the signature or delivery id that was accepted. */
    fingerprint: text("fingerprint").notNull(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.triggerId, t.fingerprint] }), index("webhook_replays_expires_idx").on(t.expiresAt)],
);

/** A snapshot of a routine and its triggers at each change (Paperclip's `routineRevisionSnapshotV1`, no secrets). */
export const routineRevisions = pgTable(
  "routine_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id")
      .notNull()
      .references(() => routines.id, { onDelete: "cascade" }),
    revisionNumber: integer("revision_number").notNull(),
    title: text("title").notNull(),
    description: text("description"),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    /** The routine's env as stored (values encrypted), so a restore brings it back; never served. */
    envCiphertext: jsonb("env_ciphertext").$type<StoredEnv>(),
    changeSummary: text("change_summary"),
    restoredFromRevisionId: uuid("restored_from_revision_id"),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    createdByRunId: uuid("created_by_run_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("routine_revisions_routine_number_uq").on(t.routineId, t.revisionNumber)],
);

/** Who did what: an audit trail, and what the activity gate looks at. */
export const activityLog = pgTable(
  "activity_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    /** `user` (the board), `agent` or `system` (routined itself: the scheduler, webhooks). */
    actorType: text("actor_type", { enum: E.ACTIVITY_ACTOR_TYPES }).notNull(),
    actorId: text("actor_id").notNull(),
    agentId: uuid("agent_id"),
    runId: uuid("run_id"),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    /** The project the entity belongs to, when it has one: the activity gate's project scope. */
    projectId: uuid("project_id"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("activity_log_company_created_idx").on(t.companyId, t.createdAt, t.id),
    index("activity_log_project_created_idx").on(t.projectId, t.createdAt),
    check("activity_log_actor_type_ck", inList("actor_type", E.ACTIVITY_ACTOR_TYPES)),
  ],
);

/**
 * A routine's description as a document with numbered revisions (Paperclip's routine documents, key
 * "description"): what annotation threads anchor to. A revision is added whenever the description changes.
 */
export const routineDocuments = pgTable(
  "routine_documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id")
      .notNull()
      .references(() => routines.id, { onDelete: "cascade" }),
    key: text("key").notNull().default("description"),
    body: text("body").notNull(),
    latestRevisionId: uuid("latest_revision_id"),
    latestRevisionNumber: integer("latest_revision_number").notNull(),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    updatedByAgentId: uuid("updated_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    updatedByUserId: text("updated_by_user_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("routine_documents_routine_key_uq").on(t.routineId, t.key)],
);

export const routineDocumentRevisions = pgTable(
  "routine_document_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    documentId: uuid("document_id")
      .notNull()
      .references(() => routineDocuments.id, { onDelete: "cascade" }),
    revisionNumber: integer("revision_number").notNull(),
    body: text("body").notNull(),
    changeSummary: text("change_summary"),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("routine_document_revisions_number_uq").on(t.documentId, t.revisionNumber)],
);

/** A comment thread anchored to a passage of a routine's description; the anchor follows the text as it is edited. */
export const annotationThreads = pgTable(
  "annotation_threads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id")
      .notNull()
      .references(() => routines.id, { onDelete: "cascade" }),
    documentId: uuid("document_id")
      .notNull()
      .references(() => routineDocuments.id, { onDelete: "cascade" }),
    documentKey: text("document_key").notNull(),
    status: text("status", { enum: E.ANNOTATION_THREAD_STATUSES }).notNull().default("open"),
    anchorState: text("anchor_state", { enum: E.ANCHOR_STATES }).notNull().default("active"),
    anchorConfidence: text("anchor_confidence", { enum: E.ANCHOR_CONFIDENCES }).notNull().default("exact"),
    originalRevisionId: uuid("original_revision_id"),
    originalRevisionNumber: integer("original_revision_number").notNull(),
    currentRevisionId: uuid("current_revision_id"),
    currentRevisionNumber: integer("current_revision_number").notNull(),
    selectedText: text("selected_text").notNull(),
    prefixText: text("prefix_text").notNull(),
    suffixText: text("suffix_text").notNull(),
    normalizedStart: integer("normalized_start").notNull(),
    normalizedEnd: integer("normalized_end").notNull(),
    markdownStart: integer("markdown_start").notNull(),
    markdownEnd: integer("markdown_end").notNull(),
    anchorSelector: jsonb("anchor_selector").$type<Record<string, unknown>>().notNull(),
    createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    createdByUserId: text("created_by_user_id"),
    resolvedByAgentId: uuid("resolved_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
    resolvedByUserId: text("resolved_by_user_id"),
    resolvedAt: ts("resolved_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("annotation_threads_routine_idx").on(t.routineId, t.updatedAt),
    check("annotation_threads_status_ck", inList("status", E.ANNOTATION_THREAD_STATUSES)),
    check("annotation_threads_anchor_state_ck", inList("anchor_state", E.ANCHOR_STATES)),
    check("annotation_threads_anchor_confidence_ck", inList("anchor_confidence", E.ANCHOR_CONFIDENCES)),
  ],
);

export const annotationComments = pgTable(
  "annotation_comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => annotationThreads.id, { onDelete: "cascade" }),
    routineId: uuid("routine_id").notNull(),
    documentId: uuid("document_id").notNull(),
    body: text("body").notNull(),
    authorType: text("author_type", { enum: E.ACTIVITY_ACTOR_TYPES }).notNull(),
    authorAgentId: uuid("author_agent_id").references(() => agents.id, { onDelete: "set null" }),
    authorUserId: text("author_user_id"),
    /** The heartbeat run the author said it acted for (`X-Paperclip-Run-Id`). */
    createdByRunId: uuid("created_by_run_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("annotation_comments_thread_idx").on(t.threadId, t.createdAt),
    check("annotation_comments_author_type_ck", inList("author_type", E.ACTIVITY_ACTOR_TYPES)),
  ],
);

export const schemaTables = {
  companies,
  agents,
  agentApiKeys,
  boardTokens,
  projects,
  goals,
  issues,
  issueComments,
  routines,
  routineTriggers,
  routineRuns,
  heartbeatRuns,
  heartbeatAttempts,
  webhookReplays,
  routineRevisions,
  activityLog,
  routineDocuments,
  routineDocumentRevisions,
  annotationThreads,
  annotationComments,
};


/**
 * The API's enumerations. The server's module also builds zod schemas, which the page must not
 * bundle, so the values are repeated here; typing each as the server's tuple makes typecheck fail
 * the moment the two differ.
 */
import type * as D from "../domain/enums";

export const ROUTINE_STATUSES: typeof D.ROUTINE_STATUSES = ["active", "paused", "archived"];
export const PRIORITIES: typeof D.PRIORITIES = ["critical", "high", "medium", "low"];
export const CONCURRENCY_POLICIES: typeof D.CONCURRENCY_POLICIES = ["coalesce_if_active", "skip_if_active", "always_enqueue"];
export const CATCH_UP_POLICIES: typeof D.CATCH_UP_POLICIES = ["skip_missed", "enqueue_missed_with_cap"];
export const SIGNING_MODES: typeof D.SIGNING_MODES = ["bearer", "hmac_sha256", "github_hmac", "standard_webhooks", "none"];
export const RUN_STATUSES: typeof D.RUN_STATUSES = ["received", "issue_created", "coalesced", "skipped", "completed", "failed"];
export const RUN_SOURCES: typeof D.RUN_SOURCES = ["schedule", "manual", "api", "webhook"];
export const ISSUE_STATUSES: typeof D.ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"];
export const ADAPTER_TYPES: typeof D.ADAPTER_TYPES = ["poll", "http", "process"];
export const VARIABLE_TYPES: typeof D.VARIABLE_TYPES = ["text", "textarea", "number", "boolean", "select", "date"];

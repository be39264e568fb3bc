/**
 * The bad-input table: every management endpoint (plus manual runs, run history, cron preview), fed
 * wrong types, missing and unknown fields, unknown enum values, oversized strings, invalid and
 * foreign ids, bad schedules, broken JSON and wrong content types. Each answers the expected 4xx with `{ error, details? }` and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AGENTS_ENV, type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { dbState } from "../helpers/db-state";

type World = Awaited<ReturnType<typeof seedWorld>>;
interface Fixtures extends World {
  goal: { id: string };
  otherGoal: { id: string };
  issue: { id: string };
  otherIssue: { id: string };
  /** Assigned to `agent`. */
  routine: { id: string };
  /** Assigned to `peer`. */
  peerRoutine: { id: string };
  archived: { id: string };
  otherRoutine: { id: string };
  schedule: { id: string };
  webhook: { id: string };
  api: { id: string };
  otherTrigger: { id: string };
  revokedKey: string;
}

interface Case {
  /** What is wrong with the request. */
  what: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: (f: Fixtures) => string;
  /** An object is sent as JSON; a string is sent as is, with `contentType`. */
  body?: unknown | ((f: Fixtures) => unknown);
  contentType?: string;
  headers?: Record<string, string>;
  /** Bearer credential; omitted = the board (local trusted mode). */
  token?: (f: Fixtures) => string;
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;
  error?: RegExp;
}

const UNKNOWN = "00000000-0000-4000-8000-000000000000";
const JSON_TYPE = "application/json";
const long = (n: number) => "x".repeat(n);
const agent = (f: Fixtures) => f.agent.key;
const outsider = (f: Fixtures) => f.outsider.key;

const companies: Case[] = [
  { what: "missing name", method: "POST", url: () => "/api/companies", body: {}, status: 400 },
  { what: "name of the wrong type", method: "POST", url: () => "/api/companies", body: { name: 42 }, status: 400 },
  { what: "blank name", method: "POST", url: () => "/api/companies", body: { name: "   " }, status: 400 },
  { what: "name over 200 characters", method: "POST", url: () => "/api/companies", body: { name: long(201) }, status: 400 },
  { what: "lower-case issue prefix", method: "POST", url: () => "/api/companies", body: { name: "A", issuePrefix: "acme" }, status: 400 },
  { what: "unknown field", method: "POST", url: () => "/api/companies", body: { name: "A", plan: "gold" }, status: 400 },
  { what: "NUL character in the name", method: "POST", url: () => "/api/companies", body: { name: "Ac\u0000me" }, status: 400, error: /NUL/ },
  { what: "malformed JSON", method: "POST", url: () => "/api/companies", body: '{"name": "Acme"', contentType: JSON_TYPE, status: 400, error: /Malformed JSON/ },
  { what: "a JSON array instead of an object", method: "POST", url: () => "/api/companies", body: "[]", contentType: JSON_TYPE, status: 400 },
  { what: "a JSON null body", method: "POST", url: () => "/api/companies", body: "null", contentType: JSON_TYPE, status: 400 },
  { what: "empty body with a JSON content type", method: "POST", url: () => "/api/companies", body: "", contentType: JSON_TYPE, status: 400 },
  { what: "no body at all", method: "POST", url: () => "/api/companies", status: 400 },
  { what: "__proto__ key in the JSON", method: "POST", url: () => "/api/companies", body: '{"name":"A","__proto__":{"x":1}}', contentType: JSON_TYPE, status: 400 },
  { what: "text/plain body", method: "POST", url: () => "/api/companies", body: "name=Acme", contentType: "text/plain", status: 415 },
  { what: "form-encoded body", method: "POST", url: () => "/api/companies", body: "name=Acme", contentType: "application/x-www-form-urlencoded", status: 415 },
  { what: "body over 1 MiB", method: "POST", url: () => "/api/companies", body: JSON.stringify({ name: long(1_100_000) }), contentType: JSON_TYPE, status: 413 },
  { what: "empty patch", method: "PATCH", url: (f) => `/api/companies/${f.company.id}`, body: {}, status: 400 },
  { what: "patching the issue prefix", method: "PATCH", url: (f) => `/api/companies/${f.company.id}`, body: { issuePrefix: "NEW" }, status: 400 },
  { what: "agent patching its company", method: "PATCH", url: (f) => `/api/companies/${f.company.id}`, body: { name: "Mine" }, token: agent, status: 403 },
  { what: "agent creating a company", method: "POST", url: () => "/api/companies", body: { name: "Rogue" }, token: agent, status: 403 },
  { what: "malformed company id", method: "GET", url: () => "/api/companies/acme", status: 400 },
  { what: "unknown company", method: "PATCH", url: () => `/api/companies/${UNKNOWN}`, body: { name: "Ghost" }, status: 404 },
  { what: "malformed percent-encoding in the path", method: "GET", url: () => "/api/companies/%E0%A4%A", status: 400 },
  { what: "revoked agent key", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "x" }, token: (f) => f.revokedKey, status: 401 },
  { what: "non-bearer Authorization header", method: "GET", url: () => "/api/companies", headers: { authorization: "Basic cm9vdDpyb290" }, status: 401 },
];

const agents: Case[] = [
  { what: "missing name", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { role: "ceo" }, status: 400 },
  { what: "unknown adapter type", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterType: "pigeon" }, status: 400 },
  { what: "adapterConfig that is not an object", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterConfig: "http://x" }, status: 400 },
  { what: "http adapter without a url", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterType: "http", adapterConfig: {} }, status: 422, error: /adapterConfig/ },
  { what: "process adapter with an empty command", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterType: "process", adapterConfig: { command: [] } }, status: 422 },
  { what: "poll adapter with stray config", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterConfig: { url: "https://x" } }, status: 422 },
  { what: "NUL character inside adapterConfig", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "A", adapterType: "process", adapterConfig: { command: [process.execPath], env: { NOTE: "run\u0000" } } }, status: 400, error: /NUL/ },
  { what: "agent creating an agent", method: "POST", url: (f) => `/api/companies/${f.company.id}/agents`, body: { name: "Clone" }, token: agent, status: 403 },
  { what: "agent of another company listing agents", method: "GET", url: (f) => `/api/companies/${f.company.id}/agents`, token: outsider, status: 403 },
  { what: "agent patching another agent", method: "PATCH", url: (f) => `/api/agents/${f.peer.id}`, body: { name: "Renamed" }, token: agent, status: 403 },
  { what: "patching the agent status directly", method: "PATCH", url: (f) => `/api/agents/${f.agent.id}`, body: { status: "paused" }, status: 400 },
  { what: "role over 100 characters", method: "PATCH", url: (f) => `/api/agents/${f.agent.id}`, body: { role: long(101) }, status: 400 },
  { what: "unknown agent", method: "GET", url: () => `/api/agents/${UNKNOWN}`, status: 404 },
  { what: "board asking for /agents/me", method: "GET", url: () => "/api/agents/me", status: 404 },
];

const keys: Case[] = [
  { what: "key name of the wrong type", method: "POST", url: (f) => `/api/agents/${f.agent.id}/keys`, body: { name: 7 }, status: 400 },
  { what: "unknown field on a key", method: "POST", url: (f) => `/api/agents/${f.agent.id}/keys`, body: { scopes: ["all"] }, status: 400 },
  { what: "agent minting a key for another agent", method: "POST", url: (f) => `/api/agents/${f.peer.id}/keys`, body: {}, token: agent, status: 403 },
  { what: "agent reading another agent's keys", method: "GET", url: (f) => `/api/agents/${f.peer.id}/keys`, token: agent, status: 403 },
  { what: "revoking another agent's key through this agent", method: "DELETE", url: (f) => `/api/agents/${f.agent.id}/keys/${f.peer.keyId}`, status: 404 },
  { what: "malformed key id", method: "DELETE", url: (f) => `/api/agents/${f.agent.id}/keys/key-1`, status: 400 },
];

const projectsAndGoals: Case[] = [
  { what: "unknown project status", method: "POST", url: (f) => `/api/companies/${f.company.id}/projects`, body: { name: "P", status: "done" }, status: 400 },
  { what: "description over 20 000 characters", method: "POST", url: (f) => `/api/companies/${f.company.id}/projects`, body: { name: "P", description: long(20_001) }, status: 400 },
  { what: "agent of another company creating a project", method: "POST", url: (f) => `/api/companies/${f.company.id}/projects`, body: { name: "P" }, token: outsider, status: 403 },
  { what: "empty project patch", method: "PATCH", url: (f) => `/api/projects/${f.project.id}`, body: {}, status: 400 },
  { what: "moving a project to another company", method: "PATCH", url: (f) => `/api/projects/${f.project.id}`, body: { companyId: UNKNOWN }, status: 400 },
  { what: "unknown project", method: "GET", url: () => `/api/projects/${UNKNOWN}`, status: 404 },
  { what: "goal without a title", method: "POST", url: (f) => `/api/companies/${f.company.id}/goals`, body: { status: "active" }, status: 400 },
  { what: "unknown goal status", method: "POST", url: (f) => `/api/companies/${f.company.id}/goals`, body: { title: "G", status: "done" }, status: 400 },
  { what: "goal parent of another company", method: "POST", url: (f) => `/api/companies/${f.company.id}/goals`, body: (f: Fixtures) => ({ title: "G", parentId: f.otherGoal.id }), status: 422, error: /parentId/ },
  { what: "goal as its own parent", method: "PATCH", url: (f) => `/api/goals/${f.goal.id}`, body: (f: Fixtures) => ({ parentId: f.goal.id }), status: 422 },
  { what: "malformed goal parent id", method: "PATCH", url: (f) => `/api/goals/${f.goal.id}`, body: { parentId: "root" }, status: 400 },
  { what: "agent of another company reading a goal", method: "GET", url: (f) => `/api/goals/${f.goal.id}`, token: outsider, status: 403 },
];

const issues: Case[] = [
  { what: "missing title", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { status: "todo" }, status: 400 },
  { what: "title over 500 characters", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: long(501) }, status: 400 },
  { what: "unknown status", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "T", status: "open" }, status: 400 },
  { what: "unknown priority", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "T", priority: "urgent" }, status: 400 },
  { what: "priority of the wrong type", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "T", priority: 1 }, status: 400 },
  { what: "setting the identifier", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "T", identifier: "ACM-1" }, status: 400 },
  { what: "malformed assignee id", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: { title: "T", assigneeAgentId: "ceo" }, status: 400 },
  { what: "assignee of another company", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: (f: Fixtures) => ({ title: "T", assigneeAgentId: f.outsider.id }), status: 422, error: /^assigneeAgentId/ },
  { what: "project of another company", method: "POST", url: (f) => `/api/companies/${f.company.id}/issues`, body: (f: Fixtures) => ({ title: "T", projectId: f.otherProject.id }), status: 422, error: /^projectId/ },
  { what: "parent issue of another company", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: (f: Fixtures) => ({ parentId: f.otherIssue.id }), status: 422, error: /^parentId/ },
  { what: "unknown goal", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: { goalId: UNKNOWN }, status: 422, error: /^goalId/ },
  { what: "issue as its own parent", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: (f: Fixtures) => ({ parentId: f.issue.id }), status: 422 },
  { what: "empty issue patch", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: {}, status: 400 },
  { what: "patching the origin", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: { originKind: "routine_execution" }, status: 400 },
  { what: "NUL character in the description", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: { description: "a\u0000b" }, status: 400, error: /NUL/ },
  { what: "agent of another company patching an issue", method: "PATCH", url: (f) => `/api/issues/${f.issue.id}`, body: { status: "done" }, token: outsider, status: 403 },
  { what: "unknown issue", method: "PATCH", url: () => `/api/issues/${UNKNOWN}`, body: { status: "done" }, status: 404, error: /^Issue not found$/ },
  { what: "malformed issue id", method: "GET", url: () => "/api/issues/ACM-1", status: 400 },
  { what: "unknown status filter", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?status=todo,open`, status: 400 },
  { what: "limit above 200", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?limit=500`, status: 400 },
  { what: "limit that is not a number", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?limit=all`, status: 400 },
  { what: "cursor of another company", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?before=${f.otherIssue.id}`, status: 400 },
  { what: "unknown query parameter", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?sort=title`, status: 400 },
  { what: "NUL character in a filter", method: "GET", url: (f) => `/api/companies/${f.company.id}/issues?originId=%00`, status: 400, error: /NUL/ },
];

const comments: Case[] = [
  { what: "missing comment body", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: {}, status: 400 },
  { what: "blank comment", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: { body: " \n\t" }, status: 400 },
  { what: "comment over 50 000 characters", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: { body: long(50_001) }, status: 400 },
  { what: "comment body of the wrong type", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: { body: ["hi"] }, status: 400 },
  { what: "choosing the author", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: { body: "hi", authorKind: "system" }, status: 400 },
  { what: "comment sent as text/plain", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: "hi", contentType: "text/plain", status: 415 },
  { what: "agent of another company commenting", method: "POST", url: (f) => `/api/issues/${f.issue.id}/comments`, body: { body: "hi" }, token: outsider, status: 403 },
  { what: "comment on an unknown issue", method: "POST", url: () => `/api/issues/${UNKNOWN}/comments`, body: { body: "hi" }, status: 404 },
];

const routineBody = (f: Fixtures, extra: Record<string, unknown> = {}) => ({
  title: "Briefing",
  assigneeAgentId: f.agent.id,
  projectId: f.project.id,
  ...extra,
});
const routines: Case[] = [
  { what: "variable of an unknown type", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { title: "{{x}}", variables: [{ name: "x", type: "color" }] }), status: 400 },
  { what: "select variable without options", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { title: "{{x}}", variables: [{ name: "x", type: "select" }] }), status: 400, error: /options/ },
  { what: "env bound to a Paperclip secret", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { env: { TOKEN: { type: "secret_ref", secretId: UNKNOWN } } }), status: 422, error: /^env\.TOKEN/ },
  { what: "unknown concurrency policy", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { concurrencyPolicy: "queue" }), status: 400 },
  { what: "unknown catch-up policy", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { catchUpPolicy: "all" }), status: 400 },
  { what: "routine title over 200 characters", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { title: long(201) }), status: 400 },
  { what: "triggers inline in the routine", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { triggers: [] }), status: 400 },
  { what: "assignee of another company", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { assigneeAgentId: f.outsider.id }), status: 422, error: /^assigneeAgentId/ },
  { what: "parent issue of another company", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { parentIssueId: f.otherIssue.id }), status: 422, error: /^parentIssueId/ },
  { what: "goal of another company", method: "PATCH", url: (f) => `/api/routines/${f.routine.id}`, body: (f: Fixtures) => ({ goalId: f.otherGoal.id }), status: 422, error: /^goalId/ },
  { what: "agent creating a routine for another agent", method: "POST", url: (f) => `/api/companies/${f.company.id}/routines`, body: (f: Fixtures) => routineBody(f, { assigneeAgentId: f.peer.id }), token: agent, status: 403 },
  { what: "agent updating another agent's routine", method: "PATCH", url: (f) => `/api/routines/${f.peerRoutine.id}`, body: { title: "Mine now" }, token: agent, status: 403 },
  { what: "agent reassigning its own routine", method: "PATCH", url: (f) => `/api/routines/${f.routine.id}`, body: (f: Fixtures) => ({ assigneeAgentId: f.peer.id }), token: agent, status: 403 },
  { what: "agent of another company reading a routine", method: "GET", url: (f) => `/api/routines/${f.routine.id}`, token: outsider, status: 403 },
  { what: "reviving an archived routine", method: "PATCH", url: (f) => `/api/routines/${f.archived.id}`, body: { status: "active" }, status: 409, error: /^Routine is archived$/ },
  { what: "unknown field in a routine patch", method: "PATCH", url: (f) => `/api/routines/${f.routine.id}`, body: { triggers: [] }, status: 400, error: /triggers/ },
  { what: "stale base revision", method: "PATCH", url: (f) => `/api/routines/${f.routine.id}`, body: { title: "Stale", baseRevisionId: UNKNOWN }, status: 409, error: /changed|updated/ },
  { what: "unknown routine", method: "GET", url: () => `/api/routines/${UNKNOWN}`, status: 404, error: /^Routine not found$/ },
  { what: "unknown routine status filter", method: "GET", url: (f) => `/api/companies/${f.company.id}/routines?status=running`, status: 400 },
];

const triggers: Case[] = [
  { what: "trigger without a kind", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { cronExpression: "0 9 * * 1" }, status: 400 },
  { what: "unknown trigger kind", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "email" }, status: 400 },
  { what: "schedule without a cron expression", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule" }, status: 400 },
  { what: "cron expression with an out-of-range minute", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "61 9 * * 1" }, status: 422, error: /cron/i },
  { what: "cron expression with too few fields", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "0 9 *" }, status: 422, error: /cron/i },
  { what: "cron expression of words", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "every monday" }, status: 422, error: /cron/i },
  { what: "cron expression that never fires (31 February)", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "0 0 31 2 *" }, status: 422, error: /never fires/ },
  { what: "cron expression over 200 characters", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: `0 ${"1,".repeat(100)}2 * * *` }, status: 400 },
  { what: "unknown time zone", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "Mars/Olympus_Mons" }, status: 422, error: /^Invalid timezone/ },
  { what: "UTC offset instead of a time zone", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "+02:00" }, status: 422, error: /^Invalid timezone/ },
  { what: "webhook field on a schedule trigger", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "schedule", cronExpression: "0 9 * * 1", signingMode: "bearer" }, status: 400 },
  { what: "unknown signing mode", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "webhook", signingMode: "md5" }, status: 400 },
  { what: "replay window under 30 seconds", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "webhook", replayWindowSec: 5 }, status: 400 },
  { what: "replay window that is not an integer", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "webhook", replayWindowSec: 60.5 }, status: 400 },
  { what: "enabled as a string", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "api", enabled: "yes" }, status: 400 },
  { what: "label over 120 characters", method: "POST", url: (f) => `/api/routines/${f.routine.id}/triggers`, body: { kind: "api", label: long(121) }, status: 400 },
  { what: "trigger on an archived routine", method: "POST", url: (f) => `/api/routines/${f.archived.id}/triggers`, body: { kind: "api" }, status: 409, error: /^Routine is archived$/ },
  { what: "agent adding a trigger to another agent's routine", method: "POST", url: (f) => `/api/routines/${f.peerRoutine.id}/triggers`, body: { kind: "api" }, token: agent, status: 403 },
  { what: "trigger on a routine of another company", method: "POST", url: (f) => `/api/routines/${f.otherRoutine.id}/triggers`, body: { kind: "api" }, token: agent, status: 403 },
  { what: "new cron expression that does not parse", method: "PATCH", url: (f) => `/api/routine-triggers/${f.schedule.id}`, body: { cronExpression: "0 25 * * *" }, status: 422, error: /cron/i },
  { what: "new time zone that does not exist", method: "PATCH", url: (f) => `/api/routine-triggers/${f.schedule.id}`, body: { timezone: "Europe/Amsterdm" }, status: 422, error: /^Invalid timezone/ },
  { what: "cron expression on a webhook trigger", method: "PATCH", url: (f) => `/api/routine-triggers/${f.webhook.id}`, body: { cronExpression: "0 9 * * 1" }, status: 422 },
  { what: "signing mode on an api trigger", method: "PATCH", url: (f) => `/api/routine-triggers/${f.api.id}`, body: { signingMode: "hmac_sha256" }, status: 422 },
  { what: "changing the trigger kind", method: "PATCH", url: (f) => `/api/routine-triggers/${f.api.id}`, body: { kind: "webhook" }, status: 400 },
  { what: "setting the public id", method: "PATCH", url: (f) => `/api/routine-triggers/${f.webhook.id}`, body: { publicId: "a".repeat(24) }, status: 400 },
  // (An empty body with a JSON content type is an empty patch, as Paperclip's UI sends it: see paperclip-compat.test.ts.)
  { what: "a JSON array as a trigger patch", method: "PATCH", url: (f) => `/api/routine-triggers/${f.schedule.id}`, body: "[]", contentType: JSON_TYPE, status: 400 },
  { what: "NUL character in a label", method: "PATCH", url: (f) => `/api/routine-triggers/${f.api.id}`, body: { label: "a\u0000" }, status: 400, error: /NUL/ },
  { what: "rotating the secret of an api trigger", method: "POST", url: (f) => `/api/routine-triggers/${f.api.id}/rotate-secret`, status: 422 },
  { what: "rotating with an unknown field", method: "POST", url: (f) => `/api/routine-triggers/${f.webhook.id}/rotate-secret`, body: { secret: "mine" }, status: 400 },
  { what: "rotating to an unknown signing mode", method: "POST", url: (f) => `/api/routine-triggers/${f.webhook.id}/rotate-secret`, body: { signingMode: "md5" }, status: 400 },
  { what: "agent of another company rotating a secret", method: "POST", url: (f) => `/api/routine-triggers/${f.webhook.id}/rotate-secret`, token: outsider, status: 403 },
  { what: "agent deleting a trigger of another company", method: "DELETE", url: (f) => `/api/routine-triggers/${f.otherTrigger.id}`, token: agent, status: 403 },
  { what: "deleting an unknown trigger", method: "DELETE", url: () => `/api/routine-triggers/${UNKNOWN}`, status: 404, error: /^Routine trigger not found$/ },
  { what: "malformed trigger id (404, as Paperclip)", method: "PATCH", url: () => "/api/routine-triggers/daily", body: { enabled: false }, status: 404, error: /^Routine trigger not found$/ },
];

const runs: Case[] = [
  { what: "run with a schedule source", method: "POST", url: (f) => `/api/routines/${f.routine.id}/run`, body: { source: "schedule" }, status: 400 },
  { what: "run payload that is an array", method: "POST", url: (f) => `/api/routines/${f.routine.id}/run`, body: { payload: [1, 2] }, status: 400 },
  { what: "NUL character in a run payload", method: "POST", url: (f) => `/api/routines/${f.routine.id}/run`, body: { payload: { note: "a\u0000" } }, status: 400, error: /NUL/ },
  { what: "idempotency key over 255 characters", method: "POST", url: (f) => `/api/routines/${f.routine.id}/run`, body: { idempotencyKey: long(256) }, status: 400 },
  { what: "trigger of another routine", method: "POST", url: (f) => `/api/routines/${f.peerRoutine.id}/run`, body: (f: Fixtures) => ({ triggerId: f.api.id }), status: 403 },
  { what: "unknown trigger", method: "POST", url: (f) => `/api/routines/${f.routine.id}/run`, body: { triggerId: UNKNOWN }, status: 404 },
  { what: "running an archived routine", method: "POST", url: (f) => `/api/routines/${f.archived.id}/run`, body: {}, status: 409, error: /^Routine is archived$/ },
  { what: "agent running another agent's routine", method: "POST", url: (f) => `/api/routines/${f.peerRoutine.id}/run`, body: {}, token: agent, status: 403 },
  { what: "agent of another company listing runs", method: "GET", url: (f) => `/api/routines/${f.routine.id}/runs`, token: outsider, status: 403 },
  { what: "unknown run status filter", method: "GET", url: (f) => `/api/routines/${f.routine.id}/runs?status=done`, status: 400 },
  { what: "run cursor that is neither an id nor a time", method: "GET", url: (f) => `/api/routines/${f.routine.id}/runs?before=yesterday`, status: 400 },
  { what: "cron preview of an out-of-range hour", method: "POST", url: () => "/api/cron/preview", body: { cronExpression: "0 24 * * *" }, status: 422, error: /cron/i },
  { what: "cron preview in a misspelt zone", method: "POST", url: () => "/api/cron/preview", body: { cronExpression: "0 9 * * 1", timezone: "Europe/Amsterdm" }, status: 422, error: /^Invalid timezone/ },
  { what: "cron preview count over 100", method: "POST", url: () => "/api/cron/preview", body: { cronExpression: "0 9 * * 1", count: 1000 }, status: 400 },
];

const table = { companies, agents, keys, projectsAndGoals, issues, comments, routines, triggers, runs };

let t: TestApp;
let f: Fixtures;

beforeAll(async () => {
  t = await createTestApp({ env: LOCAL_AGENTS_ENV });
  const w = await seedWorld(t);
  const post = async (url: string, body: unknown) => {
    const res = await t.request("POST", url, { body });
    if (res.status !== 201) throw new Error(`fixture ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const routine = (companyId: string, assigneeAgentId: string, projectId: string, extra = {}) =>
    post(`/api/companies/${companyId}/routines`, { title: "R", assigneeAgentId, projectId, ...extra });
  const r = await routine(w.company.id, w.agent.id, w.project.id);
  const otherRoutine = await routine(w.otherCompany.id, w.outsider.id, w.otherProject.id);
  const revoked = await post(`/api/agents/${w.peer.id}/keys`, { name: "old" });
  await t.request("DELETE", `/api/agents/${w.peer.id}/keys/${revoked.id}`);
  f = {
    ...w,
    goal: await post(`/api/companies/${w.company.id}/goals`, { title: "Grow" }),
    otherGoal: await post(`/api/companies/${w.otherCompany.id}/goals`, { title: "Theirs" }),
    issue: await post(`/api/companies/${w.company.id}/issues`, { title: "Work" }),
    otherIssue: await post(`/api/companies/${w.otherCompany.id}/issues`, { title: "Their work" }),
    routine: r,
    peerRoutine: await routine(w.company.id, w.peer.id, w.project.id),
    archived: await routine(w.company.id, w.agent.id, w.project.id, { status: "archived" }),
    otherRoutine,
    schedule: (await post(`/api/routines/${r.id}/triggers`, { kind: "schedule", cronExpression: "0 9 * * 1" })).trigger,
    webhook: (await post(`/api/routines/${r.id}/triggers`, { kind: "webhook" })).trigger,
    api: (await post(`/api/routines/${r.id}/triggers`, { kind: "api" })).trigger,
    otherTrigger: (await post(`/api/routines/${otherRoutine.id}/triggers`, { kind: "api" })).trigger,
    revokedKey: revoked.key,
  };
});
afterAll(() => t.close());

it("covers every management resource with at least 70 cases", () => {
  expect(Object.values(table).flat().length).toBeGreaterThanOrEqual(70);
});

for (const [resource, cases] of Object.entries(table)) {
  describe(resource, () => {
    for (const c of cases) {
      it(`${c.status} for ${c.what} (${c.method})`, async () => {
        const body = typeof c.body === "function" ? (c.body as (f: Fixtures) => unknown)(f) : c.body;
        const before = await dbState(t.db.store.db);
        const headers = { ...(c.contentType ? { "content-type": c.contentType } : {}), ...c.headers };
        const res = await t.request(c.method, c.url(f), { body, token: c.token?.(f), headers });
        expect(res.status, JSON.stringify(res.body)).toBe(c.status);
        expect(res.headers["content-type"]).toMatch(/^application\/json/);
        expect(res.body).toEqual({ error: expect.any(String), ...("details" in res.body ? { details: res.body.details } : {}) });
        if (c.error) expect(res.body.error).toMatch(c.error);
        expect(await dbState(t.db.store.db)).toEqual(before);
      });
    }
  });
}

// Runs last: it writes. fastify hands a missing body to validation as null; optional bodies must still work.
it("accepts a POST without a body where the body is optional (new key, secret rotation, manual run)", async () => {
  expect((await t.request("POST", `/api/agents/${f.agent.id}/keys`)).status).toBe(201);
  expect((await t.request("POST", `/api/routines/${f.routine.id}/run`)).status).toBe(202);
  const rotated = await t.request("POST", `/api/routine-triggers/${f.webhook.id}/rotate-secret`);
  expect(rotated.status).toBe(200);
  expect(rotated.body.secretMaterial.webhookSecret).toEqual(expect.any(String));
});

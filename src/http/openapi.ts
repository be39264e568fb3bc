/**
 * The OpenAPI document's names and answers, in one place rather than spread over the route files:
 * an `operationId` and a summary for every operation, named component schemas (`Routine`,
 * `RoutineTrigger`, ...), and the error answers every route can give. Route files keep their
 * request and success schemas; `documentOperation` completes each operation when the document is
 * built.
 */
import fs from "node:fs";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { sourceFile } from "../source-root";
import { z } from "zod";
import { agent, agentKey, agentWithSecret, createdAgentKey, rotatedDeliverySecret } from "../domain/schemas/agents";
import { annotationComment, annotationThread, annotationThreadWithComments, descriptionDocument } from "../domain/schemas/annotations";
import { backfillResult } from "../domain/schemas/backfill";
import { errorBody, retryLaterBody } from "../domain/schemas/common";
import { company } from "../domain/schemas/companies";
import { cronOccurrence, cronPreview } from "../domain/schemas/cron";
import { heartbeatAttempt, heartbeatDelivery, heartbeatRun } from "../domain/schemas/heartbeat-runs";
import { issue, issueComment } from "../domain/schemas/issues";
import { goal, project } from "../domain/schemas/projects";
import { issueSummary, routine, routineDetail, routineListItem } from "../domain/schemas/routines";
import { runListItem, runSummary } from "../domain/schemas/runs";
import { secretMaterial, triggerRow, triggerSummary, triggerWithSecret } from "../domain/schemas/triggers";

/** Named schemas: each becomes `#/components/schemas/<id>` wherever a route uses it. */
const NAMED: [z.ZodType, string][] = [
  [errorBody, "Error"],
  [retryLaterBody, "RetryLater"],
  [company, "Company"],
  [agent, "Agent"],
  [agentWithSecret, "AgentWithDeliverySecret"],
  [agentKey, "AgentKey"],
  [createdAgentKey, "CreatedAgentKey"],
  [rotatedDeliverySecret, "RotatedDeliverySecret"],
  [project, "Project"],
  [goal, "Goal"],
  [issue, "Issue"],
  [issueComment, "IssueComment"],
  [issueSummary, "IssueSummary"],
  [routine, "Routine"],
  [routineListItem, "RoutineListItem"],
  [routineDetail, "RoutineDetail"],
  [triggerSummary, "RoutineTriggerSummary"],
  [triggerRow, "RoutineTrigger"],
  [secretMaterial, "TriggerSecretMaterial"],
  [triggerWithSecret, "RoutineTriggerWithSecret"],
  [runSummary, "RoutineRun"],
  [runListItem, "RoutineRunListItem"],
  [backfillResult, "BackfillResult"],
  [cronOccurrence, "CronOccurrence"],
  [cronPreview, "CronPreview"],
  [heartbeatRun, "HeartbeatRun"],
  [heartbeatAttempt, "HeartbeatAttempt"],
  [heartbeatDelivery, "HeartbeatDelivery"],
  [descriptionDocument, "RoutineDescriptionDocument"],
  [annotationThread, "DocumentAnnotationThread"],
  [annotationComment, "DocumentAnnotationComment"],
  [annotationThreadWithComments, "DocumentAnnotationThreadWithComments"],
];
for (const [schema, id] of NAMED) if (!z.globalRegistry.has(schema)) z.globalRegistry.add(schema, { id });

/** operationId and summary of every operation, by "METHOD path". */
export const OPERATIONS: Record<string, [operationId: string, summary: string]> = {
  "GET /api/health": ["getHealth", "Health (alias of /healthz)"],
  "POST /api/companies": ["createCompany", "Create a company"],
  "GET /api/companies": ["listCompanies", "List companies"],
  "GET /api/companies/{companyId}": ["getCompany", "Get a company"],
  "PATCH /api/companies/{companyId}": ["updateCompany", "Update a company"],
  "POST /api/companies/{companyId}/agents": ["createAgent", "Create an agent"],
  "GET /api/companies/{companyId}/agents": ["listAgents", "List a company's agents"],
  "GET /api/agents/me": ["getCurrentAgent", "The calling agent"],
  "GET /api/agents/{agentId}": ["getAgent", "Get an agent"],
  "PATCH /api/agents/{agentId}": ["updateAgent", "Update an agent"],
  "POST /api/agents/{agentId}/keys": ["createAgentKey", "Create an agent API key (shown once)"],
  "GET /api/agents/{agentId}/keys": ["listAgentKeys", "List an agent's API keys"],
  "DELETE /api/agents/{agentId}/keys/{keyId}": ["revokeAgentKey", "Revoke an agent API key"],
  "POST /api/agents/{agentId}/delivery-secret/rotate": ["rotateAgentDeliverySecret", "Rotate an agent's delivery signing secret"],
  "POST /api/agents/{agentId}/pause": ["pauseAgent", "Pause an agent"],
  "POST /api/agents/{agentId}/resume": ["resumeAgent", "Resume an agent"],
  "POST /api/companies/{companyId}/projects": ["createProject", "Create a project"],
  "GET /api/companies/{companyId}/projects": ["listProjects", "List projects"],
  "GET /api/projects/{projectId}": ["getProject", "Get a project"],
  "PATCH /api/projects/{projectId}": ["updateProject", "Update a project"],
  "POST /api/companies/{companyId}/goals": ["createGoal", "Create a goal"],
  "GET /api/companies/{companyId}/goals": ["listGoals", "List goals"],
  "GET /api/goals/{goalId}": ["getGoal", "Get a goal"],
  "PATCH /api/goals/{goalId}": ["updateGoal", "Update a goal"],
  "POST /api/companies/{companyId}/issues": ["createIssue", "Create an issue"],
  "GET /api/companies/{companyId}/issues": ["listIssues", "List issues"],
  "GET /api/issues/{issueId}": ["getIssue", "Get an issue"],
  "PATCH /api/issues/{issueId}": ["updateIssue", "Update an issue"],
  "GET /api/issues/{issueId}/comments": ["listIssueComments", "List an issue's comments"],
  "POST /api/issues/{issueId}/comments": ["createIssueComment", "Comment on an issue"],
  "GET /api/companies/{companyId}/routines": ["listRoutines", "List routines"],
  "POST /api/companies/{companyId}/routines": ["createRoutine", "Create a routine"],
  "GET /api/routines/{routineId}": ["getRoutine", "Get a routine with its triggers and recent runs"],
  "PATCH /api/routines/{routineId}": ["updateRoutine", "Update a routine (pause, resume, archive, reassign, ...)"],
  "POST /api/routines/{routineId}/triggers": ["createTrigger", "Add a trigger to a routine"],
  "GET /api/routine-triggers/{triggerId}": ["getTrigger", "Get a trigger"],
  "PATCH /api/routine-triggers/{triggerId}": ["updateTrigger", "Update a trigger"],
  "DELETE /api/routine-triggers/{triggerId}": ["deleteTrigger", "Delete a trigger"],
  "POST /api/routine-triggers/{triggerId}/rotate-secret": ["rotateTriggerSecret", "Rotate a webhook trigger's secret (shown once)"],
  "GET /api/routine-triggers/{triggerId}/preview": ["previewTrigger", "Next occurrences of a schedule trigger"],
  "POST /api/routine-triggers/public/{publicId}/fire": ["fireWebhook", "Fire a webhook trigger (public, signed)"],
  "POST /api/routines/{routineId}/run": ["runRoutine", "Run a routine now"],
  "GET /api/routines/{routineId}/runs": ["listRuns", "List a routine's runs"],
  "GET /api/routines/{routineId}/revisions": ["listRoutineRevisions", "List a routine's revisions"],
  "POST /api/routines/{routineId}/revisions/{revisionId}/restore": ["restoreRoutineRevision", "Restore a routine revision (as a new revision)"],
  "GET /api/routines/{routineId}/description/annotations": ["listDescriptionAnnotations", "List annotation threads on a routine's description"],
  "POST /api/routines/{routineId}/description/annotations": ["createDescriptionAnnotation", "Annotate a passage of a routine's description"],
  "GET /api/routines/{routineId}/description/annotations/{threadId}": ["getDescriptionAnnotation", "Get an annotation thread, with its comments"],
  "PATCH /api/routines/{routineId}/description/annotations/{threadId}": ["updateDescriptionAnnotation", "Resolve or reopen an annotation thread"],
  "POST /api/routines/{routineId}/description/annotations/{threadId}/comments": ["addDescriptionAnnotationComment", "Answer an annotation thread"],
  "GET /api/companies/{companyId}/activity": ["listActivity", "A company's activity log"],
  "POST /api/routines/{routineId}/backfill": ["backfillTrigger", "Fire a schedule trigger's past occurrences"],
  "POST /api/cron/preview": ["previewCron", "Describe a cron expression and list its next occurrences"],
  "POST /api/agents/me/heartbeat-runs/claim": ["claimHeartbeatRun", "Claim the calling poll agent's next heartbeat run"],
  "POST /api/heartbeat-runs/{heartbeatRunId}/complete": ["completeHeartbeatRun", "Complete a claimed heartbeat run"],
  "GET /api/agents/{agentId}/heartbeat-runs": ["listHeartbeatRuns", "List an agent's heartbeat runs"],
  "GET /api/heartbeat-runs/{heartbeatRunId}": ["getHeartbeatRun", "Get a heartbeat run"],
  "GET /api/heartbeat-runs/{heartbeatRunId}/attempts": ["listHeartbeatAttempts", "List a heartbeat run's delivery attempts"],
  "POST /api/heartbeat-runs/{heartbeatRunId}/retry": ["retryHeartbeatRun", "Retry a failed or timed out delivery (board)"],
  "GET /healthz": ["getHealthz", "Liveness: the process is up"],
  "GET /readyz": ["getReadyz", "Readiness: the database answers, migrations are applied, the loops are cycling"],
  "GET /metrics": ["getMetrics", "Prometheus metrics"],
};

/** Success status of operations that answer something other than 200. */
const SUCCESS: Record<string, number> = { "DELETE /api/routine-triggers/{triggerId}": 204, "DELETE /api/agents/{agentId}/keys/{keyId}": 204 };

const ERROR_TEXT: Record<number, string> = {
  400: "Malformed request: invalid JSON, unknown or invalid fields (details name them)",
  401: "No or unknown credentials",
  403: "The caller may not do this",
  404: "Not found (or not visible to the caller)",
  409: "Conflict: archived, inactive, duplicate",
  413: "Body too large",
  415: "Content type is not application/json",
  421: "Host not allowed: in local_trusted mode only loopback names are answered (a guard against DNS rebinding)",
  422: "Unprocessable: a bad cron expression or time zone, an id of another company",
  429: "Too many requests: retry after `Retry-After` seconds",
  503: "Database unavailable or a transaction conflict: retry after `Retry-After` seconds",
};

/** The error answers a route can give, from its shape: auth, params, body, writes. */
function errorStatuses(method: string, url: string, hasParams: boolean, hasBodyOrQuery: boolean, isPublic: boolean): number[] {
  const s = new Set<number>([503]);
  // Any authenticated route may answer 404 (a caller that is not what the route expects, e.g. the board on /agents/me).
  if (url.startsWith("/api/") && !isPublic) s.add(401).add(403).add(404);
  if (url.startsWith("/api/")) s.add(421);
  if (hasParams) s.add(400).add(404);
  if (hasBodyOrQuery) s.add(400).add(422);
  if (method === "POST" || method === "PATCH" || method === "PUT") s.add(400).add(409).add(413).add(415).add(422);
  if (method === "DELETE") s.add(409);
  if (url === "/api/routine-triggers/public/{publicId}/fire") s.add(401).add(429);
  if (url === "/healthz" || url === "/metrics") s.delete(503);
  return [...s].sort();
}

const openApiPath = (url: string) => url.replace(/:(\w+)/g, "{$1}");

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/** fastify-swagger `transform`: zod → JSON Schema, then this operation's id, summary and every answer. */
export function documentOperation(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const method = String(Array.isArray(input.route.method) ? input.route.method[0] : input.route.method).toUpperCase();
  const url = openApiPath(input.url);
  const key = `${method} ${url}`;
  const given = (input.schema ?? {}) as Record<string, any>;
  const response: Record<string, any> = { ...(given.response ?? {}) };
  const success = SUCCESS[key];
  if (success === 204) {
    for (const s of Object.keys(response)) if (s.startsWith("2")) delete response[s];
    response[204] = z.null().describe("Done: no content");
  }
  const isPublic = Boolean((input.route.config as { public?: boolean } | undefined)?.public);
  const statuses = errorStatuses(method, url, Boolean(given.params), Boolean(given.body || given.querystring), isPublic);
  for (const status of statuses) response[status] ??= status === 429 || status === 503 ? retryLaterBody : errorBody;
  const out = jsonSchemaTransform({ ...input, schema: { ...given, response } } as TransformInput) as { schema: Record<string, any>; url: string };
  const schema = { ...out.schema };
  const named = OPERATIONS[key];
  if (named) {
    schema.operationId ??= named[0];
    schema.summary ??= named[1];
  }
  const documented: Record<string, any> = { ...(schema.response ?? {}) };
  for (const [status, body] of Object.entries(documented)) {
    const text = ERROR_TEXT[Number(status)];
    if (text && body && typeof body === "object" && !body.description) documented[status] = { ...body, description: text };
  }
  if (!Object.keys(documented).some((s) => s.startsWith("2"))) documented[200] = { description: "OK" };
  schema.response = documented;
  return { ...out, schema } as ReturnType<typeof jsonSchemaTransform>;
}

/** Every status an operation documents, by "METHOD /path/{param}" (for tests). */
export function documentedStatuses(doc: { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>> }) {
  const map = new Map<string, Set<string>>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) map.set(`${method.toUpperCase()} ${path}`, new Set(Object.keys(op.responses ?? {})));
  }
  return map;
}

export { openApiPath };

/** The API reference page (`/api/docs`) as routined's own: title, logo and favicon, the dashboard's colour. */
export function referencePageBranding() {
  // src/ui/public/ when the sources run; dist/ui/ (where the dashboard's build copies it) when the built code runs
  const logo = fs.readFileSync([sourceFile("ui/public/favicon.svg"), sourceFile("ui/favicon.svg")].find((f) => fs.existsSync(f))!);
  return {
    logo: { type: "image/svg+xml", content: logo, href: "/", target: "_self" as const },
    theme: {
      title: "routined API reference",
      favicon: [{ filename: "favicon.svg", rel: "icon", type: "image/svg+xml", sizes: "16x16", content: logo }],
      css: [
        {
          filename: "routined.css",
          content:
            ".swagger-ui .topbar { background: #2f5d8a; } .swagger-ui .topbar a { max-width: 48px; }" +
            " .swagger-ui .topbar .download-url-wrapper { display: none; }",
        },
      ],
    },
  };
}

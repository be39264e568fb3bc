/**
 * The dashboard's API client: typed by the same zod schemas that generate /api/openapi.json (type
 * imports only: nothing of the server is bundled), JSON over fetch with the board token of this tab.
 * A request that cannot reach the server marks the app offline; see `connection.ts`.
 */
import type { z } from "zod";
import type { activityEntry } from "../domain/schemas/activity";
import type { agent, agentKey, agentWithSecret, createdAgentKey } from "../domain/schemas/agents";
import type { annotationComment, annotationThread, annotationThreadWithComments, descriptionDocument } from "../domain/schemas/annotations";
import type { company } from "../domain/schemas/companies";
import type { cronPreview } from "../domain/schemas/cron";
import type { heartbeatAttempt, heartbeatRun } from "../domain/schemas/heartbeat-runs";
import type { issue, issueComment } from "../domain/schemas/issues";
import type { goal, project } from "../domain/schemas/projects";
import type { restoreResult, revision, routine, routineDetail, routineListItem } from "../domain/schemas/routines";
import type { runListItem, runSummary } from "../domain/schemas/runs";
import type { triggerRow, triggerWithSecret } from "../domain/schemas/triggers";
import { markOffline, markOnline } from "./connection";

/** What travels as JSON: dates are ISO strings. */
type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
type Out<S extends z.ZodType> = Wire<z.output<S>>;

export type Company = Out<typeof company>;
export type Agent = Out<typeof agent>;
export type AgentWithSecret = Out<typeof agentWithSecret>;
export type AgentKey = Out<typeof agentKey>;
export type CreatedAgentKey = Out<typeof createdAgentKey>;
export type Project = Out<typeof project>;
export type Goal = Out<typeof goal>;
export type Routine = Out<typeof routine>;
export type RoutineListItem = Out<typeof routineListItem>;
export type RoutineDetail = Out<typeof routineDetail>;
export type Trigger = Out<typeof triggerRow>;
export type TriggerWithSecret = Out<typeof triggerWithSecret>;
export type CronPreview = Out<typeof cronPreview>;
export type Run = Out<typeof runListItem>;
export type RunSummary = Out<typeof runSummary>;
export type Issue = Out<typeof issue>;
export type IssueComment = Out<typeof issueComment>;
export type HeartbeatRun = Out<typeof heartbeatRun>;
export type HeartbeatAttempt = Out<typeof heartbeatAttempt>;
export type DescriptionDocument = Out<typeof descriptionDocument>;
export type AnnotationThread = Out<typeof annotationThread>;
export type AnnotationThreadWithComments = Out<typeof annotationThreadWithComments>;
export type AnnotationComment = Out<typeof annotationComment>;
export type Revision = Out<typeof revision>;
export type RestoreResult = Out<typeof restoreResult>;
export type ActivityEntry = Out<typeof activityEntry>;

const TOKEN_KEY = "routined.boardToken";

/** The server answered 401: a (valid) board token is needed. */
export class AuthRequired extends Error {}
/** The server could not be reached at all. */
export class Unreachable extends Error {}
/** The API answered with an error: `status` and its `{ error, details }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const storedToken = () => sessionStorage.getItem(TOKEN_KEY);
export function storeToken(token: string | null) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const authListeners = new Set<() => void>();
/** Called when a request was refused for want of a board token. */
export function onAuthRequired(fn: () => void) {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

/** Calls `/api${path}`; resolves to the parsed body, rejects with the API's error message. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch {
    markOffline();
    throw new Unreachable("Cannot reach the server");
  }
  markOnline();
  const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (res.status === 401) {
    for (const fn of authListeners) fn();
    throw new AuthRequired(data?.error ?? "A board token is required");
  }
  if (!res.ok) throw new ApiError(res.status, data?.error ?? `${method} /api${path} failed with HTTP ${res.status}`, data?.details);
  return data as T;
}

export const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: "POST", body });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: "PATCH", body });
export const del = (path: string) => api<void>(path, { method: "DELETE" });

/** A query string from the set values of `params` ("" when none). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;

/** The message to show for a failed request, with the API's details when it gave any. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError && Array.isArray(err.details)) {
    const parts = err.details
      .map((d: { path?: unknown; message?: unknown }) => {
        if (!d || typeof d.message !== "string") return "";
        const where = Array.isArray(d.path) ? d.path.join(".") : typeof d.path === "string" ? d.path.replace(/^\//, "").replaceAll("/", ".") : "";
        return where ? `${where}: ${d.message}` : d.message;
      })
      .filter(Boolean);
    if (parts.length) return `${err.message} (${parts.join("; ")})`;
  }
  return err instanceof Error ? err.message : String(err);
}

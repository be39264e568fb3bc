/**
 * Authenticates every route unless it is marked `config: { public: true }` (the public webhook
 * fire, OpenAPI, docs, health). Runs before the body is parsed, so unauthenticated requests cost
 * nothing and learn nothing.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Actor } from "../domain/actor";
import { unauthorized } from "../domain/errors";
import { isUuid } from "../lib/is-uuid";
import type { AuthService } from "../services/auth";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

/** Paperclip's run audit trail: agents send the heartbeat run they act for on the requests that change things. */
const RUN_ID_HEADER = "x-paperclip-run-id";

/** The header's run id when it is one (anything else is ignored, as Paperclip ignores it where it expects a UUID). */
function runIdOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value && isUuid(value.trim()) ? value.trim().toLowerCase() : undefined;
}

export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public) return;
    if (!request.routeOptions.url) return; // unknown route: let the 404 handler answer
    const actor = await auth.resolve(request.headers.authorization);
    const runId = runIdOf(request.headers[RUN_ID_HEADER]);
    request.actor = runId ? { ...actor, runId } : actor;
  });
}

/** The authenticated actor of a request (every non-public route has one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized();
  return request.actor;
}

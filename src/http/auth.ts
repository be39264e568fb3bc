/**
 * Authenticates every route unless it is marked `config: { public: true }` (the public webhook
 * fire, OpenAPI, docs, health). Runs before the body is parsed, so unauthenticated requests cost
 * nothing and learn nothing.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Actor } from "../domain/actor";
import { unauthorized } from "../domain/errors";
import type { AuthService } from "../services/auth";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public) return;
    if (!request.routeOptions.url) return; // unknown route: let the 404 handler answer
    request.actor = await auth.resolve(request.headers.authorization);
  });
}

/** The authenticated actor of a request (every non-public route has one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized();
  return request.actor;
}

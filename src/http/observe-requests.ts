/**
 * Every request: its duration in the HTTP histogram (by route template, never the raw URL), its
 * request id echoed in `x-request-id`, and one log line when it completes — at info, except health
 * checks and metric scrapes, which are logged at debug.
 */
import type { FastifyInstance } from "fastify";
import type { Metrics } from "../observability/metrics";
import { QUIET_ROUTES } from "./routes/health";

export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, seconds);
    const level = QUIET_ROUTES.has(route) ? "debug" : "info";
    req.log[level](
      { method: req.method, route, url: route === "unmatched" ? undefined : req.url.split("?")[0], statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "request completed",
    );
  });
}

/**
 * Operations endpoints, outside `/api`, without credentials and without secrets: liveness
 * (`/healthz`), readiness (`/readyz`) and Prometheus metrics (`/metrics`). They are logged at debug
 * only, so probes and scrapes do not flood the logs.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Services } from "../../services";

const check = z.object({ ok: z.boolean(), detail: z.string().optional() }).meta({ id: "ReadinessCheck" });
const readiness = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.record(z.string(), check).describe("database, migrations, listener, and the scheduler and dispatcher loops this process runs"),
  })
  .meta({ id: "Readiness" });

/** Routes whose requests are logged at debug, not info. */
export const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics", "/api/health"]);

export const healthRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        operationId: "getHealthz",
        summary: "Liveness: the process is up",
        security: [],
        response: { 200: z.object({ status: z.literal("ok") }).meta({ id: "Health" }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        operationId: "getReadyz",
        summary: "Readiness: the database answers, migrations are applied, the loops are cycling",
        description: "200 when ready; 503 naming each check that is not (a load balancer takes the process out of rotation).",
        security: [],
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_req, reply) => {
      const r = await services.ops.readiness();
      return reply.status(r.ready ? 200 : 503).send({ status: r.ready ? "ready" : "not_ready", checks: r.checks });
    },
  );

  app.get(
    "/metrics",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        operationId: "getMetrics",
        summary: "Prometheus metrics (text exposition format)",
        description: "Process metrics and routined_* metrics; see docs/metrics.md.",
        security: [],
        response: { 200: z.string().describe("Prometheus text format 0.0.4") },
      },
    },
    async (_req, reply) => {
      const { registry } = services.metrics;
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
};

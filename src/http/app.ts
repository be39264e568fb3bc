/** Builds the fastify app: validation, errors, auth, OpenAPI, and every route group. */
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type ZodTypeProvider, jsonSchemaTransformObject, validatorCompiler } from "fastify-type-provider-zod";
import { documentOperation, referencePageBranding } from "./openapi";
import { notFound } from "../domain/errors";
import { isUuid } from "../lib/is-uuid";
import type { Services } from "../services";
import { registerAuth } from "./auth";
import { registerBrowserGuard } from "./browser-guard";
import { registerJsonBodyParser } from "./json-body";
import { frameworkErrorHandler, registerErrorHandlers } from "./errors";
import { agentRoutes } from "./routes/agents";
import { companyRoutes } from "./routes/companies";
import { cronRoutes } from "./routes/cron";
import { issueRoutes } from "./routes/issues";
import { heartbeatRunRoutes } from "./routes/heartbeat-runs";
import { projectRoutes } from "./routes/projects";
import { publicFireRoutes } from "./routes/public-fire";
import { annotationRoutes } from "./routes/annotations";
import { routineRoutes } from "./routes/routines";
import { runRoutes } from "./routes/runs";
import { triggerRoutes } from "./routes/triggers";
import { metaRoutes } from "./routes/meta";
import { healthRoutes } from "./routes/health";
import { observeRequests } from "./observe-requests";
import { uiRoutes } from "./routes/ui";

export type App = FastifyInstance<
  FastifyInstance["server"],
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppOptions {
  services: Services;
  logger?: FastifyBaseLogger | boolean;
  trustProxy?: boolean;
  publicUrl: string;
  /** local_trusted (the default) refuses foreign Host headers and cross-site writes. */
  deploymentMode?: "local_trusted" | "authenticated";
  /** Largest JSON body in bytes and deepest nesting (defaults 1 MiB, 64). */
  input?: { bodyLimit: number; maxJsonDepth: number };
}

/** Retry-After of the 503 answered while shutting down: another process (or this one restarted) will answer. */
const SHUTDOWN_RETRY_AFTER_SEC = 5;


/** Routine resources whose malformed id is answered as Paperclip does: 404 with the resource's not-found message. */
const NOT_FOUND_FOR_MALFORMED: Record<string, string> = {
  routineId: "Routine not found",
  triggerId: "Routine trigger not found",
  revisionId: "Routine revision not found",
  threadId: "Annotation thread not found",
};

function notFoundForMalformedId<R>(data: unknown, result: R): R {
  if (typeof result !== "object" || result === null || !("error" in result) || !result.error) return result;
  const params = (data ?? {}) as Record<string, unknown>;
  for (const [name, message] of Object.entries(NOT_FOUND_FOR_MALFORMED)) {
    if (typeof params[name] === "string" && !isUuid(params[name] as string)) return { error: notFound(message) } as R;
  }
  return result;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: typeof options.logger === "object" ? options.logger : undefined,
    logger: typeof options.logger === "boolean" ? options.logger : undefined,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.input?.bodyLimit ?? 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    // Slow-header clients are cut off after 10 s; timeouts are checked every 2 s (Node checks every 30 s by default).
    http: { headersTimeout: 10_000, connectionsCheckingInterval: 2_000 },
    // Answered by the hook below instead, with Retry-After.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
    // One line per request, written by observe-requests (health checks and scrapes at debug only).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    requestIdHeader: "x-request-id",
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  // fastify hands a missing body to the validator as null; optional bodies expect undefined.
  app.setValidatorCompiler((route: Parameters<typeof validatorCompiler>[0]) => {
    const validate = validatorCompiler(route);
    if (route.httpPart === "params") return (data) => notFoundForMalformedId(data, validate(data));
    return route.httpPart === "body" ? (data) => validate(data ?? undefined) : validate;
  });
  // Response schemas document the API; responses are built by presenters and sent as plain JSON.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerErrorHandlers(app, { databaseProbe: options.services.database.ping });
  // The API speaks JSON only: a text/plain body is 415, not a string that fails validation.
  app.removeContentTypeParser("text/plain");
  registerJsonBodyParser(app, options.input?.maxJsonDepth ?? 64);

  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!closing) return;
    return reply
      .status(503)
      .header("retry-after", String(SHUTDOWN_RETRY_AFTER_SEC))
      .header("connection", "close")
      .send({ error: "The server is shutting down: retry shortly", retryAfterSeconds: SHUTDOWN_RETRY_AFTER_SEC });
  });
  if ((options.deploymentMode ?? "local_trusted") === "local_trusted") registerBrowserGuard(app, { publicUrl: options.publicUrl });
  // Before the docs routes exist, so that it sees them: they are public like /api/openapi.json.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api/docs")) route.config = { ...(route.config as object), public: true };
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "routined",
        version: "0.1.0",
        description: "Routines API (Paperclip compatible): recurring work fired by cron, webhooks and API calls.",
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Agent key or board token" } },
      },
      security: [{ bearer: [] }],
    },
    transform: documentOperation,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs", uiConfig: { deepLinking: true }, ...referencePageBranding() });

  registerAuth(app, options.services.auth);
  observeRequests(app, options.services.metrics);
  await app.register(metaRoutes);
  await app.register(healthRoutes, { services: options.services });
  for (const routes of [companyRoutes, agentRoutes, projectRoutes, routineRoutes, annotationRoutes, triggerRoutes, runRoutes, cronRoutes, issueRoutes, heartbeatRunRoutes, uiRoutes]) {
    await app.register(routes, { services: options.services });
  }
  await app.register(publicFireRoutes, { services: options.services });
  return app;
}

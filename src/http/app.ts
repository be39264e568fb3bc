/** Builds the fastify app: validation, errors, auth, OpenAPI, and every route group. */
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  type ZodTypeProvider,
  jsonSchemaTransform,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type { Services } from "../services";
import { registerAuth } from "./auth";
import { frameworkErrorHandler, registerErrorHandlers } from "./errors";
import { agentRoutes } from "./routes/agents";
import { companyRoutes } from "./routes/companies";
import { cronRoutes } from "./routes/cron";
import { issueRoutes } from "./routes/issues";
import { heartbeatRunRoutes } from "./routes/heartbeat-runs";
import { projectRoutes } from "./routes/projects";
import { publicFireRoutes } from "./routes/public-fire";
import { routineRoutes } from "./routes/routines";
import { runRoutes } from "./routes/runs";
import { triggerRoutes } from "./routes/triggers";
import { metaRoutes } from "./routes/meta";
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
}


export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: typeof options.logger === "object" ? options.logger : undefined,
    logger: typeof options.logger === "boolean" ? options.logger : undefined,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    // Slow-header clients are cut off after 10 s; timeouts are checked every 2 s (Node checks every 30 s by default).
    http: { headersTimeout: 10_000, connectionsCheckingInterval: 2_000 },
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  // fastify hands a missing body to the validator as null; optional bodies expect undefined.
  app.setValidatorCompiler((route: Parameters<typeof validatorCompiler>[0]) => {
    const validate = validatorCompiler(route);
    return route.httpPart === "body" ? (data) => validate(data ?? undefined) : validate;
  });
  // Response schemas document the API; responses are built by presenters and sent as plain JSON.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerErrorHandlers(app);
  // The API speaks JSON only: a text/plain body is 415, not a string that fails validation.
  app.removeContentTypeParser("text/plain");

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
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs", uiConfig: { deepLinking: true } });
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api/docs")) route.config = { ...(route.config as object), public: true };
  });

  registerAuth(app, options.services.auth);
  await app.register(metaRoutes);
  for (const routes of [companyRoutes, agentRoutes, projectRoutes, routineRoutes, triggerRoutes, runRoutes, cronRoutes, issueRoutes, heartbeatRunRoutes, uiRoutes]) {
    await app.register(routes, { services: options.services });
  }
  await app.register(publicFireRoutes, { services: options.services });
  return app;
}

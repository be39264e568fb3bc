/** Health and the OpenAPI document. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";

export const metaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/api/health",
    { config: { public: true }, schema: { tags: ["meta"], response: { 200: z.object({ status: z.literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );
  app.get("/api/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};

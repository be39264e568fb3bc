import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { cronPreview, cronPreviewBody } from "../../domain/schemas/cron";
import type { Services } from "../../services";
import { actorOf } from "../auth";

export const cronRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.post(
    "/api/cron/preview",
    {
      schema: {
        tags: ["cron"],
        summary: "Describe a cron expression and list its next occurrences in a time zone",
        body: cronPreviewBody,
        response: { 200: cronPreview },
      },
    },
    async (req) => {
      actorOf(req);
      return services.cron.preview(req.body);
    },
  );
};

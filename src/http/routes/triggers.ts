import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody, idParams } from "../../domain/schemas/common";
import { cronPreview } from "../../domain/schemas/cron";
import { createTriggerBody, rotateSecretBody, triggerRow, triggerWithSecret, updateTriggerBody } from "../../domain/schemas/triggers";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["triggers"];
const params = idParams("triggerId");

export const triggerRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { triggers } = services;

  app.post(
    "/api/routines/:routineId/triggers",
    {
      schema: {
        tags,
        summary: "Add trigger",
        params: idParams("routineId"),
        body: createTriggerBody,
        response: { 201: triggerWithSecret, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    },
    async (req, reply) => reply.status(201).send(await triggers.create(actorOf(req), req.params.routineId, req.body)),
  );
  app.get(
    "/api/routine-triggers/:triggerId",
    { schema: { tags, summary: "Get trigger", params, response: { 200: triggerRow, 404: errorBody } } },
    async (req) => triggers.get(actorOf(req), req.params.triggerId),
  );
  app.patch(
    "/api/routine-triggers/:triggerId",
    {
      schema: {
        tags,
        summary: "Update trigger",
        params,
        body: updateTriggerBody.optional(),
        response: { 200: triggerRow, 403: errorBody, 404: errorBody, 422: errorBody },
      },
    },
    async (req) => triggers.update(actorOf(req), req.params.triggerId, req.body ?? {}),
  );
  app.delete(
    "/api/routine-triggers/:triggerId",
    { schema: { tags, summary: "Delete trigger", params } },
    async (req, reply) => {
      await triggers.delete(actorOf(req), req.params.triggerId);
      return reply.status(204).send();
    },
  );
  app.post(
    "/api/routine-triggers/:triggerId/rotate-secret",
    {
      schema: {
        tags,
        summary: "Rotate trigger secret",
        description: "A new secret replaces the old one at once; with `signingMode`, the trigger switches to that mode too.",
        params,
        body: rotateSecretBody,
        response: { 200: triggerWithSecret, 404: errorBody, 422: errorBody },
      },
    },
    async (req) => triggers.rotateSecret(actorOf(req), req.params.triggerId, req.body),
  );
  app.get(
    "/api/routine-triggers/:triggerId/preview",
    {
      schema: {
        tags,
        summary: "Preview a schedule trigger",
        description: "The next `count` (1..100, default 10) occurrences from now, with notes where daylight saving time moved one.",
        params,
        querystring: z.strictObject({ count: z.coerce.number().int().min(1).max(100).default(10) }),
        response: { 200: cronPreview, 404: errorBody, 422: errorBody },
      },
    },
    async (req) => triggers.preview(actorOf(req), req.params.triggerId, req.query.count),
  );
};

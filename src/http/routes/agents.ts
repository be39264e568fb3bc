import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  agent,
  agentKey,
  agentWithSecret,
  createAgentBody,
  createKeyBody,
  createdAgentKey,
  rotatedDeliverySecret,
  updateAgentBody,
} from "../../domain/schemas/agents";
import { idParams, uuid } from "../../domain/schemas/common";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["agents"];
const companyParams = idParams("companyId");
const agentParams = idParams("agentId");

export const agentRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { agents } = services;

  app.post(
    "/api/companies/:companyId/agents",
    { schema: { tags, params: companyParams, body: createAgentBody, response: { 201: agentWithSecret } } },
    async (req, reply) => reply.status(201).send(await agents.create(actorOf(req), req.params.companyId, req.body)),
  );
  app.get(
    "/api/companies/:companyId/agents",
    { schema: { tags, params: companyParams, response: { 200: z.array(agent) } } },
    async (req) => agents.list(actorOf(req), req.params.companyId),
  );
  app.get("/api/agents/me", { schema: { tags, response: { 200: agent } } }, async (req) => agents.me(actorOf(req)));
  app.get("/api/agents/:agentId", { schema: { tags, params: agentParams, response: { 200: agent } } }, async (req) =>
    agents.get(actorOf(req), req.params.agentId),
  );
  app.patch(
    "/api/agents/:agentId",
    { schema: { tags, params: agentParams, body: updateAgentBody, response: { 200: agentWithSecret } } },
    async (req) => agents.update(actorOf(req), req.params.agentId, req.body),
  );
  app.post(
    "/api/agents/:agentId/keys",
    { schema: { tags, params: agentParams, body: createKeyBody.default({}), response: { 201: createdAgentKey } } },
    async (req, reply) => reply.status(201).send(await agents.createKey(actorOf(req), req.params.agentId, req.body)),
  );
  app.get(
    "/api/agents/:agentId/keys",
    { schema: { tags, params: agentParams, response: { 200: z.array(agentKey) } } },
    async (req) => agents.listKeys(actorOf(req), req.params.agentId),
  );
  app.delete(
    "/api/agents/:agentId/keys/:keyId",
    { schema: { tags, params: z.strictObject({ agentId: uuid, keyId: uuid }) } },
    async (req, reply) => {
      await agents.revokeKey(actorOf(req), req.params.agentId, req.params.keyId);
      return reply.status(204).send();
    },
  );
  app.post(
    "/api/agents/:agentId/delivery-secret/rotate",
    { schema: { tags, params: agentParams, response: { 200: rotatedDeliverySecret } } },
    async (req) => agents.rotateDeliverySecret(actorOf(req), req.params.agentId),
  );
  app.post(
    "/api/agents/:agentId/pause",
    { schema: { tags, params: agentParams, response: { 200: agent } } },
    async (req) => agents.pause(actorOf(req), req.params.agentId),
  );
  app.post(
    "/api/agents/:agentId/resume",
    { schema: { tags, params: agentParams, response: { 200: agent } } },
    async (req) => agents.resume(actorOf(req), req.params.agentId),
  );
};

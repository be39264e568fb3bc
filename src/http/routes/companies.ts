import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody, idParams } from "../../domain/schemas/common";
import { company, createCompanyBody, updateCompanyBody } from "../../domain/schemas/companies";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const params = idParams("companyId");
const tags = ["companies"];

export const companyRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { companies } = services;

  app.post(
    "/api/companies",
    { schema: { tags, body: createCompanyBody, response: { 201: company, 400: errorBody } } },
    async (req, reply) => reply.status(201).send(await companies.create(actorOf(req), req.body)),
  );
  app.get("/api/companies", { schema: { tags, response: { 200: z.array(company) } } }, async (req) =>
    companies.list(actorOf(req)),
  );
  app.get("/api/companies/:companyId", { schema: { tags, params, response: { 200: company, 404: errorBody } } }, async (req) =>
    companies.get(actorOf(req), req.params.companyId),
  );
  app.patch(
    "/api/companies/:companyId",
    { schema: { tags, params, body: updateCompanyBody, response: { 200: company } } },
    async (req) => companies.update(actorOf(req), req.params.companyId, req.body),
  );
};

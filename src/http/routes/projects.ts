import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idParams } from "../../domain/schemas/common";
import {
  createGoalBody,
  createProjectBody,
  goal,
  project,
  updateGoalBody,
  updateProjectBody,
} from "../../domain/schemas/projects";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const companyParams = idParams("companyId");

export const projectRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { projects, goals } = services;
  let tags = ["projects"];
  const projectParams = idParams("projectId");
  app.post(
    "/api/companies/:companyId/projects",
    { schema: { tags, params: companyParams, body: createProjectBody, response: { 201: project } } },
    async (req, reply) => reply.status(201).send(await projects.create(actorOf(req), req.params.companyId, req.body)),
  );
  app.get(
    "/api/companies/:companyId/projects",
    { schema: { tags, params: companyParams, response: { 200: z.array(project) } } },
    async (req) => projects.list(actorOf(req), req.params.companyId),
  );
  app.get("/api/projects/:projectId", { schema: { tags, params: projectParams, response: { 200: project } } }, async (req) =>
    projects.get(actorOf(req), req.params.projectId),
  );
  app.patch(
    "/api/projects/:projectId",
    { schema: { tags, params: projectParams, body: updateProjectBody, response: { 200: project } } },
    async (req) => projects.update(actorOf(req), req.params.projectId, req.body),
  );

  tags = ["goals"];
  const goalParams = idParams("goalId");
  app.post(
    "/api/companies/:companyId/goals",
    { schema: { tags, params: companyParams, body: createGoalBody, response: { 201: goal } } },
    async (req, reply) => reply.status(201).send(await goals.create(actorOf(req), req.params.companyId, req.body)),
  );
  app.get(
    "/api/companies/:companyId/goals",
    { schema: { tags, params: companyParams, response: { 200: z.array(goal) } } },
    async (req) => goals.list(actorOf(req), req.params.companyId),
  );
  app.get("/api/goals/:goalId", { schema: { tags, params: goalParams, response: { 200: goal } } }, async (req) =>
    goals.get(actorOf(req), req.params.goalId),
  );
  app.patch(
    "/api/goals/:goalId",
    { schema: { tags, params: goalParams, body: updateGoalBody, response: { 200: goal } } },
    async (req) => goals.update(actorOf(req), req.params.goalId, req.body),
  );
};

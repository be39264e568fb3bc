import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody, idParams, uuid } from "../../domain/schemas/common";
import { activityEntry, listActivityQuery } from "../../domain/schemas/activity";
import {
  createRoutineBody,
  listRoutinesQuery,
  restoreBody,
  restoreResult,
  revision,
  routine,
  routineDetail,
  routineListItem,
  updateRoutineBody,
} from "../../domain/schemas/routines";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["routines"];
const companyParams = idParams("companyId");
const params = idParams("routineId");

export const routineRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { routines, revisions, activity } = services;

  app.get(
    "/api/companies/:companyId/routines",
    {
      schema: {
        tags,
        summary: "List routines",
        params: companyParams,
        querystring: listRoutinesQuery,
        response: { 200: z.array(routineListItem) },
      },
    },
    async (req) => routines.list(actorOf(req), req.params.companyId, req.query),
  );
  app.post(
    "/api/companies/:companyId/routines",
    {
      schema: {
        tags,
        summary: "Create routine",
        params: companyParams,
        body: createRoutineBody,
        response: { 201: routine, 400: errorBody, 403: errorBody, 422: errorBody },
      },
    },
    async (req, reply) => reply.status(201).send(await routines.create(actorOf(req), req.params.companyId, req.body)),
  );
  app.get(
    "/api/routines/:routineId",
    { schema: { tags, summary: "Get routine", params, response: { 200: routineDetail, 404: errorBody } } },
    async (req) => routines.get(actorOf(req), req.params.routineId),
  );
  app.patch(
    "/api/routines/:routineId",
    {
      schema: {
        tags,
        summary: "Update routine",
        params,
        body: updateRoutineBody.optional(),
        response: { 200: routine, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    },
    async (req) => routines.update(actorOf(req), req.params.routineId, req.body ?? {}),
  );
  app.get(
    "/api/routines/:routineId/revisions",
    {
      schema: {
        tags,
        summary: "List routine revisions",
        description: "Newest first (at most 100). Every change of the routine or its triggers records one.",
        params,
        response: { 200: z.array(revision), 403: errorBody, 404: errorBody },
      },
    },
    async (req) => revisions.list(actorOf(req), req.params.routineId),
  );
  app.post(
    "/api/routines/:routineId/revisions/:revisionId/restore",
    {
      schema: {
        tags,
        summary: "Restore a routine revision",
        description:
          "Puts the routine and its triggers back as the revision recorded them, as a new revision. A webhook trigger deleted since is re-created with a new secret, returned once in secretMaterials.",
        params: z.strictObject({ routineId: uuid, revisionId: uuid }),
        body: restoreBody.optional(),
        response: { 200: restoreResult, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (req) => revisions.restore(actorOf(req), req.params.routineId, req.params.revisionId, req.body?.changeSummary),
  );
  app.get(
    "/api/companies/:companyId/activity",
    {
      schema: {
        tags: ["activity"],
        summary: "Activity log",
        description:
          "Who did what in the company, newest first: routines, triggers, runs, issues and comments. Filters: actorType, actorId, agentId, entityType, entityId, routineId (the routine, its triggers and its runs), action, projectId, since; `before` = the id of the last entry of the previous page.",
        params: companyParams,
        querystring: listActivityQuery,
        response: { 200: z.array(activityEntry), 403: errorBody, 404: errorBody },
      },
    },
    async (req) => activity.list(actorOf(req), req.params.companyId, req.query),
  );
};

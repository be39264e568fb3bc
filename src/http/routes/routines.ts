import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody, idParams } from "../../domain/schemas/common";
import {
  createRoutineBody,
  listRoutinesQuery,
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
  const { routines } = services;

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
        body: updateRoutineBody,
        response: { 200: routine, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    },
    async (req) => routines.update(actorOf(req), req.params.routineId, req.body),
  );
};

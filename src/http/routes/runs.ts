import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody, idParams } from "../../domain/schemas/common";
import { backfillBody, backfillResult } from "../../domain/schemas/backfill";
import { listRunsQuery, manualRunBody, runListItem, runSummary } from "../../domain/schemas/runs";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["runs"];
const params = idParams("routineId");

export const runRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { runs, backfill } = services;

  app.post(
    "/api/routines/:routineId/run",
    {
      schema: {
        tags,
        summary: "Manual run",
        description: "Fires the routine now through the one firing path; the concurrency policy applies. The same idempotencyKey returns the same run.",
        params,
        body: manualRunBody.optional(),
        response: { 202: runSummary, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    },
    async (req, reply) => reply.status(202).send(await runs.run(actorOf(req), req.params.routineId, req.body, req.log)),
  );
  app.get(
    "/api/routines/:routineId/runs",
    {
      schema: {
        tags,
        summary: "List runs",
        description: "Newest first. `limit` 1..200 (default 50); `before` = a run id or ISO time for the next page; `status` filters.",
        params,
        querystring: listRunsQuery,
        response: { 200: z.array(runListItem), 404: errorBody },
      },
    },
    async (req) => runs.list(actorOf(req), req.params.routineId, req.query),
  );
  app.post(
    "/api/routines/:routineId/backfill",
    {
      schema: {
        tags,
        summary: "Backfill a schedule trigger",
        description:
          "Fires the trigger's occurrences in [from, to] (at most 1,000) through the firing path; already fired slots are no-ops.",
        params,
        body: backfillBody,
        response: { 200: backfillResult, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    },
    async (req) => backfill.backfill(actorOf(req), req.params.routineId, req.body),
  );
};

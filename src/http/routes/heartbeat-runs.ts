/** Heartbeat runs: poll agents claim and complete them; agents read their own, the board all. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idParams } from "../../domain/schemas/common";
import {
  claimBody,
  completeBody,
  heartbeatAttempt,
  heartbeatDelivery,
  heartbeatRun,
  listHeartbeatAttemptsQuery,
  listHeartbeatRunsQuery,
} from "../../domain/schemas/heartbeat-runs";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["heartbeat-runs"];

export const heartbeatRunRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { heartbeatRuns } = services;
  // Long polls end when the server closes, so shutdown does not wait out their waitSec.
  const closing = new AbortController();
  app.addHook("preClose", async () => closing.abort());

  app.post(
    "/api/agents/me/heartbeat-runs/claim",
    {
      schema: {
        tags,
        description: "Claims the calling poll agent's oldest runnable heartbeat run, waiting up to waitSec for one (204 when none came).",
        body: claimBody.default({}),
        response: { 200: heartbeatDelivery, 204: z.null().describe("No heartbeat run to claim") },
      },
    },
    async (req, reply) => {
      const gone = new AbortController();
      reply.raw.on("close", () => gone.abort()); // the agent hung up: stop waiting
      const claimed = await heartbeatRuns.claim(actorOf(req), req.body, AbortSignal.any([closing.signal, gone.signal]));
      return claimed ?? reply.status(204).send(null);
    },
  );
  app.post(
    "/api/heartbeat-runs/:heartbeatRunId/complete",
    { schema: { tags, params: idParams("heartbeatRunId"), body: completeBody, response: { 200: heartbeatRun } } },
    async (req) => heartbeatRuns.complete(actorOf(req), req.params.heartbeatRunId, req.body),
  );
  app.get(
    "/api/agents/:agentId/heartbeat-runs",
    {
      schema: {
        tags,
        params: idParams("agentId"),
        querystring: listHeartbeatRunsQuery,
        response: { 200: z.array(heartbeatRun) },
      },
    },
    async (req) => heartbeatRuns.listByAgent(actorOf(req), req.params.agentId, req.query),
  );
  app.post(
    "/api/heartbeat-runs/:heartbeatRunId/retry",
    {
      schema: {
        tags,
        summary: "Retry a failed delivery",
        description:
          "Board only. Queues a new heartbeat run (fresh attempts) for the agent, issue and routine run of a failed or timed out one; the routine run goes back to issue_created. 409 when the run has not failed, its issue is done or cancelled, or a delivery is already pending.",
        params: idParams("heartbeatRunId"),
        response: { 201: heartbeatRun },
      },
    },
    async (req, reply) => reply.status(201).send(await heartbeatRuns.retry(actorOf(req), req.params.heartbeatRunId)),
  );
  app.get(
    "/api/heartbeat-runs/:heartbeatRunId/attempts",
    {
      schema: {
        tags,
        description:
          "The board, and the run's own agent. One entry per attempt, oldest first: when, the adapter, how it ended (succeeded, failed, timed_out, lease_lapsed), the HTTP status or exit code when known, and the error. Page with `after` (the last attempt number seen).",
        params: idParams("heartbeatRunId"),
        querystring: listHeartbeatAttemptsQuery,
        response: { 200: z.array(heartbeatAttempt) },
      },
    },
    async (req) => heartbeatRuns.listAttempts(actorOf(req), req.params.heartbeatRunId, req.query),
  );
  app.get(
    "/api/heartbeat-runs/:heartbeatRunId",
    { schema: { tags, params: idParams("heartbeatRunId"), response: { 200: heartbeatRun } } },
    async (req) => heartbeatRuns.get(actorOf(req), req.params.heartbeatRunId),
  );
};

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idParams } from "../../domain/schemas/common";
import {
  createCommentBody,
  createIssueBody,
  issue,
  issueComment,
  listIssuesQuery,
  updateIssueBody,
} from "../../domain/schemas/issues";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["issues"];
const companyParams = idParams("companyId");
const issueParams = idParams("issueId");

export const issueRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { issues } = services;

  app.post(
    "/api/companies/:companyId/issues",
    { schema: { tags, params: companyParams, body: createIssueBody, response: { 201: issue } } },
    async (req, reply) => reply.status(201).send(await issues.create(actorOf(req), req.params.companyId, req.body)),
  );
  app.get(
    "/api/companies/:companyId/issues",
    {
      schema: {
        tags,
        description: "Newest first. Page with `before` = the id of the last issue of the previous page.",
        params: companyParams,
        querystring: listIssuesQuery,
        response: { 200: z.array(issue) },
      },
    },
    async (req) => issues.list(actorOf(req), req.params.companyId, req.query),
  );
  app.get("/api/issues/:issueId", { schema: { tags, params: issueParams, response: { 200: issue } } }, async (req) =>
    issues.get(actorOf(req), req.params.issueId),
  );
  app.patch(
    "/api/issues/:issueId",
    { schema: { tags, params: issueParams, body: updateIssueBody, response: { 200: issue } } },
    async (req) => issues.update(actorOf(req), req.params.issueId, req.body),
  );
  app.get(
    "/api/issues/:issueId/comments",
    { schema: { tags, params: issueParams, response: { 200: z.array(issueComment) } } },
    async (req) => issues.listComments(actorOf(req), req.params.issueId),
  );
  app.post(
    "/api/issues/:issueId/comments",
    { schema: { tags, params: issueParams, body: createCommentBody, response: { 201: issueComment } } },
    async (req, reply) => reply.status(201).send(await issues.addComment(actorOf(req), req.params.issueId, req.body.body)),
  );
};

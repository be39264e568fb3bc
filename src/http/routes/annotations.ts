/** Annotation threads on a routine's description, at Paperclip's paths (`/api/routines/:id/description/annotations…`). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  addCommentBody,
  annotationComment,
  annotationThread,
  annotationThreadWithComments,
  createThreadBody,
  listThreadsQuery,
  updateThreadBody,
} from "../../domain/schemas/annotations";
import { errorBody, idParams, uuid } from "../../domain/schemas/common";
import type { Services } from "../../services";
import { actorOf } from "../auth";

const tags = ["annotations"];
const params = idParams("routineId");
const threadParams = z.strictObject({ routineId: uuid, threadId: uuid });
const errors = { 403: errorBody, 404: errorBody };

export const annotationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { annotations } = services;

  app.get(
    "/api/routines/:routineId/description/annotations",
    {
      schema: {
        tags,
        summary: "List annotation threads on a routine's description",
        description: "Newest activity first. `status`: open (the default), resolved or all; `includeComments=true` adds each thread's comments.",
        params,
        querystring: listThreadsQuery,
        response: { 200: z.array(annotationThreadWithComments.partial({ comments: true })), ...errors },
      },
    },
    async (req) => annotations.list(actorOf(req), req.params.routineId, req.query),
  );
  app.get(
    "/api/routines/:routineId/description/annotations/:threadId",
    {
      schema: { tags, summary: "Get an annotation thread, with its comments", params: threadParams, response: { 200: annotationThreadWithComments, ...errors } },
    },
    async (req) => annotations.get(actorOf(req), req.params.routineId, req.params.threadId),
  );
  app.post(
    "/api/routines/:routineId/description/annotations",
    {
      schema: {
        tags,
        summary: "Annotate a passage of a routine's description",
        description:
          "Made against the description's latest revision (`descriptionDocument` of the routine): another revision is a 409 with the current one; a selector that does not name a passage of it is a 422.",
        params,
        body: createThreadBody,
        response: { 201: annotationThreadWithComments, 400: errorBody, ...errors, 409: errorBody, 422: errorBody },
      },
    },
    async (req, reply) => reply.status(201).send(await annotations.create(actorOf(req), req.params.routineId, req.body)),
  );
  app.post(
    "/api/routines/:routineId/description/annotations/:threadId/comments",
    {
      schema: {
        tags,
        summary: "Answer an annotation thread",
        params: threadParams,
        body: addCommentBody,
        response: { 201: annotationComment, 400: errorBody, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await annotations.addComment(actorOf(req), req.params.routineId, req.params.threadId, req.body)),
  );
  app.patch(
    "/api/routines/:routineId/description/annotations/:threadId",
    {
      schema: {
        tags,
        summary: "Resolve or reopen an annotation thread",
        params: threadParams,
        body: updateThreadBody,
        response: { 200: annotationThread, 400: errorBody, ...errors },
      },
    },
    async (req) => annotations.update(actorOf(req), req.params.routineId, req.params.threadId, req.body),
  );
};

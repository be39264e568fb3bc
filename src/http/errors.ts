/** The one place errors become HTTP responses: `{ "error": "...", "details"?: ... }`. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { pgCode, transientDatabaseError } from "../domain/database-errors";
import { isAppError } from "../domain/errors";
import { createOutageLog } from "../services/database-outage";

const PG_UNIQUE_VIOLATION = "23505";
const PG_FOREIGN_KEY_VIOLATION = "23503";
const PG_CHECK_VIOLATION = "23514";
/** Text (22021) or JSON (22P05) the database cannot store: in practice a NUL character (\u0000). */
const PG_UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

export interface ErrorHandlerOptions {
  /** A query that succeeds once the database is back: ends an outage (and its log) when it does. */
  databaseProbe?: () => Promise<unknown>;
}

export function registerErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  // One warning per outage and one line when it ends, not a line per request.
  const outage = createOutageLog({ log: app.log, component: "http", probe: options.databaseProbe });
  app.addHook("onResponse", async (_request, reply) => {
    if (reply.statusCode < 500) outage.succeeded();
  });
  app.addHook("onClose", async () => outage.close());
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    if (isAppError(err)) {
      if (err.options.headers) reply.headers(err.options.headers);
      return reply.status(err.status).send(err.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? "request";
      return reply.status(400).send({
        error: `Invalid ${where}: ${err.validation.map((v) => `${v.instancePath.replace(/^\//, "").replaceAll("/", ".") || where} ${v.message}`).join("; ")}`,
        details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      });
    }
    const code = pgCode(err);
    if (code === PG_UNIQUE_VIOLATION) return reply.status(409).send({ error: "Conflicts with an existing record" });
    if (code === PG_FOREIGN_KEY_VIOLATION) return reply.status(422).send({ error: "Refers to a record that does not exist" });
    if (code === PG_CHECK_VIOLATION) return reply.status(422).send({ error: "Value not allowed" });
    if (code && PG_UNSTORABLE_TEXT.has(code)) {
      return reply.status(400).send({ error: "Text cannot contain NUL characters (\\u0000): remove them and retry" });
    }
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      // Answered before the body was read: read (and drop) the rest first, or closing the connection with unread
      // data resets it and a client that did not send `Expect: 100-continue` never sees the 413.
      await drainRequest(request.raw, DRAIN_LIMIT, DRAIN_TIMEOUT_MS);
      return reply
        .status(413)
        .header("connection", "close")
        .send({ error: `Request body is too large: the limit for this endpoint is ${request.routeOptions.bodyLimit} bytes` });
    }
    // fastify's own client errors: malformed JSON, unsupported media type, ...
    if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: clientErrorMessage(err) });
    }
    const transient = transientDatabaseError(err);
    if (transient) {
      // The code only: a driver error's message may quote the query and its parameters.
      if (transient.kind === "unavailable") outage.failed(transient.cause);
      else request.log.info({ cause: transient.cause }, "transaction aborted by a concurrent change: answered 503");
      return reply
        .status(503)
        .header("retry-after", String(transient.retryAfterSeconds))
        .send({ error: transient.error, retryAfterSeconds: transient.retryAfterSeconds });
    }
    request.log.error({ err }, "unhandled error");
    return reply.status(500).send({ error: "Internal server error" });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: `No route for ${request.method} ${request.url.split("?")[0]}` }),
  );
}

/** Errors fastify raises before routing (e.g. a malformed percent-encoding in the URL), in our error shape. */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({ error: `Bad request: ${err.message}` });
}

/** How much of a refused body is read and dropped so that the 413 reaches the client, and for how long. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

/** Reads the rest of a request body and drops it; gives up after `limit` bytes or `timeoutMs`. */
function drainRequest(req: import("node:http").IncomingMessage, limit: number, timeoutMs: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData).off("end", done).off("error", done).off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > limit) done();
    };
    const timer = setTimeout(done, timeoutMs);
    req.on("data", onData).on("end", done).on("error", done).on("close", done);
    req.resume();
  });
}

function clientErrorMessage(err: FastifyError): string {
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return `Malformed JSON body: ${err.message}`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "Unsupported content type: send application/json";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "Request body is too large";
    default:
      return err.message;
  }
}

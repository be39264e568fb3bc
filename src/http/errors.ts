/** The one place errors become HTTP responses: `{ "error": "...", "details"?: ... }`. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isAppError } from "../domain/errors";

const PG_UNIQUE_VIOLATION = "23505";
const PG_FOREIGN_KEY_VIOLATION = "23503";
const PG_CHECK_VIOLATION = "23514";
/** Text (22021) or JSON (22P05) the database cannot store: in practice a NUL character (\u0000). */
const PG_UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === "string" ? e.code : typeof e.cause?.code === "string" ? e.cause.code : undefined;
  return code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
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
    // fastify's own client errors: malformed JSON, unsupported media type, body too large, ...
    if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: clientErrorMessage(err) });
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

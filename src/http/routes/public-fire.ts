/**
 * `POST /api/routine-triggers/public/{publicId}/fire`: public (the trigger's own secret authenticates, never an
 * agent key or board token). Its own plugin, so that every content type reaches the handler as the raw bytes
 * the signature covers. The work is in `services.webhooks`.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../domain/errors";
import { errorBody, retryLaterBody } from "../../domain/schemas/common";
import { runSummary } from "../../domain/schemas/runs";
import { PUBLIC_ID, type WebhookHeaders } from "../../domain/webhook-auth";
import type { Services } from "../../services";

/**
 * Request headers from the raw list, names in lower case, a header sent twice as an array. Node's own
 * `headers` keeps only the first `Authorization` and joins others with ", ", which would hide a duplicate.
 */
export function headersFromRaw(raw: string[]): WebhookHeaders {
  const headers: Record<string, string | string[]> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const known = headers[name];
    headers[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return headers;
}

const description = `Fires a webhook trigger. Authenticated by the trigger's own secret, depending on its signingMode:
\`bearer\` (\`Authorization: Bearer <secret>\`), \`hmac_sha256\` (\`X-Paperclip-Timestamp\` + \`X-Paperclip-Signature\`),
\`github_hmac\` (\`X-Hub-Signature-256\`, \`X-GitHub-Delivery\`) or \`standard_webhooks\` (\`webhook-id\`,
\`webhook-timestamp\`, \`webhook-signature\`). Any authentication failure is 401. A JSON object body is the payload;
other bodies are wrapped. \`Idempotency-Key\` (≤ 255 characters) returns the run of an earlier fire with that key.
A signature accepted once is refused again with 409 "Duplicate delivery". See docs/webhooks.md.`;

export const publicFireRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const { webhooks } = services;
  // This plugin's context only: every body, whatever its content type, arrives as the bytes that were signed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.post(
    "/api/routine-triggers/public/:publicId/fire",
    {
      // Its own secret authenticates every request, so any site and any Host may call it (tunnels, proxies).
      config: { public: true, crossSite: true },
      bodyLimit: webhooks.bodyLimit,
      // Senders used to URL tokens put secrets in the query string: log the path only.
      logSerializers: {
        req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split("?")[0], remoteAddress: req.ip }),
      },
      schema: {
        tags: ["triggers"],
        summary: "Fire a webhook trigger (public)",
        description,
        security: [],
        params: z.strictObject({ publicId: z.string().describe("24 lowercase hex characters") }),
        response: { 202: runSummary, 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody, 413: errorBody, 429: retryLaterBody, 503: retryLaterBody },
      },
      // Before the body is read: a malformed id costs nothing.
      onRequest: async (req) => {
        if (!PUBLIC_ID.test((req.params as { publicId: string }).publicId)) throw notFound("Routine trigger not found");
      },
    },
    async (req, reply) => {
      const run = await webhooks.fire({
        publicId: req.params.publicId,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        headers: headersFromRaw(req.raw.rawHeaders),
        contentType: req.headers["content-type"],
        clientIp: req.ip,
        log: req.log,
        onRefused: ({ status, reason, triggerId }) => {
          const level = reason === "secret_unreadable" ? "error" : "info";
          req.log[level]({ status, reason, triggerId }, "webhook fire refused");
          // A reason code (signature_mismatch, stale_timestamp, ...) or the status: a small closed set of labels.
          services.metrics.webhookRefusals.inc({ reason: /^[a-z_]{1,40}$/.test(reason) ? reason : `http_${status}` });
        },
      });
      return reply.status(202).send(run);
    },
  );
};

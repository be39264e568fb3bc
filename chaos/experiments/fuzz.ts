/**
 * A fuzz of every endpoint of the OpenAPI document with fast-check: real and made-up ids in the path,
 * arbitrary query strings, JSON (random and shaped like the API's own fields), malformed bodies, odd content
 * types, no/agent/garbage credentials. Nothing may answer 5xx. Secrets handed out in answers (new agent keys,
 * rotated webhook secrets) join the secret scan.
 */
import fc from "fast-check";
import { secrets } from "../lib/fixture";
import { Tally, call } from "../lib/http";

const FIELDS = [
  "name", "title", "description", "status", "kind", "cronExpression", "timezone", "signingMode", "concurrencyPolicy",
  "catchUpPolicy", "assigneeAgentId", "projectId", "payload", "idempotencyKey", "adapterType", "parentId", "goalId",
  "priority", "from", "to", "triggerId", "count", "waitSec", "enabled", "replayWindowSec", "label", "variables",
];
const METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT"];

/** Secrets in an answer: any string under a key that names one. */
function collectSecrets(value: unknown): void {
  if (!value || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && /^(key|token|webhookSecret|secret)$/i.test(k) && v.length >= 16) secrets.add(v);
    else collectSecrets(v);
  }
}

export async function fuzzEndpoints(base: string, ids: string[], agentKey: string, runs: number, seed?: number) {
  const spec = (await call(base, "GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(spec.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ path: p, method: m.toUpperCase() })));
  const param = fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom("", "%00", "..", "a".repeat(300), "ab".repeat(12)));
  const field = fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...ids), fc.constantFrom("* * * * *", "Europe/Amsterdam", "hmac_sha256", "poll", "paused", "active", "done")), { maxKeys: 6 });
  const body = fc.oneof(
    fc.constant(undefined),
    field.map((o) => JSON.stringify(o)),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
  );
  const request = fc.record({
    op: fc.constantFrom(...operations),
    otherMethod: fc.option(fc.constantFrom(...METHODS), { freq: 5 }),
    params: fc.array(param, { minLength: 3, maxLength: 3 }),
    query: fc.option(fc.dictionary(fc.constantFrom("limit", "before", "status", "count", "projectId", "assigneeAgentId", "cursor"), fc.string({ maxLength: 30 }), { maxKeys: 3 })),
    body,
    contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", undefined),
    auth: fc.constantFrom("board", "agent", "garbage"),
  });

  const tally = new Tally();
  const failures: string[] = [];
  const property = fc.asyncProperty(request, async (r) => {
    let i = 0;
    const path = r.op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.params[i++ % 3]!));
    const query = r.query ? `?${new URLSearchParams(r.query)}` : "";
    const method = r.otherMethod ?? r.op.method;
    const hasBody = r.body !== undefined && method !== "GET";
    const res = tally.add(
      await call(base, method, path + query, {
        rawBody: hasBody ? r.body : undefined,
        headers: { ...(hasBody && r.contentType ? { "content-type": r.contentType } : {}), ...(r.auth === "garbage" ? { authorization: "Bearer not-a-real-key-0123456789" } : {}) },
        token: r.auth === "agent" ? agentKey : undefined,
        timeoutMs: 40_000,
      }),
    );
    collectSecrets(res.body);
    if (res.status >= 500 || res.status === 0) failures.push(`${method} ${path}${query} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.status > 0 && res.status < 500;
  });
  let counterexample: string | undefined;
  try {
    await fc.assert(property, { numRuns: runs, seed, endOnFailure: true });
  } catch (err) {
    counterexample = (err as Error).message.split("\n").slice(0, 6).join("\n");
  }
  return { operations: operations.length, requests: tally.summary(), failures: failures.slice(0, 10), counterexample };
}

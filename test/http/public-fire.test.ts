/**
 * The public webhook fire over HTTP: a table of attacks and bad inputs with the status each must get, then
 * replay, idempotency, rotation, rate limits and every signing mode end to end.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/domain/clock";
import { queryRows } from "../../src/store/db";
import { type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { type HeaderList, github, paperclip, rawRequest, standard } from "../helpers/webhooks";
import { addRoutine } from "../helpers/world";

let nowMs = Math.floor(Date.now() / 1000) * 1000;
const clock: Clock = { now: () => new Date(nowMs) };
const nowS = () => Math.floor(nowMs / 1000);
const WINDOW = 300;
const LIMIT = 256 * 1024;

let t: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;
let port: number;

interface Fixture {
  publicId: string;
  secret: string;
  triggerId: string;
  routineId: string;
  path: string;
}

async function makeTrigger(
  signingMode: string,
  opts: { enabled?: boolean; routineStatus?: "paused" | "archived"; app?: TestApp; world?: typeof w } = {},
): Promise<Fixture> {
  const { routineId, trigger } = await addRoutine(
    { t: opts.app ?? t, w: opts.world ?? w },
    {
      routine: { title: `hook ${signingMode}`, concurrencyPolicy: "always_enqueue" },
      trigger: { kind: "webhook", signingMode, enabled: opts.enabled ?? true, replayWindowSec: WINDOW },
      status: opts.routineStatus,
    },
  );
  return { publicId: trigger!.body.publicId, secret: trigger!.secret, triggerId: trigger!.id, routineId, path: trigger!.path };
}

const FIXTURES = ["bearer", "hmac", "github", "standard", "disabled", "paused", "archived"] as const;
const fx = {} as Record<(typeof FIXTURES)[number], Fixture>;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { ROUTINED_WEBHOOK_RATE_PER_TRIGGER: "100000", ROUTINED_WEBHOOK_RATE_PER_IP: "100000" } });
  w = await seedWorld(t);
  fx.bearer = await makeTrigger("bearer");
  fx.hmac = await makeTrigger("hmac_sha256");
  fx.github = await makeTrigger("github_hmac");
  fx.standard = await makeTrigger("standard_webhooks");
  fx.disabled = await makeTrigger("hmac_sha256", { enabled: false });
  fx.paused = await makeTrigger("hmac_sha256", { routineStatus: "paused" });
  fx.archived = await makeTrigger("hmac_sha256", { routineStatus: "archived" });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(() => t.close());

type Headers = Record<string, string>;
interface Send {
  path?: string;
  headers?: Headers;
  body?: string | Buffer;
  /** null: no Content-Type header. Default application/json. */
  contentType?: string | null;
  /** Sent over a socket exactly as listed (repeated headers), instead of inject. */
  raw?: HeaderList;
  remoteAddress?: string;
}

async function send(s: Send) {
  const body = s.body === undefined ? Buffer.alloc(0) : Buffer.from(s.body);
  const ct = s.contentType === undefined ? "application/json" : s.contentType;
  if (s.raw) {
    const res = await rawRequest(port, s.path!, [...(ct ? ([["Content-Type", ct]] as HeaderList) : []), ...s.raw], body);
    return { status: res.status, body: safeJson(res.body), headers: {} as Record<string, unknown> };
  }
  const res = await t.app.inject({
    method: "POST",
    url: s.path!,
    headers: { ...(ct ? { "content-type": ct } : {}), ...s.headers },
    payload: body,
    remoteAddress: s.remoteAddress,
  });
  return { status: res.statusCode, body: safeJson(res.body), headers: res.headers as Record<string, unknown> };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const bearer = (secret: string): Headers => ({ authorization: `Bearer ${secret}` });
const STANDARD_ERRORS: Record<number, string> = {
  401: "Unauthorized",
  404: "Routine trigger not found",
  413: `Request body is too large: the limit for this endpoint is ${LIMIT} bytes`,
};

interface Case {
  name: string;
  on: (typeof FIXTURES)[number];
  /** Default: a JSON body unique to the case, so that no two cases share a signature. */
  body?: string | Buffer;
  contentType?: string | null;
  sign: (f: Fixture, body: Buffer) => Headers;
  raw?: (f: Fixture, body: Buffer) => HeaderList;
  path?: (f: Fixture) => string;
  /** Send the same request once before, expecting 202. */
  prime?: boolean;
  /** After priming, send these headers instead (the same signature written differently). */
  replayWith?: (f: Fixture, body: Buffer) => Headers;
  status: number;
  /** Expected `error`; defaults by status; null when another route answers. */
  error?: string | null;
  /** Expected triggerPayload of the run. */
  payload?: unknown;
}

const ts = () => nowS();
const otherSecret = crypto.randomBytes(24).toString("hex");
const otherWhsec = `whsec_${crypto.randomBytes(24).toString("base64")}`;
const pc = (f: Fixture, b: Buffer, at: number | string = ts(), prefix = "") => paperclip(f.secret, b, at, prefix);
const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith("0") ? "1" : "0");
const encodeAll = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
const publicPath = (id: string) => `/api/routine-triggers/public/${id}/fire`;
const none = () => ({});

const cases: Case[] = [
  // The public id is checked before anything else; every odd one is the same 404 as an unknown id.
  { name: "publicId in upper case", on: "hmac", path: (f) => publicPath(f.publicId.toUpperCase()), sign: pc, status: 404 },
  { name: "publicId of 23 characters", on: "hmac", path: (f) => publicPath(f.publicId.slice(0, 23)), sign: pc, status: 404 },
  { name: "publicId of 25 characters", on: "hmac", path: (f) => publicPath(`${f.publicId}0`), sign: pc, status: 404 },
  { name: "an unknown well-formed publicId", on: "hmac", path: () => publicPath(crypto.randomBytes(12).toString("hex")), sign: pc, status: 404 },
  { name: "publicId with an encoded ../", on: "hmac", path: (f) => publicPath(`..%2F..%2F${f.publicId.slice(6)}`), sign: pc, status: 404 },
  { name: "publicId with a NUL byte", on: "hmac", path: (f) => publicPath(`${f.publicId.slice(0, 23)}%00`), sign: pc, status: 404 },
  { name: "publicId in full-width unicode digits", on: "hmac", path: (f) => publicPath(encodeURIComponent([...f.publicId].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(""))), sign: pc, status: 404 },
  { name: "publicId with a trailing space", on: "hmac", path: (f) => publicPath(`${f.publicId}%20`), sign: pc, status: 404 },
  { name: "a literal ../ in the path reaches no route", on: "hmac", path: (f) => `/api/routine-triggers/public/../${f.publicId}/fire`, sign: pc, status: 404, error: null },
  { name: "publicId percent-encoded character by character is the same URL (RFC 3986), still signed", on: "hmac", path: (f) => publicPath(encodeAll(f.publicId)), sign: pc, status: 202 },

  // bearer
  { name: "bearer: the right token", on: "bearer", sign: (f) => bearer(f.secret), status: 202 },
  { name: "bearer: no Authorization header", on: "bearer", sign: none, status: 401 },
  { name: "bearer: a wrong token", on: "bearer", sign: () => bearer(otherSecret), status: 401 },
  { name: "bearer: the token truncated by one character", on: "bearer", sign: (f) => bearer(f.secret.slice(0, -1)), status: 401 },
  { name: "bearer: the token in upper case", on: "bearer", sign: (f) => bearer(f.secret.toUpperCase()), status: 401 },
  { name: "bearer: Basic scheme", on: "bearer", sign: (f) => ({ authorization: `Basic ${f.secret}` }), status: 401 },
  { name: "bearer: an agent API key is never taken for the secret", on: "bearer", sign: () => bearer(w.agent.key), status: 401 },
  { name: "bearer: the secret of another trigger", on: "bearer", sign: () => bearer(fx.hmac.secret), status: 401 },
  { name: "bearer: a valid HMAC signature instead of the token", on: "bearer", sign: pc, status: 401 },
  { name: "bearer: the right token sent twice", on: "bearer", sign: none, raw: (f) => [["Authorization", `Bearer ${f.secret}`], ["Authorization", `Bearer ${f.secret}`]], status: 401 },
  { name: "bearer: the right token, then a wrong one", on: "bearer", sign: none, raw: (f) => [["Authorization", `Bearer ${f.secret}`], ["authorization", "Bearer x"]], status: 401 },

  // hmac_sha256 (Paperclip)
  { name: "hmac: lowercase hex", on: "hmac", sign: pc, status: 202 },
  { name: "hmac: with the sha256= prefix", on: "hmac", sign: (f, b) => pc(f, b, ts(), "sha256="), status: 202 },
  { name: "hmac: uppercase hex", on: "hmac", sign: (f, b) => { const h = pc(f, b); return { ...h, "x-paperclip-signature": h["x-paperclip-signature"].toUpperCase() }; }, status: 202 },
  { name: "hmac: a millisecond timestamp", on: "hmac", sign: (f, b) => pc(f, b, nowMs), status: 202 },
  { name: "hmac: at the edge of the window (stale side)", on: "hmac", sign: (f, b) => pc(f, b, ts() - WINDOW), status: 202 },
  { name: "hmac: forged with another secret", on: "hmac", sign: (f, b) => paperclip(otherSecret, b, ts()), status: 401 },
  { name: "hmac: the last hex digit changed", on: "hmac", sign: (f, b) => { const h = pc(f, b); return { ...h, "x-paperclip-signature": flip(h["x-paperclip-signature"]) }; }, status: 401 },
  { name: "hmac: truncated to 63 hex", on: "hmac", sign: (f, b) => { const h = pc(f, b); return { ...h, "x-paperclip-signature": h["x-paperclip-signature"].slice(0, 63) }; }, status: 401 },
  { name: "hmac: sha1= prefix", on: "hmac", sign: (f, b) => pc(f, b, ts(), "sha1="), status: 401 },
  { name: "hmac: SHA256= prefix in upper case", on: "hmac", sign: (f, b) => pc(f, b, ts(), "SHA256="), status: 401 },
  { name: "hmac: sha256: with a colon", on: "hmac", sign: (f, b) => pc(f, b, ts(), "sha256:"), status: 401 },
  { name: "hmac: base64 instead of hex", on: "hmac", sign: (f, b) => ({ ...pc(f, b), "x-paperclip-signature": Buffer.from(pc(f, b)["x-paperclip-signature"], "hex").toString("base64") }), status: 401 },
  { name: "hmac: stale by one second", on: "hmac", sign: (f, b) => pc(f, b, ts() - WINDOW - 1), status: 401 },
  { name: "hmac: from the future by one second", on: "hmac", sign: (f, b) => pc(f, b, ts() + WINDOW + 1), status: 401 },
  { name: "hmac: a stale millisecond timestamp", on: "hmac", sign: (f, b) => pc(f, b, nowMs - (WINDOW + 1) * 1000), status: 401 },
  { name: "hmac: a fractional timestamp", on: "hmac", sign: (f, b) => pc(f, b, `${ts()}.5`), status: 401 },
  { name: "hmac: a timestamp with a plus sign", on: "hmac", sign: (f, b) => pc(f, b, `+${ts()}`), status: 401 },
  { name: "hmac: a timestamp in exponent notation", on: "hmac", sign: (f, b) => pc(f, b, "1.7e9"), status: 401 },
  { name: "hmac: an ISO date as timestamp", on: "hmac", sign: (f, b) => pc(f, b, new Date(nowMs).toISOString()), status: 401 },
  { name: "hmac: no timestamp header", on: "hmac", sign: (f, b) => ({ "x-paperclip-signature": pc(f, b)["x-paperclip-signature"] }), status: 401 },
  { name: "hmac: an empty signature", on: "hmac", sign: (f, b) => ({ ...pc(f, b), "x-paperclip-signature": "" }), status: 401 },
  { name: "hmac: the secret sent as a bearer token", on: "hmac", sign: (f) => bearer(f.secret), status: 401 },
  { name: "hmac: the body changed after signing", on: "hmac", sign: (f) => pc(f, Buffer.from('{"case":"original"}')), status: 401 },
  { name: "hmac: the signature header sent twice", on: "hmac", sign: none, raw: (f, b) => { const h = pc(f, b); return [["X-Paperclip-Timestamp", h["x-paperclip-timestamp"]], ["X-Paperclip-Signature", h["x-paperclip-signature"]], ["X-Paperclip-Signature", h["x-paperclip-signature"]]]; }, status: 401 },
  { name: "hmac: the timestamp header sent twice", on: "hmac", sign: none, raw: (f, b) => { const h = pc(f, b); return [["X-Paperclip-Timestamp", h["x-paperclip-timestamp"]], ["X-Paperclip-Timestamp", h["x-paperclip-timestamp"]], ["X-Paperclip-Signature", h["x-paperclip-signature"]]]; }, status: 401 },
  { name: "hmac: signed and sent over a real socket", on: "hmac", sign: none, raw: (f, b) => Object.entries(pc(f, b)), status: 202 },
  { name: "hmac: a replay of an accepted request", on: "hmac", sign: pc, prime: true, status: 409, error: "Duplicate delivery" },
  { name: "hmac: a replay with the sha256= prefix added", on: "hmac", sign: pc, prime: true, replayWith: (f, b) => pc(f, b, ts(), "sha256="), status: 409, error: "Duplicate delivery" },
  { name: "hmac: a replay in upper-case hex", on: "hmac", sign: pc, prime: true, replayWith: (f, b) => { const h = pc(f, b); return { ...h, "x-paperclip-signature": h["x-paperclip-signature"].toUpperCase() }; }, status: 409, error: "Duplicate delivery" },
  { name: "hmac: a replay of a millisecond timestamp", on: "hmac", sign: (f, b) => pc(f, b, nowMs), prime: true, status: 409, error: "Duplicate delivery" },

  // bodies (authenticated with hmac)
  { name: "body: unicode JSON", on: "hmac", body: '{"msg":"héllo wörld ✓ 🚀 日本"}', sign: pc, status: 202, payload: { msg: "héllo wörld ✓ 🚀 日本" } },
  { name: "body: empty", on: "hmac", body: "", sign: pc, status: 202, payload: {} },
  { name: "body: a JSON array", on: "hmac", body: "[1,2]", sign: pc, status: 202, payload: { body: [1, 2] } },
  { name: "body: a JSON scalar", on: "hmac", body: "42", sign: pc, status: 202, payload: { body: 42 } },
  { name: "body: application/vnd.github+json", on: "hmac", contentType: "application/vnd.github+json; charset=utf-8", body: '{"ref":"main"}', sign: pc, status: 202, payload: { ref: "main" } },
  { name: "body: plain text", on: "hmac", contentType: "text/plain", body: "deploy main", sign: pc, status: 202, payload: { contentType: "text/plain", body: "deploy main" } },
  { name: "body: form-encoded", on: "hmac", contentType: "application/x-www-form-urlencoded", body: "a=1&b=2", sign: pc, status: 202, payload: { contentType: "application/x-www-form-urlencoded", body: "a=1&b=2" } },
  { name: "body: no content type", on: "hmac", contentType: null, body: "hello", sign: pc, status: 202, payload: { contentType: null, body: "hello" } },
  { name: "body: invalid UTF-8 as text is replaced", on: "hmac", contentType: "text/plain", body: Buffer.from([0x68, 0xff, 0xfe, 0x69]), sign: pc, status: 202, payload: { contentType: "text/plain", body: "h\ufffd\ufffdi" } },
  { name: "body: a NUL byte in text is replaced", on: "hmac", contentType: "text/plain", body: Buffer.from([0x61, 0x00, 0x62]), sign: pc, status: 202, payload: { contentType: "text/plain", body: "a\ufffdb" } },
  { name: "body: \\u0000 and an unpaired surrogate in JSON are replaced", on: "hmac", body: '{"a":"x\\u0000y","b":"\\ud800"}', sign: pc, status: 202, payload: { a: "x\ufffdy", b: "\ufffd" } },
  { name: "body: invalid UTF-8 as JSON", on: "hmac", body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), sign: pc, status: 400 },
  { name: "body: invalid JSON", on: "hmac", body: '{"a":', sign: pc, status: 400 },
  { name: "body: invalid JSON with a forged signature is 401, not 400", on: "hmac", body: '{"a":', sign: (f, b) => paperclip(otherSecret, b, ts()), status: 401 },
  { name: "body: JSON nested 10,000 deep", on: "hmac", body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`, sign: pc, status: 400 },
  { name: "body: one byte over the limit", on: "hmac", contentType: "text/plain", body: Buffer.alloc(LIMIT + 1, 0x61), sign: pc, status: 413 },
  { name: "body: over the limit without any credentials", on: "hmac", contentType: "text/plain", body: Buffer.alloc(LIMIT + 1, 0x61), sign: none, status: 413 },
  { name: "body: exactly at the limit", on: "hmac", contentType: "text/plain", body: Buffer.alloc(LIMIT, 0x61), sign: pc, status: 202 },
  { name: "Idempotency-Key of 256 characters", on: "hmac", sign: (f, b) => ({ ...pc(f, b), "idempotency-key": "k".repeat(256) }), status: 400 },
  { name: "Idempotency-Key of 255 characters", on: "hmac", sign: (f, b) => ({ ...pc(f, b), "idempotency-key": "k".repeat(255) }), status: 202 },

  // github_hmac
  { name: "github: a signed delivery", on: "github", sign: (f, b) => github(f.secret, b, crypto.randomUUID()), status: 202 },
  { name: "github: without a delivery id", on: "github", sign: (f, b) => github(f.secret, b), status: 202 },
  { name: "github: hex without the sha256= prefix", on: "github", sign: (f, b) => ({ "x-hub-signature-256": github(f.secret, b)["x-hub-signature-256"].slice(7) }), status: 401 },
  { name: "github: signed with another secret", on: "github", sign: (f, b) => github(otherSecret, b), status: 401 },
  { name: "github: a Paperclip signature", on: "github", sign: pc, status: 401 },
  { name: "github: a replay of an accepted delivery", on: "github", sign: (f, b) => github(f.secret, b, "3f1c8e2a-0000-4000-8000-000000000001"), prime: true, status: 409, error: "Duplicate delivery" },
  { name: "github: the signature header sent twice", on: "github", sign: none, raw: (f, b) => [["X-Hub-Signature-256", github(f.secret, b)["x-hub-signature-256"]], ["X-Hub-Signature-256", github(f.secret, b)["x-hub-signature-256"]]], status: 401 },

  // standard_webhooks
  { name: "standard: a signed message", on: "standard", sign: (f, b) => standard(f.secret, `msg_${crypto.randomUUID()}`, ts(), b), status: 202 },
  { name: "standard: several signatures, one valid", on: "standard", sign: (f, b) => { const h = standard(f.secret, `msg_${crypto.randomUUID()}`, ts(), b); return { ...h, "webhook-signature": `v1,${"A".repeat(43)}= ${h["webhook-signature"]}` }; }, status: 202 },
  { name: "standard: the right signature labelled v2", on: "standard", sign: (f, b) => { const h = standard(f.secret, "msg_v2", ts(), b); return { ...h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,") }; }, status: 401 },
  { name: "standard: signed with another secret", on: "standard", sign: (f, b) => standard(otherWhsec, "msg_other", ts(), b), status: 401 },
  { name: "standard: a stale timestamp", on: "standard", sign: (f, b) => standard(f.secret, "msg_stale", ts() - WINDOW - 1, b), status: 401 },
  { name: "standard: a millisecond timestamp is far in the future", on: "standard", sign: (f, b) => standard(f.secret, "msg_ms", nowMs, b), status: 401 },
  { name: "standard: the secret as a bearer token", on: "standard", sign: (f) => bearer(f.secret), status: 401 },
  { name: "standard: a replay of an accepted message", on: "standard", sign: (f, b) => standard(f.secret, "msg_replayed", ts(), b), prime: true, status: 409, error: "Duplicate delivery" },

  // routine and trigger state: unauthenticated callers learn nothing about it
  { name: "disabled trigger, bad signature", on: "disabled", sign: (f, b) => paperclip(otherSecret, b, ts()), status: 401 },
  { name: "disabled trigger, good signature", on: "disabled", sign: pc, status: 409, error: "Routine trigger is not active" },
  { name: "paused routine, bad signature", on: "paused", sign: (f, b) => paperclip(otherSecret, b, ts()), status: 401 },
  { name: "paused routine, good signature", on: "paused", sign: pc, status: 409, error: "Routine trigger is not active" },
  { name: "archived routine, bad signature", on: "archived", sign: (f, b) => paperclip(otherSecret, b, ts()), status: 401 },
  { name: "archived routine, no credentials", on: "archived", sign: none, status: 401 },
  { name: "archived routine, good signature", on: "archived", sign: pc, status: 409, error: "Routine trigger is not active" },
];

describe("POST /api/routine-triggers/public/{publicId}/fire: attacks and bad input", () => {
  it("has at least 45 cases", () => expect(cases.length).toBeGreaterThanOrEqual(45));

  it.each(cases.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const f = fx[c.on];
    const body = Buffer.from(c.body ?? JSON.stringify({ case: i }));
    const path = c.path ? c.path(f) : f.path;
    const request = { path, body, contentType: c.contentType, headers: c.sign(f, body), raw: c.raw?.(f, body) };
    if (c.prime) {
      const first = await send(request);
      expect(first.status, JSON.stringify(first.body)).toBe(202);
      if (c.replayWith) request.headers = c.replayWith(f, body);
    }
    const res = await send(request);
    expect(res.status, JSON.stringify(res.body)).toBe(c.status);
    const error = c.error === undefined ? STANDARD_ERRORS[c.status] : c.error;
    if (error) expect(res.body).toEqual({ error });
    if (c.status === 400) expect(res.body.error).toMatch(/^(Malformed JSON body|Idempotency-Key)/);
    if (c.status === 202) {
      expect(res.body).toMatchObject({ source: "webhook", triggerId: f.triggerId, routineId: f.routineId, status: "issue_created" });
      if (c.payload !== undefined) expect(res.body.triggerPayload).toEqual(c.payload);
    }
  });
});

const runsOf = async (routineId: string) => (await t.request("GET", `/api/routines/${routineId}/runs?limit=200`)).body as any[];

describe("replays, idempotency and rotation", () => {
  it("stores each accepted signature once: the replay leaves no second run, and the fingerprint is hashed", async () => {
    const f = await makeTrigger("hmac_sha256");
    const body = Buffer.from('{"event":"once"}');
    const headers = pc(f, body);
    expect((await send({ path: f.path, body, headers })).status).toBe(202);
    expect((await send({ path: f.path, body, headers })).body).toEqual({ error: "Duplicate delivery" });
    expect(await runsOf(f.routineId)).toHaveLength(1);
    const rows = await queryRows<{ fingerprint: string; ttl: number }>(
      t.db.store.db,
      sql`select fingerprint, extract(epoch from expires_at - now())::int as ttl from webhook_replays where trigger_id = ${f.triggerId}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fingerprint).toMatch(/^sig:[0-9a-f]{64}$/);
    expect(rows[0]!.fingerprint).not.toContain(headers["x-paperclip-signature"]);
    // A timestamp stays acceptable for two windows (from ts - window to ts + window), so it is kept that long.
    expect(rows[0]!.ttl).toBeGreaterThanOrEqual(2 * WINDOW);
  });

  it("does not burn the fingerprint of a fire that failed: the same request succeeds once the routine is active", async () => {
    const f = await makeTrigger("hmac_sha256", { routineStatus: "paused" });
    const body = Buffer.from('{"event":"retry-me"}');
    const headers = pc(f, body);
    expect((await send({ path: f.path, body, headers })).status).toBe(409);
    await t.request("PATCH", `/api/routines/${f.routineId}`, { body: { status: "active" } });
    expect((await send({ path: f.path, body, headers })).status).toBe(202);
  });

  it("renews an expired fingerprint instead of calling it a replay, and sweeps expired rows of other triggers", async () => {
    const f = await makeTrigger("github_hmac");
    const other = await makeTrigger("github_hmac");
    const body = Buffer.from('{"event":"late"}');
    expect((await send({ path: f.path, body, headers: github(f.secret, body) })).status).toBe(202);
    expect((await send({ path: other.path, body, headers: github(other.secret, body) })).status).toBe(202);
    const mine = sql`trigger_id in (${f.triggerId}, ${other.triggerId})`;
    await t.db.store.db.execute(sql`update webhook_replays set expires_at = now() - interval '1 second' where ${mine}`);
    expect((await send({ path: f.path, body, headers: github(f.secret, body) })).status).toBe(202);
    const expired = await queryRows<{ n: number }>(t.db.store.db, sql`select count(*)::int as n from webhook_replays where ${mine} and expires_at < now()`);
    expect(expired[0]!.n).toBe(0);
  });

  it("dedupes fires by Idempotency-Key: a re-signed retry gets the same run", async () => {
    const f = await makeTrigger("hmac_sha256");
    const body = Buffer.from('{"event":"idem"}');
    const first = await send({ path: f.path, body, headers: { ...pc(f, body), "idempotency-key": "delivery-42" } });
    const retry = await send({ path: f.path, body, headers: { ...pc(f, body, ts() + 1), "idempotency-key": "delivery-42" } });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.idempotencyKey).toBe("delivery-42");
    expect(await runsOf(f.routineId)).toHaveLength(1);
  });

  it.each(["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"])(
    "%s: after rotation the old secret is refused and the new one fires",
    async (mode) => {
      const f = await makeTrigger(mode);
      const rotated = await t.request("POST", `/api/routine-triggers/${f.triggerId}/rotate-secret`, { body: {} });
      const fresh: Fixture = { ...f, secret: rotated.body.secretMaterial.webhookSecret };
      const sign = (x: Fixture, b: Buffer): Headers =>
        mode === "bearer" ? bearer(x.secret) : mode === "hmac_sha256" ? pc(x, b) : mode === "github_hmac" ? github(x.secret, b) : standard(x.secret, `msg_${crypto.randomUUID()}`, ts(), b);
      const body = Buffer.from(`{"rotated":"${mode}"}`);
      expect((await send({ path: f.path, body, headers: sign(f, body) })).status).toBe(401);
      expect((await send({ path: f.path, body, headers: sign(fresh, body) })).status).toBe(202);
    },
  );
});

describe("what the owner of a trigger sees of refused requests", () => {
  it("the last refusal and its answer, on the trigger and in the routine's list; a fire leaves it, and updatedAt stays", async () => {
    const f = await makeTrigger("hmac_sha256");
    const view = async () => (await t.request("GET", `/api/routine-triggers/${f.triggerId}`)).body;
    const before = await view();
    expect(before).toMatchObject({ lastRefusedAt: null, lastRefusal: null });
    const body = Buffer.from('{"n":1}');

    expect((await send({ path: f.path, body, headers: paperclip(otherSecret, body, ts()) })).status).toBe(401);
    const refused = await view();
    expect(refused).toMatchObject({ lastRefusal: "401 Unauthorized (signature_mismatch)", lastRefusedAt: expect.any(String) });
    expect(refused.updatedAt).toBe(before.updatedAt);

    nowMs += 1000; // refusals are noted at most once a second per trigger
    expect((await send({ path: f.path, body, headers: pc(f, body, ts() - 2 * WINDOW) })).status).toBe(401);
    expect((await view()).lastRefusal).toBe("401 Unauthorized (stale_timestamp)");

    const signed = pc(f, body);
    expect((await send({ path: f.path, body, headers: signed })).status).toBe(202);
    expect((await view()).lastRefusal).toBe("401 Unauthorized (stale_timestamp)");
    nowMs += 1000;
    expect((await send({ path: f.path, body, headers: signed })).status).toBe(409);
    expect(await view()).toMatchObject({ lastRefusal: "409 Duplicate delivery", lastResult: "Created execution issue" });

    nowMs += 1000;
    const invalid = Buffer.from('{"n":');
    expect((await send({ path: f.path, body: invalid, headers: pc(f, invalid) })).status).toBe(400);
    const noted = await view();
    expect(noted.lastRefusal).toMatch(/^400 Malformed JSON body/);

    const routines = (await t.request("GET", `/api/companies/${w.company.id}/routines`)).body as { id: string; triggers: any[] }[];
    const summary = routines.find((r) => r.id === f.routineId)!.triggers[0];
    expect(summary).toMatchObject({ id: f.triggerId, lastRefusal: noted.lastRefusal, lastRefusedAt: noted.lastRefusedAt });
  });

  it("a flood of refusals, whatever their reasons, is noted once a second (by the process's clock)", async () => {
    const f = await makeTrigger("bearer");
    const view = async () => (await t.request("GET", `/api/routine-triggers/${f.triggerId}`)).body;
    expect((await send({ path: f.path, headers: bearer(otherSecret) })).status).toBe(401);
    const first = await view();
    expect(first.lastRefusal).toBe("401 Unauthorized (signature_mismatch)");
    expect((await send({ path: f.path, headers: { ...bearer(f.secret), "idempotency-key": "x".repeat(256) } })).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await send({ path: f.path, headers: bearer(otherSecret) })).status).toBe(401);
    expect(await view()).toMatchObject({ lastRefusal: first.lastRefusal, lastRefusedAt: first.lastRefusedAt });
    nowMs += 1000;
    expect((await send({ path: f.path, headers: { ...bearer(f.secret), "idempotency-key": "x".repeat(256) } })).status).toBe(400);
    expect(await view()).toMatchObject({ lastRefusal: "400 Idempotency-Key must be at most 255 characters" });
  });
});

describe("changing the signing mode", () => {
  const patch = (f: Fixture, body: object) => t.request("PATCH", `/api/routine-triggers/${f.triggerId}`, { body });

  it("keeps the secret between modes that share its format: bearer to hmac_sha256 to github_hmac", async () => {
    const f = await makeTrigger("bearer");
    const body = Buffer.from('{"moved":"hmac"}');
    expect((await patch(f, { signingMode: "hmac_sha256" })).body.signingMode).toBe("hmac_sha256");
    expect((await send({ path: f.path, body, headers: pc(f, body) })).status).toBe(202);
    expect((await patch(f, { signingMode: "github_hmac" })).body.signingMode).toBe("github_hmac");
    expect((await send({ path: f.path, body, headers: github(f.secret, body) })).status).toBe(202);
  });

  it.each([
    ["bearer", "standard_webhooks", "a whsec_ secret"],
    ["standard_webhooks", "hmac_sha256", "a 48-hex-character secret"],
  ])("refuses to switch %s to %s by PATCH, says how, and changes nothing", async (from, to, needs) => {
    const f = await makeTrigger(from);
    const before = (await t.request("GET", `/api/routine-triggers/${f.triggerId}`)).body;
    const res = await patch(f, { signingMode: to, label: "renamed" });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe(
      `signingMode: ${to} needs ${needs}, and this trigger's secret was made for ${from}. ` +
        `To switch, POST /api/routine-triggers/${f.triggerId}/rotate-secret with {"signingMode":"${to}"}: ` +
        "it changes the mode and returns the new secret, once.",
    );
    expect((await t.request("GET", `/api/routine-triggers/${f.triggerId}`)).body).toEqual(before);
    const body = Buffer.from('{"still":"works"}');
    const headers = from === "bearer" ? bearer(f.secret) : standard(f.secret, "msg_kept", ts(), body);
    expect((await send({ path: f.path, body, headers })).status).toBe(202);
  });

  it("switches modes with a new secret of the new format through rotate-secret; the old secret stops working", async () => {
    const f = await makeTrigger("bearer");
    const res = await t.request("POST", `/api/routine-triggers/${f.triggerId}/rotate-secret`, { body: { signingMode: "standard_webhooks" } });
    expect(res.status).toBe(200);
    expect(res.body.trigger).toMatchObject({ id: f.triggerId, publicId: f.publicId, signingMode: "standard_webhooks" });
    expect(res.body.secretMaterial.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = Buffer.from('{"switched":true}');
    expect((await send({ path: f.path, body, headers: bearer(f.secret) })).status).toBe(401);
    expect((await send({ path: f.path, body, headers: standard(f.secret, "msg_old", ts(), body) })).status).toBe(401);
    const fresh = res.body.secretMaterial.webhookSecret;
    expect((await send({ path: f.path, body, headers: standard(fresh, "msg_new", ts(), body) })).status).toBe(202);
  });
});

describe("every signing mode end to end", () => {
  it.each(["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"])(
    "%s: a fire creates a webhook run and an execution issue carrying the payload",
    async (mode) => {
      const f = await makeTrigger(mode);
      const payload = { event: "deploy", mode, n: 1 };
      const body = Buffer.from(JSON.stringify(payload));
      const headers: Headers =
        mode === "bearer" ? bearer(f.secret) : mode === "hmac_sha256" ? pc(f, body) : mode === "github_hmac" ? github(f.secret, body, crypto.randomUUID()) : standard(f.secret, "msg_e2e", ts(), body);
      const res = await send({ path: f.path, body, headers });
      expect(res.status).toBe(202);
      const [run] = await runsOf(f.routineId);
      expect(run).toMatchObject({ id: res.body.id, source: "webhook", status: "issue_created", triggerPayload: payload, trigger: { id: f.triggerId, kind: "webhook" } });
      const [issue] = await queryRows<{ context: any; origin_run_id: string }>(
        t.db.store.db,
        sql`select context, origin_run_id from issues where id = ${run.linkedIssueId}`,
      );
      expect(issue!.origin_run_id).toBe(run.id);
      expect(issue!.context).toMatchObject({ source: "webhook", triggerId: f.triggerId, payload });
      const trigger = await t.request("GET", `/api/routine-triggers/${f.triggerId}`);
      expect(trigger.body.lastResult).toBe("Created execution issue");
    },
  );

  it("cuts off clients that are slow to send headers", () => {
    expect(t.app.server.headersTimeout).toBe(10_000);
    expect(t.app.server.requestTimeout).toBe(30_000);
  });
});

describe("rate limits (2 fires per trigger and 4 per IP a minute)", () => {
  let r: TestApp;
  let rw: typeof w;
  let rateNow = Date.now();
  const rateClock: Clock = { now: () => new Date(rateNow) };
  beforeAll(async () => {
    r = await createTestApp({ clock: rateClock, env: { ROUTINED_WEBHOOK_RATE_PER_TRIGGER: "2", ROUTINED_WEBHOOK_RATE_PER_IP: "4" } });
    rw = await seedWorld(r);
  });
  afterAll(() => r.close());

  const fire = (f: Fixture, headers: Headers, remoteAddress = "203.0.113.7") =>
    r.app.inject({ method: "POST", url: f.path, headers, payload: "", remoteAddress });

  it("answers 429 with Retry-After once a trigger's budget is spent, and fires again when it refills", async () => {
    const f = await makeTrigger("bearer", { app: r, world: rw });
    expect((await fire(f, bearer(f.secret))).statusCode).toBe(202);
    expect((await fire(f, bearer(f.secret))).statusCode).toBe(202);
    const limited = await fire(f, bearer(f.secret));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: "Webhook rate limit exceeded", retryAfterSeconds: 30 });
    expect(limited.headers["retry-after"]).toBe("30");
    rateNow += 30_000;
    expect((await fire(f, bearer(f.secret))).statusCode).toBe(202);
    rateNow += 60_000;
  });

  it("a flood of bad signatures, even from the sender's own IP, never locks the real sender out", async () => {
    const f = await makeTrigger("bearer", { app: r, world: rw });
    const flood = await Promise.all(Array.from({ length: 12 }, () => fire(f, bearer(otherSecret))));
    const statuses = flood.map((x) => x.statusCode).sort();
    expect(statuses).toEqual([...Array(4).fill(401), ...Array(8).fill(429)]);
    expect((await fire(f, bearer(f.secret))).statusCode).toBe(202);
    expect((await fire(f, bearer(f.secret))).statusCode).toBe(202);
    rateNow += 60_000;
  });

  it("a rotated-out secret, still valid in this process's copy of the trigger, cannot use up the new secret's budget", async () => {
    const f = await makeTrigger("bearer", { app: r, world: rw });
    // Any request makes this process keep a copy of the trigger; the rotation does not pass through that copy.
    expect((await fire(f, bearer(otherSecret), "192.0.2.30")).statusCode).toBe(401);
    const rotated = await r.request("POST", `/api/routine-triggers/${f.triggerId}/rotate-secret`, { body: {} });
    expect(rotated.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await fire(f, bearer(f.secret), "203.0.113.66")).statusCode);
    // The first is refused under the routine lock; every refusal counts against the IP's failure budget (4).
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const renewed = bearer(rotated.body.secretMaterial.webhookSecret);
    expect((await fire(f, renewed, "192.0.2.31")).statusCode).toBe(202);
    rateNow += 60_000;
  });

  it("limits authenticated fires per client IP across triggers, and other IPs are unaffected", async () => {
    const triggers = await Promise.all([1, 2, 3].map(() => makeTrigger("bearer", { app: r, world: rw })));
    const statuses = [];
    for (const f of [...triggers, ...triggers]) statuses.push((await fire(f, bearer(f.secret), "198.51.100.1")).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    const fourth = await makeTrigger("bearer", { app: r, world: rw });
    expect((await fire(fourth, bearer(fourth.secret), "198.51.100.1")).statusCode).toBe(429);
    expect((await fire(fourth, bearer(fourth.secret), "198.51.100.2")).statusCode).toBe(202);
    rateNow += 60_000;
  });

  it("counts an IPv6 client by its /64, so that walking through its addresses does not reset the budget", async () => {
    const f = await makeTrigger("bearer", { app: r, world: rw });
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await fire(f, bearer(otherSecret), `2001:db8:1:2::${i.toString(16)}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect((await fire(f, bearer(otherSecret), "2001:db8:1:3::1")).statusCode).toBe(401); // the next /64 is another client
    rateNow += 60_000;
  });

  it("takes the client IP from the socket, not from a spoofable X-Forwarded-For (trustProxy is off)", async () => {
    const f = await makeTrigger("bearer", { app: r, world: rw });
    const spoofed = (i: number) =>
      r.app.inject({ method: "POST", url: f.path, payload: "", remoteAddress: "192.0.2.9", headers: { ...bearer(otherSecret), "x-forwarded-for": `10.0.0.${i}` } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await spoofed(i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    rateNow += 60_000;
  });
});

/**
 * Secrets stay secret: drive every signing mode (create, rotate, fire with good and bad credentials) with the
 * process logger capturing every line at trace level, then look for any secret or signature in the logs, in
 * every API response after creation, and anywhere in the database.
 */
import crypto from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger";
import { queryRows } from "../../src/store/db";
import { type TestApp, createTestApp, seedWorld } from "../helpers/app";
import { github, paperclip, standard } from "../helpers/webhooks";

const MODES = ["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"] as const;

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(chunk.toString());
    done();
  },
});
const logger = createLogger("trace", sink);

let t: TestApp;
/** Every secret ever issued, every signature ever sent. */
const secrets: string[] = [];
const signatures: string[] = [];
/** Bodies of every API response after the secret-issuing ones. */
const laterResponses: string[] = [];

function headersFor(mode: (typeof MODES)[number], secret: string, body: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const headers =
    mode === "bearer"
      ? { authorization: `Bearer ${secret}` }
      : mode === "hmac_sha256"
        ? paperclip(secret, body, now, "sha256=")
        : mode === "github_hmac"
          ? github(secret, body, crypto.randomUUID())
          : standard(secret, `msg_${crypto.randomUUID()}`, now, body);
  for (const [name, value] of Object.entries(headers)) {
    if (/signature|authorization/.test(name)) signatures.push(value.replace(/^(Bearer |sha256=|v1,)/, ""));
  }
  return headers;
}

beforeAll(async () => {
  t = await createTestApp({ logger, env: { ROUTINED_LOG_LEVEL: "trace" } });
  const w = await seedWorld(t);
  const routine = await t.request("POST", `/api/companies/${w.company.id}/routines`, {
    body: { title: "Secrets", assigneeAgentId: w.agent.id, projectId: w.project.id, concurrencyPolicy: "always_enqueue" },
  });
  const later = async (method: string, url: string, opts: Parameters<TestApp["request"]>[2] = {}) => {
    const res = await t.request(method, url, opts);
    laterResponses.push(JSON.stringify(res.body ?? ""));
    return res;
  };

  for (const mode of MODES) {
    const created = await t.request("POST", `/api/routines/${routine.body.id}/triggers`, { body: { kind: "webhook", signingMode: mode } });
    const { trigger, secretMaterial } = created.body;
    const first: string = secretMaterial.webhookSecret;
    const rotated = await t.request("POST", `/api/routine-triggers/${trigger.id}/rotate-secret`, { body: {} });
    const second: string = rotated.body.secretMaterial.webhookSecret;
    secrets.push(first, second);
    const fire = (secret: string, body: string, extra: Record<string, string> = {}) =>
      later("POST", trigger.webhookUrl.replace(t.config.publicUrl, ""), {
        body,
        headers: { "content-type": "application/json", ...headersFor(mode, secret, body), ...extra },
      });

    expect((await fire(second, `{"mode":"${mode}","ok":true}`)).status).toBe(202);
    expect((await fire(first, `{"mode":"${mode}","old":true}`)).status).toBe(401);
    expect((await fire(second, '{"broken":')).status).toBe(400);
    // The secret sent the wrong way: as a bearer token to an HMAC trigger, and in the query string.
    const misplaced = await later("POST", `${trigger.webhookUrl.replace(t.config.publicUrl, "")}?token=${second}`, {
      body: "{}",
      headers: { "content-type": "application/json", authorization: `Bearer ${second}` },
    });
    expect(misplaced.status).toBe(mode === "bearer" ? 202 : 401);
    await later("PATCH", `/api/routine-triggers/${trigger.id}`, { body: { label: `hook ${mode}` } });
    await later("GET", `/api/routine-triggers/${trigger.id}`);
  }
  await later("GET", `/api/routines/${routine.body.id}`);
  await later("GET", `/api/companies/${w.company.id}/routines`);
  await later("GET", `/api/routines/${routine.body.id}/runs`);
  await later("GET", "/api/openapi.json");
});
afterAll(() => t.close());

describe("no secret leaves the API after creation", () => {
  it("issued 8 distinct secrets and sent signatures to check for", () => {
    expect(new Set(secrets).size).toBe(8);
    expect(signatures.length).toBeGreaterThanOrEqual(12);
  });

  it("captured log lines of every request, with its status and the reasons for refusals", () => {
    const all = lines.join("");
    expect(all).toContain('"statusCode":202');
    expect(all).toContain('"statusCode":401');
    expect(all).toContain('"reason":"signature_mismatch"');
  });

  it("no log line holds a secret or a signature", () => {
    for (const line of lines) {
      for (const secret of [...secrets, ...signatures]) expect(line).not.toContain(secret);
    }
  });

  it("no API response after creation holds a secret or its ciphertext", () => {
    expect(laterResponses.length).toBeGreaterThan(20);
    for (const body of laterResponses) {
      for (const secret of secrets) expect(body).not.toContain(secret);
      expect(body).not.toContain("secretCiphertext");
    }
  });

  it("the database holds no plaintext secret in any column of any table", async () => {
    const tables = await queryRows<{ name: string }>(
      t.db.store.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(["routine_triggers", "webhook_replays"]));
    let rows = 0;
    for (const { name } of tables) {
      const dump = await queryRows<{ row: string }>(t.db.store.db, sql`select x::text as row from ${sql.identifier(name)} x`);
      rows += dump.length;
      for (const { row } of dump) {
        for (const secret of secrets) expect(row, `${name} holds a secret`).not.toContain(secret);
        for (const signature of signatures) expect(row, `${name} holds a signature`).not.toContain(signature);
      }
    }
    const stored = await queryRows<{ secret_ciphertext: string }>(t.db.store.db, sql`select secret_ciphertext from routine_triggers`);
    expect(stored).toHaveLength(MODES.length);
    for (const { secret_ciphertext } of stored) expect(secret_ciphertext).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(rows).toBeGreaterThan(20);
  });

  it("the logger censors credential headers and secret fields should anything log them", () => {
    const before = lines.length;
    const secret = secrets[0]!;
    logger.info(
      {
        req: { headers: { authorization: `Bearer ${secret}`, "x-paperclip-signature": secret, "x-hub-signature-256": secret, "webhook-signature": secret, cookie: secret } },
        secretMaterial: { webhookSecret: secret },
        trigger: { secretCiphertext: secret },
      },
      "would leak",
    );
    const line = lines.slice(before).join("");
    expect(line).toContain("would leak");
    expect(line).not.toContain(secret);
  });
});

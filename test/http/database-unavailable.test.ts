/**
 * When the database is down, restarting, out of connections, refusing connections, missing, or aborts a
 * transaction for a conflict, the API answers 503 with Retry-After (webhook senders and load balancers retry
 * on it), not 500, and logs the cause without the query, once per outage.
 */
import crypto from "node:crypto";
import net from "node:net";
import { drizzle } from "drizzle-orm/node-postgres";
import Fastify from "fastify";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { systemClock } from "../../src/domain/clock";
import { createSecretBox } from "../../src/domain/secret-box";
import { type App, buildApp } from "../../src/http/app";
import { registerErrorHandlers } from "../../src/http/errors";
import { createServices } from "../../src/services";
import type { Db } from "../../src/store/db";

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the database cannot be reached", () => {
  let app: App;
  let pool: pg.Pool;
  const logged: string[] = [];
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/routined`, max: 2 });
    pool.on("error", () => {});
    const config = loadConfig({ ROUTINED_LOG_LEVEL: "silent", ROUTINED_SECRET_KEY: "test-secret-key" });
    const services = createServices({
      db: drizzle(pool) as unknown as Db,
      config,
      secretBox: createSecretBox(crypto.randomBytes(32)),
      clock: systemClock,
      listen: async () => async () => {},
    });
    const logger = pino({ level: "info" }, { write: (line: string) => logged.push(line) });
    app = await buildApp({ services, logger, publicUrl: config.publicUrl });
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
  });

  it.each([
    ["GET", "/api/companies", undefined],
    ["POST", "/api/companies", { name: "Not now" }],
    ["POST", `/api/routine-triggers/public/${"ab".repeat(12)}/fire`, { event: "ping" }],
  ])("%s %s: 503 with Retry-After", async (method, url, body) => {
    const res = await app.inject({ method: method as "GET", url, ...(body ? { payload: body } : {}) });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json()).toEqual({ error: "The database is unavailable: retry shortly", retryAfterSeconds: 5 });
  });

  it("logs the outage once, as a warning naming the cause without the query", async () => {
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: "GET", url: "/api/companies" })).statusCode).toBe(503);
    const warnings = logged.map((line) => JSON.parse(line)).filter((entry) => /database unavailable/.test(entry.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, cause: "ECONNREFUSED" });
    expect(logged.join("\n")).not.toMatch(/select|insert/i);
  });
});

describe("database errors as answers", () => {
  const app = Fastify({ logger: false });
  let thrown: unknown;
  beforeAll(async () => {
    registerErrorHandlers(app);
    app.get("/", async () => {
      throw thrown;
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const pgError = (code: string, message = "database error") => Object.assign(new Error(message), { code });
  /** How drizzle reports a failed query: its own error, the driver's as the cause. */
  const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1"), { cause });

  it.each([
    { what: "serialization failure", err: pgError("40001"), status: 503, retryAfter: "1" },
    { what: "deadlock, wrapped by drizzle", err: wrapped(pgError("40P01")), status: 503, retryAfter: "1" },
    { what: "lock not available", err: pgError("55P03"), status: 503, retryAfter: "1" },
    { what: "server shutting down (admin_shutdown)", err: pgError("57P01"), status: 503, retryAfter: "5" },
    { what: "server starting up (cannot_connect_now)", err: pgError("57P03"), status: 503, retryAfter: "5" },
    { what: "too many connections", err: pgError("53300"), status: 503, retryAfter: "5" },
    { what: "connection failure", err: pgError("08006"), status: 503, retryAfter: "5" },
    { what: "database refuses connections (ALLOW_CONNECTIONS false)", err: pgError("55000"), status: 503, retryAfter: "5" },
    { what: "database does not exist", err: wrapped(pgError("3D000")), status: 503, retryAfter: "5" },
    { what: "database dropped (57P04)", err: pgError("57P04"), status: 503, retryAfter: "5" },
    { what: "connection lost mid-query", err: wrapped(new Error("Connection terminated unexpectedly")), status: 503, retryAfter: "5" },
    {
      what: "refused on every address (AggregateError)",
      err: Object.assign(new AggregateError([pgError("ECONNREFUSED", "connect ECONNREFUSED ::1:5432")], ""), { code: "ECONNREFUSED" }),
      status: 503,
      retryAfter: "5",
    },
    { what: "unique violation stays 409", err: pgError("23505"), status: 409, retryAfter: undefined },
    { what: "a syntax error is a bug: 500", err: pgError("42601"), status: 500, retryAfter: undefined },
    { what: "any other error is a bug: 500", err: new Error("boom"), status: 500, retryAfter: undefined },
  ])("$what → $status", async ({ err, status, retryAfter }) => {
    thrown = err;
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(status);
    expect(res.headers["retry-after"]).toBe(retryAfter);
    expect(typeof res.json().error).toBe("string");
  });
});

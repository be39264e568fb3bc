/**
 * When the database is down, restarting, out of connections, or aborts a transaction for a conflict, the API
 * answers 503 with Retry-After (webhook senders and load balancers retry on it), not 500, and logs the
 * cause without the query.
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
  ])("%s %s: 503 with Retry-After, and the log names the cause without the query", async (method, url, body) => {
    logged.length = 0;
    const res = await app.inject({ method: method as "GET", url, ...(body ? { payload: body } : {}) });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json()).toEqual({ error: "The database is unavailable: retry shortly", retryAfterSeconds: 5 });
    const warning = logged.map((line) => JSON.parse(line)).find((entry) => entry.msg === "database unavailable");
    expect(warning).toMatchObject({ level: 40, cause: "ECONNREFUSED" });
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

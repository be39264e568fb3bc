/**
 * The real app over a throwaway database, driven in-process with `inject`, plus fixtures for the
 * actors of the access matrix: the board, agents of one company, an agent of another company.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../../src/config";
import { loadConfig } from "../../src/config";
import type { Clock } from "../../src/domain/clock";
import { systemClock } from "../../src/domain/clock";
import { createSecretBox } from "../../src/domain/secret-box";
import { type App, buildApp } from "../../src/http/app";
import { documentedStatuses, openApiPath } from "../../src/http/openapi";
import { type Services, createServices } from "../../src/services";
import { type TestDatabase, createTestDatabase } from "./db";

export interface TestApp {
  app: App;
  services: Services;
  db: TestDatabase;
  config: Config;
  /** Sends a request; `token` is a bearer credential (omit for the local board). */
  request<T = any>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const BOARD_TOKEN = "test-board-token-0123456789";

/**
 * For tests whose agents live on this machine: HTTP agents on 127.0.0.1, and process agents running Node
 * (the one allowed command). Without it routined refuses both, as a server does by default.
 */
export const LOCAL_AGENTS_ENV = {
  ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: "true",
  ROUTINED_PROCESS_ADAPTER: "true",
  ROUTINED_PROCESS_ALLOWLIST: process.execPath,
};

export function testConfig(overrides: Partial<Record<string, string>> = {}): Config {
  return loadConfig({ ROUTINED_LOG_LEVEL: "silent", ROUTINED_SECRET_KEY: "test-secret-key", ...overrides });
}

export async function createTestApp(
  opts: { env?: Partial<Record<string, string>>; clock?: Clock; logger?: FastifyBaseLogger } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(opts.env);
  const services = createServices({
    db: db.store.db,
    config,
    secretBox: createSecretBox(crypto.createHash("sha256").update("test").digest()),
    clock: opts.clock ?? systemClock,
    listen: db.store.listen,
    listenerUp: db.store.listenerUp,
    // The app's logger is the services' too (as in the server): their lines and the requests' go to one place.
    log: opts.logger,
  });
  const app = await buildApp({
    services,
    logger: opts.logger ?? false,
    publicUrl: config.publicUrl,
    deploymentMode: config.deploymentMode,
    input: config.input,
  });
  // Every answer a test sees must be documented for its route in the OpenAPI document (checked on close).
  const observed = new Set<string>();
  app.addHook("onResponse", async (req, reply) => {
    if (req.routeOptions.url && req.routeOptions.url.startsWith("/api/") && !req.routeOptions.schema?.hide) {
      observed.add(`${req.method} ${openApiPath(req.routeOptions.url)} ${reply.statusCode}`);
    }
  });
  await app.ready();
  return {
    app,
    services,
    db,
    config,
    async request(method, url, { token, body, headers } = {}) {
      const res = await app.inject({
        method: method as "GET",
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined ? {} : typeof body === "string" ? { payload: body } : { payload: body as object }),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body: parsed as any, headers: res.headers };
    },
    async close() {
      const documented = documentedStatuses(app.swagger() as never);
      const undocumented = [...observed].filter((o) => {
        const [method, path, status] = o.split(" ");
        return !documented.get(`${method} ${path}`)?.has(status!);
      });
      await app.close();
      await db.drop();
      if (undocumented.length) throw new Error(`answers not documented in the OpenAPI document:\n  ${undocumented.join("\n  ")}`);
    },
  };
}

/** A company with a project, two agents with keys, and a second company with its own agent. */
export async function seedWorld(t: TestApp, boardToken?: string) {
  const ok = <T>(res: { status: number; body: T }, status: number): T => {
    if (res.status !== status) throw new Error(`seed failed: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const as = (body: unknown) => ({ token: boardToken, body });
  const company = ok(await t.request("POST", "/api/companies", as({ name: "Acme" })), 201) as any;
  const otherCompany = ok(await t.request("POST", "/api/companies", as({ name: "Globex" })), 201) as any;
  const mkAgent = async (companyId: string, name: string) => {
    const agent = ok(await t.request("POST", `/api/companies/${companyId}/agents`, as({ name })), 201) as any;
    const key = ok(await t.request("POST", `/api/agents/${agent.id}/keys`, as({})), 201) as any;
    return { ...agent, key: key.key as string, keyId: key.id as string };
  };
  const agent = await mkAgent(company.id, "CEO");
  const peer = await mkAgent(company.id, "CTO");
  const outsider = await mkAgent(otherCompany.id, "Spy");
  const project = ok(await t.request("POST", `/api/companies/${company.id}/projects`, as({ name: "Ops" })), 201) as any;
  const otherProject = ok(
    await t.request("POST", `/api/companies/${otherCompany.id}/projects`, as({ name: "Elsewhere" })),
    201,
  ) as any;
  return { company, otherCompany, agent, peer, outsider, project, otherProject };
}

export type World = Awaited<ReturnType<typeof seedWorld>>;

/**
 * The file's app and seeded world, made before its tests and closed after them:
 * `const s = seededApp(); … s.t.request(…) … s.w.company.id`.
 */
export function seededApp(options?: Parameters<typeof createTestApp>[0]): { t: TestApp; w: World } {
  const s = {} as { t: TestApp; w: World };
  beforeAll(async () => {
    s.t = await createTestApp(options);
    s.w = await seedWorld(s.t);
  });
  afterAll(() => s.t?.close());
  return s;
}

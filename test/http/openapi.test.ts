/**
 * The OpenAPI document: valid by a real validator, an operationId and a summary on every operation,
 * named component schemas, 204 where the route answers 204, a branded reference page, and the
 * committed copy and the CLI's generated client types up to date. (Every answer a test observes is
 * checked against it by the test app helper: see test/helpers/app.ts.)
 */
import fs from "node:fs";
import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DOC_PATH, TYPES_PATH, generateTypes } from "../../scripts/openapi";
import { type TestApp, createTestApp } from "../helpers/app";

let t: TestApp;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.request("GET", "/api/openapi.json")).body;
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

it("is a valid OpenAPI 3.1 document", async () => {
  const result = await validate(structuredClone(doc) as never);
  expect(result.valid, JSON.stringify((result as { errors?: unknown }).errors, null, 2)).toBe(true);
  expect(doc.openapi).toBe("3.1.0");
});

it("names every operation uniquely and summarises it", () => {
  const ops = operations();
  expect(ops.length).toBeGreaterThan(45);
  for (const { path, method, op } of ops) {
    expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
    expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
  }
  const ids = ops.map((o) => o.op.operationId);
  expect(new Set(ids).size).toBe(ids.length);
});

it("refers to named schemas and documents error answers and 204s", () => {
  for (const name of ["Routine", "RoutineTrigger", "RoutineRun", "Issue", "Agent", "Company", "Error", "HeartbeatRun"]) {
    expect(doc.components.schemas[name], name).toBeDefined();
  }
  const create = doc.paths["/api/companies/{companyId}/routines"].post;
  expect(create.requestBody).toBeDefined();
  expect(create.responses["201"].content["application/json"].schema.$ref).toBe("#/components/schemas/Routine");
  expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["400", "401", "403", "404", "409", "413", "415", "422", "503"]));
  expect(create.responses["422"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
  const del = doc.paths["/api/routine-triggers/{triggerId}"].delete;
  expect(del.responses["204"]).toBeDefined();
  expect(del.responses["200"]).toBeUndefined();
  expect(doc.paths["/api/routine-triggers/public/{publicId}/fire"].post.responses["429"]).toBeDefined();
});

it("serves a reference page branded as routined", async () => {
  const page = await t.app.inject({ method: "GET", url: "/api/docs" });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain("<title>routined API reference</title>");
  const css = await t.app.inject({ method: "GET", url: "/api/docs/static/theme/routined.css" });
  expect(css.statusCode).toBe(200);
});

it("is committed up to date, and so are the CLI's client types generated from it", async () => {
  const committed = JSON.parse(fs.readFileSync(DOC_PATH, "utf8"));
  // the servers entry follows the configuration; the rest must match (`npm run openapi` rewrites both files)
  expect({ ...committed, servers: undefined }).toEqual({ ...doc, servers: undefined });
  expect(fs.readFileSync(TYPES_PATH, "utf8")).toBe(await generateTypes(committed));
});

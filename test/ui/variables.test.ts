/** The dashboard's variables, pure: what a form sends, and where the server's errors are shown. */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/ui/api";
import { blankVariable, definitionErrors, definitionOf, initialValues, runValues, valueErrors } from "../../src/ui/variables";

describe("variable definitions from the routine form", () => {
  it("sends typed defaults and the options of a select only", () => {
    expect(definitionOf({ ...blankVariable("count"), type: "number", defaultValue: "3", options: "a, b" })).toEqual({
      name: "count",
      label: null,
      type: "number",
      defaultValue: 3,
      required: true,
      options: [],
    });
    expect(definitionOf({ ...blankVariable("env"), label: " Env ", type: "select", defaultValue: "", options: "prod,\nstaging, " })).toMatchObject({
      label: "Env",
      defaultValue: null,
      options: ["prod", "staging"],
    });
    expect(definitionOf({ ...blankVariable("dry"), type: "boolean", defaultValue: "false" }).defaultValue).toBe(false);
    // what does not parse goes as typed: the server names the problem
    expect(definitionOf({ ...blankVariable("n"), type: "number", defaultValue: "many" }).defaultValue).toBe("many");
  });

  it("places the server's errors at the field they name", () => {
    const drafts = [blankVariable("a"), blankVariable("env")];
    const schema = new ApiError(400, "Invalid body", [{ path: "/variables/1/options", message: "Select variables require at least one option" }]);
    expect(definitionErrors(schema, drafts)).toEqual({ "1.options": "Select variables require at least one option" });
    expect(definitionErrors(new ApiError(422, 'Variable "env" must be a number'), drafts)).toEqual({ "1.defaultValue": 'Variable "env" must be a number' });
    expect(definitionErrors(new ApiError(422, 'Variable "a" is defined more than once'), drafts)).toEqual({ "0.name": 'Variable "a" is defined more than once' });
    expect(definitionErrors(new ApiError(422, "Routine not found"), drafts)).toEqual({});
  });
});

describe("Run now values", () => {
  const variables = [
    { name: "service", label: null, type: "select" as const, defaultValue: "api", required: true, options: ["api", "web"] },
    { name: "count", label: null, type: "number" as const, defaultValue: null, required: false, options: [] },
    { name: "dry", label: null, type: "boolean" as const, defaultValue: null, required: false, options: [] },
  ];

  it("starts from the defaults and sends typed values, leaving empty ones to the server's defaults", () => {
    const values = initialValues(variables);
    expect(values).toEqual({ service: "api", count: "", dry: "false" });
    expect(runValues(variables, { ...values, count: "2" })).toEqual({ service: "api", count: 2, dry: false });
    expect(runValues(variables, { service: "", count: "", dry: "true" })).toEqual({ dry: true });
  });

  it("places missing and bad values at their variable", () => {
    expect(valueErrors(new ApiError(422, "Missing routine variables: service, count"))).toEqual({
      service: "Required: give a value",
      count: "Required: give a value",
    });
    expect(valueErrors(new ApiError(422, 'Variable "service" must match one of: api, web'))).toEqual({
      service: 'Variable "service" must match one of: api, web',
    });
  });
});

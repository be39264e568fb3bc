import {
  extractRoutineVariableNames,
  interpolateRoutineTemplate,
  syncRoutineVariablesWithTemplate,
} from "@paperclipai/shared/routine-variables";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors";
import {
  type RoutineVariable,
  assertScheduleCompatible,
  assertVariableDefinitions,
  builtinValues,
  extractVariableNames,
  givenValues,
  interpolate,
  renderExecution,
  resolveValues,
  syncVariablesWithTemplate,
} from "../../src/domain/routine-variables";

const v = (over: Partial<RoutineVariable> & { name: string }): RoutineVariable => ({
  label: null,
  type: "text",
  defaultValue: null,
  required: true,
  options: [],
  ...over,
});
const NOW = new Date("2026-04-28T12:17:00Z");

function error422(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    return (err as AppError).message;
  }
  throw new Error("expected a 422");
}

describe("placeholders, as Paperclip reads them", () => {
  const templates = [
    "{{topic}} report",
    "{{ spaced }} and {{pr\\_url}} and {{topic}}",
    "{{1bad}} {{date}} {{timestamp}} {{dueDate}}",
    "no placeholders {single} {{ }}",
  ];
  it.each(templates)("finds the same names in %j as @paperclipai/shared", (t) => {
    expect(extractVariableNames([t])).toEqual(extractRoutineVariableNames(t));
  });

  it.each(templates)("interpolates %j as @paperclipai/shared does", (t) => {
    const values = { topic: "ops", spaced: 1, pr_url: "https://x", date: "2026-04-28", dueDate: true };
    expect(interpolate(t, values)).toBe(interpolateRoutineTemplate(t, values));
  });

  it("syncs definitions with the template as @paperclipai/shared does (built-ins skipped, *Date names are dates)", () => {
    const given = [v({ name: "topic", type: "select", options: ["a"] }), v({ name: "unused" })];
    const templates = ["{{topic}} {{date}}", "due {{reviewDate}} by {{owner}}"];
    expect(syncVariablesWithTemplate(templates, given)).toEqual(syncRoutineVariablesWithTemplate(templates, given));
    expect(syncVariablesWithTemplate(templates, given).map((x) => [x.name, x.type])).toEqual([
      ["topic", "select"],
      ["reviewDate", "date"],
      ["owner", "text"],
    ]);
  });

  it("has the built-ins date and timestamp, from the injected clock", () => {
    expect(builtinValues(NOW)).toEqual({ date: "2026-04-28", timestamp: "April 28, 2026 at 12:17 PM UTC" });
    expect(renderExecution({ title: "Standup {{date}}", description: "at {{timestamp}} on {{topic}}" }, { topic: "ops" }, NOW)).toEqual({
      title: "Standup 2026-04-28",
      description: "at April 28, 2026 at 12:17 PM UTC on ops",
    });
  });
});

describe("values of a fire", () => {
  const vars = [
    v({ name: "topic" }),
    v({ name: "count", type: "number", defaultValue: 3 }),
    v({ name: "loud", type: "boolean", required: false }),
    v({ name: "env", type: "select", options: ["prod", "dev"], defaultValue: "dev" }),
    v({ name: "day", type: "date", required: false }),
  ];
  const cases: [string, Record<string, unknown>, Record<string, unknown> | string][] = [
    ["defaults fill what is not given", { topic: "ops" }, { topic: "ops", count: 3, env: "dev" }],
    ["numbers and booleans are parsed from strings", { topic: "x", count: "7", loud: "yes" }, { topic: "x", count: 7, loud: true, env: "dev" }],
    ["0/1 are booleans", { topic: "x", loud: 0 }, { topic: "x", count: 3, loud: false, env: "dev" }],
    ["a date is YYYY-MM-DD", { topic: "x", day: " 2024-02-29 " }, { topic: "x", count: 3, env: "dev", day: "2024-02-29" }],
    ["a missing required variable", {}, 'Missing routine variables: topic'],
    ["a blank one is missing", { topic: "  " }, "Missing routine variables: topic"],
    ["a number that is not", { topic: "x", count: "many" }, 'Variable "count" must be a number'],
    ["a boolean that is not", { topic: "x", loud: "maybe" }, 'Variable "loud" must be a boolean'],
    ["a select value off the list", { topic: "x", env: "qa" }, 'Variable "env" must match one of: prod, dev'],
    ["a date that does not exist", { topic: "x", day: "2023-02-29" }, 'Variable "day" must be a valid YYYY-MM-DD date'],
    ["a date of the wrong type", { topic: "x", day: 20230101 }, 'Variable "day" must be a YYYY-MM-DD date'],
  ];
  it.each(cases)("%s", (_name, given, expected) => {
    if (typeof expected === "string") expect(error422(() => resolveValues(vars, given))).toBe(expected);
    else expect(resolveValues(vars, given)).toEqual(expected);
  });

  it("takes payload.variables, overridden by the run's variables", () => {
    expect(givenValues({ variables: { a: 1, b: 2 }, other: 3 }, { b: 9 })).toEqual({ a: 1, b: 9 });
    expect(givenValues(null, null)).toEqual({});
  });
});

describe("definitions", () => {
  it.each([
    [[v({ name: "a" }), v({ name: "a" })], 'Variable "a" is defined more than once'],
    [[v({ name: "s", type: "select" })], 'Variable "s" must define at least one option'],
    [[v({ name: "n", type: "number", defaultValue: "x" })], 'Variable "n" must be a number'],
  ] as [RoutineVariable[], string][])("refuses %j", (vars, message) => {
    expect(error422(() => assertVariableDefinitions(vars))).toBe(message);
  });

  it("lets a schedule fire only variables it can fill", () => {
    expect(() => assertScheduleCompatible([v({ name: "a", defaultValue: "x" }), v({ name: "b", required: false })])).not.toThrow();
    expect(error422(() => assertScheduleCompatible([v({ name: "a" }), v({ name: "b", defaultValue: "  " }), v({ name: "c", defaultValue: 1 })]))).toBe(
      "Scheduled routines require defaults for required variables: a, b",
    );
  });
});

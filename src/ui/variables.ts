/**
 * Routine variables in the dashboard, pure: a definition as the form holds it (strings) and as the
 * API takes it, the values a Run now sends, and the server's errors placed at the field they name.
 */
import type { Routine } from "./api";
import { ApiError } from "./api";

export type Variable = Routine["variables"][number];
export type VariableType = Variable["type"];

/** A definition being edited: every field as typed. `options`: one per line or comma-separated. */
export interface VariableDraft {
  name: string;
  label: string;
  type: VariableType;
  defaultValue: string;
  required: boolean;
  options: string;
}

export const blankVariable = (name = ""): VariableDraft => ({ name, label: "", type: "text", defaultValue: "", required: true, options: "" });

export function draftOf(v: Variable): VariableDraft {
  return {
    name: v.name,
    label: v.label ?? "",
    type: v.type,
    defaultValue: v.defaultValue == null ? "" : String(v.defaultValue),
    required: v.required,
    options: v.options.join(", "),
  };
}

export const optionsOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((o) => o.trim())
    .filter(Boolean);

/** A typed value of `type` from what a person typed: numbers and booleans as such when they parse, else as typed (the server says what is wrong). */
export function typedValue(type: VariableType, text: string): string | number | boolean | null {
  if (text.trim() === "") return null;
  if (type === "number" && Number.isFinite(Number(text))) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** The API's variable definition for a draft. */
export function definitionOf(d: VariableDraft) {
  return {
    name: d.name.trim(),
    label: d.label.trim() || null,
    type: d.type,
    defaultValue: typedValue(d.type, d.defaultValue),
    required: d.required,
    options: d.type === "select" ? optionsOf(d.options) : [],
  };
}

/** The values a Run now form starts with: each variable's default, as typed text. */
export const initialValues = (variables: Variable[]): Record<string, string> =>
  Object.fromEntries(variables.map((v) => [v.name, v.defaultValue == null ? (v.type === "boolean" ? "false" : "") : String(v.defaultValue)]));

/** The `variables` of a run request: the values given (empty ones left to the defaults), typed. */
export function runValues(variables: Variable[], values: Record<string, string>) {
  const out: Record<string, string | number | boolean> = {};
  for (const v of variables) {
    const typed = typedValue(v.type, values[v.name] ?? "");
    if (typed !== null) out[v.name] = typed;
  }
  return out;
}

const NAMED = /^Variable "([A-Za-z][A-Za-z0-9_]*)"/;

/**
 * The server's complaints about a routine's variable definitions, by `index.field` (`0.options`): from
 * the schema's details (`/variables/0/options`) and from `Variable "name" …` messages.
 */
export function definitionErrors(err: unknown, drafts: VariableDraft[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  if (Array.isArray(err.details)) {
    for (const d of err.details as { path?: unknown; message?: unknown }[]) {
      if (!d || typeof d.message !== "string") continue;
      const path = Array.isArray(d.path) ? d.path.map(String) : typeof d.path === "string" ? d.path.split("/").filter(Boolean) : [];
      if (path[0] !== "variables" || path[1] === undefined) continue;
      out[`${path[1]}.${path[2] ?? "name"}`] ??= d.message;
    }
  }
  const named = NAMED.exec(err.message);
  if (named) {
    const index = drafts.findIndex((d) => d.name.trim() === named[1]);
    if (index >= 0) out[`${index}.${/more than once/.test(err.message) ? "name" : "defaultValue"}`] ??= err.message;
  }
  return out;
}

/** The server's complaints about the values of a run, by variable name ("Missing routine variables: a, b", `Variable "a" …`). */
export function valueErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  const missing = /^Missing routine variables: (.+)$/.exec(err.message);
  if (missing) for (const name of missing[1]!.split(",")) out[name.trim()] = "Required: give a value";
  const named = NAMED.exec(err.message);
  if (named) out[named[1]!] = err.message;
  return out;
}

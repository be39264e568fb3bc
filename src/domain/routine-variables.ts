/**
 * Routine variables, with Paperclip's semantics (`@paperclipai/shared` routine-variables.js and the server's
 * routines service): typed definitions, `{{name}}` placeholders in the title and description (a markdown
 * editor's `\_` escape inside a name is tolerated), the built-ins `date` and `timestamp`, and the values of a
 * fire resolved from what the caller gave and the defaults. Pure: the time is a parameter.
 */
import { unprocessable } from "./errors";
import type { VariableType } from "./enums";

export type VariableValue = string | number | boolean;

export interface RoutineVariable {
  name: string;
  label: string | null;
  type: VariableType;
  defaultValue: VariableValue | null;
  required: boolean;
  options: string[];
}

const MATCHER = /\{\{\s*([A-Za-z](?:\\_|[A-Za-z0-9_])*)\s*\}\}/g;
const unescapeName = (raw: string) => raw.replace(/\\_/g, "_");

export const BUILTIN_VARIABLE_NAMES: ReadonlySet<string> = new Set(["date", "timestamp"]);

const HUMAN_TIMESTAMP = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "long",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
  timeZone: "UTC",
  timeZoneName: "short",
});

/** `date`: YYYY-MM-DD (UTC); `timestamp`: e.g. "April 28, 2026 at 12:17 PM UTC". */
export function builtinValues(now: Date): Record<string, string> {
  return { date: now.toISOString().slice(0, 10), timestamp: HUMAN_TIMESTAMP.format(now) };
}

export function isValidDateString(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day >= 1 && day <= days;
}

/** The placeholder names of the templates, in order of first use. */
export function extractVariableNames(templates: (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const t of templates) {
    if (!t) continue;
    for (const m of t.matchAll(MATCHER)) found.add(unescapeName(m[1]!));
  }
  return [...found];
}

const isDateName = (name: string) => name.length > 4 && name.endsWith("Date");

/**
 * The variables a routine has: one per placeholder of its title and description (built-ins aside), the
 * given definition where there is one, else a required text (or date, for a name ending in "Date") variable.
 * Definitions of names the templates do not use are dropped, as Paperclip does.
 */
export function syncVariablesWithTemplate(templates: (string | null | undefined)[], given: RoutineVariable[]): RoutineVariable[] {
  const byName = new Map(given.map((v) => [v.name, v]));
  return extractVariableNames(templates)
    .filter((name) => !BUILTIN_VARIABLE_NAMES.has(name))
    .map(
      (name) =>
        byName.get(name) ?? { name, label: null, type: isDateName(name) ? "date" : "text", defaultValue: null, required: true, options: [] },
    );
}

export function stringifyValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value == null) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Replaces each `{{name}}` with its value; a placeholder without a value stays as written. */
export function interpolate(template: string | null, values: Record<string, unknown>): string | null {
  if (template == null || Object.keys(values).length === 0) return template;
  return template.replace(MATCHER, (match, raw: string) => {
    const name = unescapeName(raw);
    return name in values ? stringifyValue(values[name]) : match;
  });
}

/** A value given for a variable, checked and normalised to its type; 422 naming the variable otherwise. */
export function normalizeValue(variable: RoutineVariable, raw: unknown): VariableValue | null {
  if (raw == null) return null;
  const { name } = variable;
  switch (variable.type) {
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (raw === 0 || raw === 1) return raw === 1;
      const s = typeof raw === "string" ? raw.trim().toLowerCase() : "";
      if (["true", "1", "yes", "y", "on"].includes(s)) return true;
      if (["false", "0", "no", "n", "off"].includes(s)) return false;
      throw unprocessable(`Variable "${name}" must be a boolean`);
    }
    case "number": {
      if (typeof raw === "number" && Number.isFinite(raw)) return raw;
      if (typeof raw === "string" && raw.trim() && Number.isFinite(Number(raw))) return Number(raw);
      throw unprocessable(`Variable "${name}" must be a number`);
    }
    case "date": {
      if (typeof raw !== "string") throw unprocessable(`Variable "${name}" must be a YYYY-MM-DD date`);
      if (!isValidDateString(raw.trim())) throw unprocessable(`Variable "${name}" must be a valid YYYY-MM-DD date`);
      return raw.trim();
    }
    default: {
      const s = stringifyValue(raw);
      if (variable.type === "select" && !variable.options.includes(s)) {
        throw unprocessable(`Variable "${name}" must match one of: ${variable.options.join(", ")}`);
      }
      return s;
    }
  }
}

const isMissing = (v: VariableValue | null) => v == null || (typeof v === "string" && v.trim().length === 0);

/** Definitions as Paperclip checks them on save: unique names, select options, defaults of the right type. */
export function assertVariableDefinitions(variables: RoutineVariable[]): void {
  const seen = new Set<string>();
  for (const v of variables) {
    if (seen.has(v.name)) throw unprocessable(`Variable "${v.name}" is defined more than once`);
    seen.add(v.name);
    if (v.type === "select" && v.options.length === 0) throw unprocessable(`Variable "${v.name}" must define at least one option`);
    if (v.defaultValue != null) normalizeValue(v, v.defaultValue);
  }
}

/** The required variables without a usable default: a schedule (no one to ask) cannot fire them. */
export function requiredWithoutDefault(variables: RoutineVariable[]): string[] {
  return variables
    .filter((v) => v.required)
    .filter((v) => {
      try {
        return isMissing(normalizeValue(v, v.defaultValue));
      } catch {
        return true;
      }
    })
    .map((v) => v.name);
}

/** 422 with Paperclip's message when a routine with these variables cannot have an enabled schedule. */
export function assertScheduleCompatible(variables: RoutineVariable[]): void {
  const missing = requiredWithoutDefault(variables);
  if (missing.length) throw unprocessable(`Scheduled routines require defaults for required variables: ${missing.join(", ")}`);
}

/**
 * The values of a fire: what the caller gave (`variables` of a run, or `payload.variables`), else the
 * default; every required variable must end up with a value (422 naming those missing).
 */
export function resolveValues(variables: RoutineVariable[], given: Record<string, unknown> | null | undefined): Record<string, VariableValue> {
  const resolved: Record<string, VariableValue> = {};
  const missing: string[] = [];
  for (const v of variables) {
    const candidate = given && given[v.name] !== undefined ? given[v.name] : v.defaultValue;
    const value = normalizeValue(v, candidate);
    if (isMissing(value)) {
      if (v.required) missing.push(v.name);
      continue;
    }
    resolved[v.name] = value!;
  }
  if (missing.length) throw unprocessable(`Missing routine variables: ${missing.join(", ")}`);
  return resolved;
}

/** The values a caller gave: `payload.variables` overlaid by the run's `variables` (Paperclip's order). */
export function givenValues(payload: Record<string, unknown> | null | undefined, variables: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const nested = payload && typeof payload.variables === "object" && payload.variables && !Array.isArray(payload.variables)
    ? (payload.variables as Record<string, unknown>)
    : {};
  return { ...nested, ...(variables ?? {}) };
}

/** The execution issue's title and description for a fire at `now` with `values`. */
export function renderExecution(
  routine: { title: string; description: string | null },
  values: Record<string, VariableValue>,
  now: Date,
): { title: string; description: string | null } {
  // Most routines have no placeholder: skip formatting the built-ins (an Intl call per fire).
  if (!routine.title.includes("{{") && !routine.description?.includes("{{")) return { title: routine.title, description: routine.description };
  const all = { ...builtinValues(now), ...values };
  return { title: interpolate(routine.title, all) ?? routine.title, description: interpolate(routine.description, all) };
}

/** The values a fire's payload gives: for a webhook its top-level keys too (Paperclip's rule), then `payload.variables`. */
export function payloadValues(source: string, payload: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const { variables: _nested, ...top } = source === "webhook" && payload ? payload : {};
  return { ...top, ...givenValues(payload, null) };
}

/** The resolved values go with the run, as Paperclip records them: in `payload.variables`. */
export function withVariables(payload: Record<string, unknown> | null, values: Record<string, unknown>): Record<string, unknown> | null {
  if (Object.keys(values).length === 0) return payload;
  const existing = payload && typeof payload.variables === "object" && payload.variables && !Array.isArray(payload.variables) ? payload.variables : {};
  return { ...(payload ?? {}), variables: { ...existing, ...values } };
}

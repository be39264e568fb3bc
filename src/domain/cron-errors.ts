/**
 * Says what is wrong with a cron expression croner refused, naming the field:
 * `hour 25 is out of range 0–23`. Croner stays the evaluator; this reads the fields again only
 * to word the message, and returns null when it finds nothing (the caller then uses croner's).
 */

export const NICKNAMES = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  name: string;
  min: number;
  max: number;
  /** Croner's largest step: the number of values the field has. */
  maxStep: number;
  names?: string[];
}

const SECOND: Field = { name: "second", min: 0, max: 59, maxStep: 60 };
const FIELDS: Field[] = [
  { name: "minute", min: 0, max: 59, maxStep: 60 },
  { name: "hour", min: 0, max: 23, maxStep: 24 },
  { name: "day of month", min: 1, max: 31, maxStep: 31 },
  { name: "month", min: 1, max: 12, maxStep: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 7, maxStep: 7, names: DAYS },
];
const DOM = FIELDS[2]!;
const DOW = FIELDS[4]!;

/** The reason an expression is invalid, or null when these checks find nothing wrong. */
export function explainCronError(expr: string): string | null {
  const text = expr.trim();
  if (text.startsWith("@")) {
    const nickname = text.toLowerCase();
    if (NICKNAMES.includes(nickname)) return null;
    if (nickname === "@reboot") return "@reboot is not supported (a schedule needs times, e.g. @daily or 0 9 * * *)";
    return `unknown nickname ${text} (use ${NICKNAMES.join(", ")} or 5 fields)`;
  }
  const parts = text === "" ? [] : text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds, got ${parts.length}`;
  }
  const fields = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (const [i, part] of parts.entries()) {
    const problem = checkField(part, fields[i]!);
    if (problem) return problem;
  }
  return null;
}

function checkField(text: string, f: Field): string | null {
  let body = text;
  if (f === DOW && body.startsWith("+")) {
    body = body.slice(1);
    if (!body) return `day of week "+" needs days after it (e.g. +MON)`;
  }
  const items = body.split(",");
  for (const item of items) {
    if (item === "") return `${f.name} "${text}" has an empty list item`;
    const problem = checkItem(item, f, items.length > 1);
    if (problem) return problem;
  }
  return null;
}

function checkItem(item: string, f: Field, inList: boolean): string | null {
  const upper = item.toUpperCase();
  if (item === "*" || item === "?") return null;
  if (f === DOM && /L/.test(upper)) {
    if (upper === "L") return null;
    if (upper === "LW") return inList ? `day of month "LW" cannot be part of a list` : null;
    return `day of month "${item}": L (the last day) has to stand alone`;
  }
  if (f === DOM && /^\d+W$/.test(upper)) return checkValue(upper.slice(0, -1), f);
  if (f === DOW && upper.includes("#")) {
    const [day, nth, extra] = upper.split("#");
    if (extra !== undefined || !/^([1-5]|L)$/.test(nth ?? "")) {
      return `day of week "${item}": the number after # must be 1–5 (or L for the last)`;
    }
    return checkValue(day!, f);
  }
  if (f === DOW && upper === "L") return `day of week "L" needs a day before it (e.g. 5L or FRIL: the last Friday)`;
  if (f === DOW && /^\w+L$/.test(upper)) return checkValue(upper.slice(0, -1), f);
  if (item.includes("/")) return checkStep(item, f);
  if (item.includes("-")) return checkRange(item, f);
  return checkValue(item, f);
}

function checkStep(item: string, f: Field): string | null {
  const [base, step, extra] = item.split("/");
  if (extra !== undefined) return `${f.name} "${item}" has more than one /`;
  if (!/^\d+$/.test(step ?? "")) return `${f.name} step "${step}" in "${item}" is not a number`;
  const n = Number(step);
  if (n < 1 || n > f.maxStep) return `${f.name} step ${n} is out of range 1–${f.maxStep}`;
  if (base === "*" || base === "?") return null;
  if (base?.includes("-")) return checkRange(base, f);
  const start = base || String(f.min);
  return `${f.name} "${item}": a step needs * or a range before the slash (e.g. */${n} or ${start}-${f.max}/${n})`;
}

function checkRange(item: string, f: Field): string | null {
  const [from, to, extra] = item.split("-");
  if (extra !== undefined || !from || !to) return `${f.name} range "${item}" is not of the form a-b`;
  const problem = checkValue(from, f) ?? checkValue(to, f);
  if (problem) return problem;
  if (valueOf(from, f) > (f === DOW && to.toUpperCase() === "SUN" ? 7 : valueOf(to, f))) {
    return `${f.name} range ${item} goes backwards (the first value must not be larger than the second)`;
  }
  return null;
}

function checkValue(token: string, f: Field): string | null {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n < f.min || n > f.max ? `${f.name} ${n} is out of range ${f.min}–${f.max}` : null;
  }
  const upper = token.toUpperCase();
  if (f.names?.includes(upper)) return null;
  if (/^\d*L$/.test(upper)) return `${f.name} "${token}": L (last) is only allowed in day of month and day of week`;
  if (/^\d+W$/.test(upper)) return `${f.name} "${token}": W (nearest weekday) is only allowed in day of month`;
  if (upper.includes("#")) return `${f.name} "${token}": # (nth weekday) is only allowed in day of week`;
  if (f.names) return `${f.name} "${token}" is not a number or a name (${f.names[0]}–${f.names.at(-1)})`;
  return `${f.name} "${token}" is not a number`;
}

function valueOf(token: string, f: Field): number {
  const upper = token.toUpperCase();
  const named = f.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (f === DOW ? 0 : 1);
  return Number(token);
}

// DOM and time helpers. All text goes in as text nodes: data is never parsed as HTML.

/** h("td", { class: "x" }, "text", child) — children: strings, nodes, arrays, null (skipped). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A status word as a badge whose colour says good / waiting / dropped / bad. */
export function badge(text) {
  return h("span", { class: `badge badge-${String(text).replace(/[^a-z_]/g, "")}` }, String(text).replaceAll("_", " "));
}

const localFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const UNITS = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "in 1 day 6 hours", "5 min 3 s ago". */
export function relative(iso, now = Date.now()) {
  const diff = new Date(iso).getTime() - now;
  if (Math.abs(diff) < 1000) return "now";
  return diff > 0 ? `in ${duration(diff)}` : `${duration(diff)} ago`;
}

const LABELS = { day: ["day", "days"], hour: ["hour", "hours"], minute: ["min", "min"], second: ["s", "s"] };

/** 93_000 → "1 min 33 s", 90_061_000 → "1 day 1 hour": the largest unit and the one below it. */
export function duration(ms) {
  const abs = Math.abs(ms);
  const first = UNITS.findIndex(([, size]) => abs >= size);
  if (first < 0) return "0 s";
  let rest = abs;
  const parts = [];
  for (const [unit, size] of UNITS.slice(first, first + 2)) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${LABELS[unit][n === 1 ? 0 : 1]}`);
  }
  return parts.join(" ");
}

/** A <time> showing local time and, optionally, how far from now it is. */
export function time(iso, { withRelative = true } = {}) {
  if (!iso) return h("span", { class: "muted" }, "—");
  const local = localFormat.format(new Date(iso));
  return h(
    "time",
    { datetime: iso, title: iso },
    local,
    withRelative ? h("span", { class: "relative" }, ` (${relative(iso)})`) : null,
  );
}

/** How late a scheduled run fired: triggeredAt − scheduledFor. */
export function lateness(run) {
  if (!run.scheduledFor) return h("span", { class: "muted" }, "—");
  const ms = new Date(run.triggeredAt).getTime() - new Date(run.scheduledFor).getTime();
  if (Math.abs(ms) < 1000) return "on time";
  return ms > 0 ? `${duration(ms)} late` : `${duration(ms)} early`;
}

export function humanize(value) {
  return value ? String(value).replaceAll("_", " ") : "—";
}

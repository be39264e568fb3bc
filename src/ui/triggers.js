// How a trigger is shown: in the routine list (compact) and in the routine detail (with a preview).
import { api, enc } from "./api.js";
import { badge, h, humanize, time } from "./dom.js";

function enabledBadge(trigger) {
  return badge(trigger.enabled ? "enabled" : "disabled");
}

function schedule(trigger) {
  return [h("code", {}, trigger.cronExpression ?? ""), " in ", trigger.timezone ?? "UTC"];
}

/** One line per trigger for the routine table: kind, state, cron, next run, last result. */
export function triggerSummary(trigger) {
  const next =
    trigger.kind === "schedule"
      ? h("div", {}, "Next run: ", trigger.enabled ? time(trigger.nextRunAt) : h("span", { class: "muted" }, "none (disabled)"))
      : null;
  return h(
    "div",
    { class: "trigger" },
    h("div", {}, h("strong", {}, trigger.label || trigger.kind), trigger.label ? h("span", { class: "muted" }, ` (${trigger.kind})`) : null,
      " ", enabledBadge(trigger), trigger.kind === "schedule" ? [" ", schedule(trigger)] : null),
    next,
    trigger.lastResult ? h("div", { class: "muted" }, "Last result: ", trigger.lastResult) : null,
  );
}

/** The full trigger card of the detail view; schedule triggers get their next 5 occurrences. */
export function triggerCard(trigger) {
  const facts = [
    ["Kind", trigger.kind],
    ["State", enabledBadge(trigger)],
    trigger.kind === "schedule" ? ["Schedule", schedule(trigger)] : null,
    trigger.kind === "schedule" ? ["Next run", trigger.enabled ? time(trigger.nextRunAt) : "none (disabled)"] : null,
    trigger.kind === "webhook" ? ["Signing", humanize(trigger.signingMode)] : null,
    trigger.kind === "webhook" ? ["Webhook URL", h("code", {}, trigger.webhookUrl ?? "")] : null,
    ["Last fired", time(trigger.lastFiredAt)],
    ["Last result", trigger.lastResult ?? "—"],
    trigger.kind === "webhook" && trigger.lastRefusal
      ? ["Last refused", [time(trigger.lastRefusedAt), h("div", { class: "muted" }, trigger.lastRefusal)]]
      : null,
  ].filter(Boolean);
  const card = h(
    "article",
    { class: "card", "aria-label": `Trigger ${trigger.label || trigger.kind}` },
    h("h4", {}, trigger.label || `${trigger.kind} trigger`),
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
  );
  if (trigger.kind === "schedule") card.append(preview(trigger));
  return card;
}

function preview(trigger) {
  const box = h("div", { class: "preview" }, h("p", { class: "muted" }, "Loading the next occurrences…"));
  api(`/routine-triggers/${enc(trigger.id)}/preview?count=5`).then(
    (p) => {
      box.replaceChildren(
        h("p", {}, "Next 5 occurrences — ", h("em", {}, p.description), ":"),
        h("ol", {}, p.occurrences.map((o) =>
          h("li", {}, time(o.at), " — ", h("span", { class: "zone" }, `${o.local} in ${trigger.timezone ?? "UTC"}`),
            o.note ? h("span", { class: "note" }, ` ⚠ ${o.note}`) : null))),
      );
    },
    (err) => box.replaceChildren(h("p", { class: "error" }, `No preview: ${err.message}`)),
  );
  return box;
}

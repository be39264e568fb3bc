// The routine table of one company: what each routine is, how it fires, and what it did last.
import { badge, clear, h, humanize, time } from "./dom.js";
import { triggerSummary } from "./triggers.js";

function issue(activeIssue) {
  if (!activeIssue) return h("span", { class: "muted" }, "none");
  return [h("strong", {}, activeIssue.identifier), " ", badge(activeIssue.status), h("div", { class: "muted" }, activeIssue.title)];
}

function lastRun(run) {
  if (!run) return h("span", { class: "muted" }, "never fired");
  return [badge(run.status), " ", run.source, h("div", {}, time(run.triggeredAt)),
    run.failureReason ? h("div", { class: "reason" }, run.failureReason) : null];
}

/** Fills the table body; `onOpen(routineId)` opens a routine's detail. */
export function renderRoutines(tbody, routines, agentNames, onOpen, selectedId) {
  clear(
    tbody,
    routines.map((r) =>
      h(
        "tr",
        { "aria-current": r.id === selectedId ? "true" : undefined },
        h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => onOpen(r.id) }, r.title)),
        h("td", {}, badge(r.status)),
        h("td", {}, agentNames.get(r.assigneeAgentId) ?? r.assigneeAgentId ?? "—"),
        h("td", {}, h("div", {}, humanize(r.concurrencyPolicy)), h("div", { class: "muted" }, humanize(r.catchUpPolicy))),
        h("td", {}, r.triggers.length ? r.triggers.map(triggerSummary) : h("span", { class: "muted" }, "no triggers")),
        h("td", {}, lastRun(r.lastRun)),
        h("td", {}, issue(r.activeIssue)),
      ),
    ),
  );
}

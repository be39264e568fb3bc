// One routine: its facts, triggers (with upcoming occurrences), run history and the "Run now" button.
import { api, enc } from "./api.js";
import { badge, clear, h, humanize, lateness, time } from "./dom.js";
import { triggerCard } from "./triggers.js";

const PAGE = 20;
const $ = (id) => document.getElementById(id);

/** What a run's status means when the run carries no failureReason of its own. */
const EXPLAIN = {
  received: "Received; not processed yet",
  issue_created: "Execution issue created and the agent woken",
  coalesced: "Merged into the open execution issue (its payload was added as a comment)",
  completed: "Execution issue done",
  failed: "Failed",
};

function runRow(run) {
  const source = run.trigger ? `${run.source} (${run.trigger.label || run.trigger.kind})` : run.source;
  const issue = run.linkedIssue
    ? [h("strong", {}, run.linkedIssue.identifier), " ", badge(run.linkedIssue.status)]
    : h("span", { class: "muted" }, "—");
  return h(
    "tr",
    { "data-run-id": run.id },
    h("td", {}, time(run.triggeredAt)),
    h("td", {}, source),
    h("td", {}, badge(run.status)),
    h("td", {}, time(run.scheduledFor, { withRelative: false })),
    h("td", {}, lateness(run)),
    h("td", {}, issue),
    h("td", { class: run.failureReason ? "reason" : "muted" }, run.failureReason ?? EXPLAIN[run.status] ?? ""),
  );
}

function facts(r) {
  const rows = [
    ["Status", badge(r.status)],
    ["Assignee", r.assignee ? `${r.assignee.name}${r.assignee.title ? ` (${r.assignee.title})` : ""}` : "—"],
    ["Project", r.project?.name ?? "—"],
    ["Priority", r.priority],
    ["Concurrency", humanize(r.concurrencyPolicy)],
    ["Catch-up", humanize(r.catchUpPolicy)],
    ["Last triggered", time(r.lastTriggeredAt)],
    ["Active issue", r.activeIssue ? [r.activeIssue.identifier, " ", badge(r.activeIssue.status), " ", r.activeIssue.title] : "none"],
  ];
  if (r.description) rows.unshift(["Description", r.description]);
  return rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]);
}

/** The detail panel; `report(message, isError)` shows a status line, `onChanged()` refreshes the list. */
export function createDetail({ report, onChanged }) {
  let routineId = null;
  let cursor = null;
  let archived = false;

  async function loadRuns(reset) {
    const id = routineId;
    const query = `limit=${PAGE}${!reset && cursor ? `&before=${enc(cursor)}` : ""}`;
    const runs = await api(`/routines/${enc(id)}/runs?${query}`);
    if (id !== routineId) return; // another routine was opened meanwhile
    if (reset) clear($("run-rows"));
    $("run-rows").append(...runs.map(runRow));
    cursor = runs.at(-1)?.id ?? cursor;
    $("load-more").hidden = runs.length < PAGE;
    $("runs-empty").hidden = $("run-rows").children.length > 0;
  }

  async function open(id) {
    routineId = id;
    cursor = null;
    const routine = await api(`/routines/${enc(id)}`);
    if (id !== routineId) return;
    $("detail-title").textContent = routine.title;
    archived = routine.status === "archived";
    $("run-now").disabled = archived;
    clear($("detail-facts"), facts(routine));
    clear($("detail-triggers"), routine.triggers.length ? routine.triggers.map(triggerCard) : h("p", { class: "muted" }, "No triggers: only “Run now” or the API fires this routine."));
    await loadRuns(true);
    $("detail").hidden = false;
  }

  async function runNow() {
    const button = $("run-now");
    button.disabled = true;
    try {
      const run = await api(`/routines/${enc(routineId)}/run`, { method: "POST", body: {} });
      report(`Fired now: run ${humanize(run.status)}${run.failureReason ? ` — ${run.failureReason}` : ""}`);
      await Promise.all([open(routineId), onChanged()]);
    } catch (err) {
      report(err.message, true);
    } finally {
      button.disabled = archived;
    }
  }

  $("run-now").addEventListener("click", runNow);
  $("load-more").addEventListener("click", () => loadRuns(false).catch((err) => report(err.message, true)));

  return {
    open,
    close() {
      routineId = null;
      $("detail").hidden = true;
    },
    get routineId() {
      return routineId;
    },
  };
}

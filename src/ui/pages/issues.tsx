/** Issues: execution issues first, with their status changeable in place to close the loop by hand. */
import { useEffect } from "preact/hooks";
import { enc, type Issue, query } from "../api";
import { Empty, ErrorBox, Loading, Time } from "../components";
import { ISSUE_STATUSES } from "../enums";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { navigate, useLocation, withQuery } from "../router";
import { IssueStatus } from "./routine";

const OPEN = "backlog,todo,in_progress,in_review,blocked";

export function IssuesPage({ companyId }: { companyId: string }) {
  const loc = useLocation();
  const status = loc.query.get("status") ?? "";
  const origin = loc.query.get("origin") ?? "";
  const focus = loc.query.get("focus");
  const issues = useApi<Issue[]>(
    `/companies/${enc(companyId)}/issues${query({ status: status === "open" ? OPEN : status, originKind: origin, limit: 100 })}`,
    { everyMs: 15_000 },
  );
  useEffect(() => {
    if (focus && issues.data) document.getElementById(`issue-${focus}`)?.scrollIntoView({ block: "center" });
  }, [focus, issues.data]);
  const set = (key: string) => (e: Event) => navigate(withQuery(loc, { [key]: (e.currentTarget as HTMLSelectElement).value, focus: undefined }));
  return (
    <section aria-labelledby="issues-title">
      <h2 id="issues-title">Issues</h2>
      <form class="filters" aria-label="Filter issues" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="i-status">Status</label>
          <select id="i-status" value={status} onChange={set("status")}>
            <option value="">Any</option>
            <option value="open">Open (not done or cancelled)</option>
            {ISSUE_STATUSES.map((s) => (
              <option key={s} value={s}>{humanize(s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="i-origin">Origin</label>
          <select id="i-origin" value={origin} onChange={set("origin")}>
            <option value="">Any</option>
            <option value="routine_execution">Routine executions</option>
            <option value="manual">Manual</option>
          </select>
        </div>
      </form>
      <ErrorBox error={issues.error} retry={issues.reload} />
      {!issues.data ? (
        issues.error ? null : <Loading what="issues" />
      ) : issues.data.length === 0 ? (
        <Empty>
          <p>{status || origin ? "No issue matches these filters." : "No issues yet: a routine opens one each time it fires (its execution issue)."}</p>
        </Empty>
      ) : (
        <table class="list issues">
          <caption class="sr-only">Issues</caption>
          <thead>
            <tr>
              <th scope="col">Issue and status</th>
              <th scope="col">Origin</th>
              <th scope="col">Priority</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {issues.data.map((i) => (
              <tr key={i.id} id={`issue-${i.id}`} aria-current={focus === i.id ? "true" : undefined}>
                <td data-label="Issue"><IssueStatus issue={i} companyId={companyId} onChange={issues.reload} /></td>
                <td data-label="Origin">{humanize(i.originKind)}</td>
                <td data-label="Priority">{i.priority}</td>
                <td data-label="Updated"><Time iso={i.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

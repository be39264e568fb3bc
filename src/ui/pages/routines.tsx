/** The routines of a company: filters and search in the URL, status, next run, last run, refusals. */
import { enc, query, type RoutineListItem } from "../api";
import { Badge, Empty, ErrorBox, Loading, Time } from "../components";
import { ROUTINE_STATUSES } from "../enums";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { navigate, useLocation, withQuery } from "../router";
import { NextRun, TriggerBadges, useCompanyLists } from "./shared";

export function RoutinesPage({ companyId }: { companyId: string }) {
  const loc = useLocation();
  const status = loc.query.get("status") ?? "";
  const assignee = loc.query.get("assignee") ?? "";
  const project = loc.query.get("project") ?? "";
  const search = loc.query.get("q") ?? "";
  const routines = useApi<RoutineListItem[]>(
    `/companies/${enc(companyId)}/routines${query({ status, assigneeAgentId: assignee, projectId: project })}`,
    { everyMs: 15_000 },
  );
  const { agents, projects } = useCompanyLists(companyId);
  const agentName = (id: string | null) => agents.data?.find((a) => a.id === id)?.name ?? "—";
  const projectName = (id: string | null) => projects.data?.find((p) => p.id === id)?.name ?? "—";
  const set = (key: string) => (e: Event) => navigate(withQuery(loc, { [key]: (e.currentTarget as HTMLInputElement).value }), { replace: key === "q" });
  const needle = search.trim().toLowerCase();
  const shown = (routines.data ?? []).filter(
    (r) => !needle || r.title.toLowerCase().includes(needle) || (r.description ?? "").toLowerCase().includes(needle),
  );
  const filtered = Boolean(status || assignee || project || needle);

  return (
    <section aria-labelledby="routines-title">
      <div class="page-head">
        <h2 id="routines-title">Routines</h2>
        <a class="button" href={`/c/${companyId}/routines/new`}>
          New routine
        </a>
      </div>
      <form class="filters" role="search" aria-label="Filter routines" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-q">Search</label>
          <input id="f-q" type="search" placeholder="Title or description" value={search} onInput={set("q")} />
        </div>
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" value={status} onChange={set("status")}>
            <option value="">Any</option>
            {ROUTINE_STATUSES.map((s) => (
              <option key={s} value={s}>{humanize(s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-assignee">Assignee</label>
          <select id="f-assignee" value={assignee} onChange={set("assignee")}>
            <option value="">Anyone</option>
            {agents.data?.map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-project">Project</label>
          <select id="f-project" value={project} onChange={set("project")}>
            <option value="">Any</option>
            {projects.data?.map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </select>
        </div>
      </form>
      <ErrorBox error={routines.error} retry={routines.reload} />
      {!routines.data ? (
        routines.error ? null : <Loading what="routines" />
      ) : shown.length === 0 ? (
        <Empty>
          {filtered ? (
            <p>
              No routine matches these filters. <a href={`/c/${companyId}`}>Clear the filters</a>.
            </p>
          ) : agents.data?.length === 0 ? (
            <p>
              No routines yet. A routine wakes an agent: <a href={`/c/${companyId}/agents`}>create an agent</a> first, then a{" "}
              <a href={`/c/${companyId}/projects`}>project</a>, then <a href={`/c/${companyId}/routines/new`}>the routine</a>.
            </p>
          ) : (
            <p>
              No routines yet. <a href={`/c/${companyId}/routines/new`}>Create the first routine</a>: what to do, who does it, and then
              when (a schedule), or on what (a webhook).
            </p>
          )}
        </Empty>
      ) : (
        <table class="list routines">
          <caption class="sr-only">Routines</caption>
          <thead>
            <tr>
              <th scope="col">Routine</th>
              <th scope="col">Status</th>
              <th scope="col">Assignee</th>
              <th scope="col">Project</th>
              <th scope="col">Triggers</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const refused = r.triggers.filter((t) => t.lastRefusal);
              return (
                <tr key={r.id}>
                  <td data-label="Routine">
                    <a class="title" href={`/c/${companyId}/routines/${r.id}`}>{r.title}</a>
                    {refused.map((t) => (
                      <div key={t.id} class="warning">
                        ⚠ {t.label ?? "webhook"} refused a request: {t.lastRefusal} <Time iso={t.lastRefusedAt} />
                      </div>
                    ))}
                  </td>
                  <td data-label="Status"><Badge value={r.status} /></td>
                  <td data-label="Assignee">{agentName(r.assigneeAgentId)}</td>
                  <td data-label="Project">{projectName(r.projectId)}</td>
                  <td data-label="Triggers"><TriggerBadges triggers={r.triggers} /></td>
                  <td data-label="Next run"><NextRun status={r.status} triggers={r.triggers} /></td>
                  <td data-label="Last run">
                    {r.lastRun ? (
                      <>
                        <Badge value={r.lastRun.status} /> <Time iso={r.lastRun.triggeredAt} />
                      </>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A company's activity log: who did what, newest first; filters in the URL; older entries page by page. */
import { useEffect, useState } from "preact/hooks";
import { type ActivityEntry, api, enc, query, type RoutineListItem } from "../api";
import { ENTITY_TYPES, KNOWN_ACTIONS, actionWords, detailsText } from "../activity-words";
import { Empty, ErrorBox, Loading, Time } from "../components";
import { humanize, shortId } from "../format";
import { useApi } from "../hooks";
import { navigate, useLocation, withQuery } from "../router";
import { ActorName, useCompanyLists } from "./shared";

const PAGE = 50;
const ACTOR_TYPES: [string, string][] = [
  ["user", "The board"],
  ["agent", "Agents"],
  ["system", "routined itself"],
];

export function ActivityPage({ companyId }: { companyId: string }) {
  const loc = useLocation();
  const actorType = loc.query.get("actorType") ?? "";
  const entityType = loc.query.get("entityType") ?? "";
  const action = loc.query.get("action") ?? "";
  const entityId = loc.query.get("entityId") ?? "";
  const routineId = loc.query.get("routineId") ?? "";
  const agentId = loc.query.get("agentId") ?? "";
  const limit = Math.min(200, Math.max(1, Math.trunc(Number(loc.query.get("limit"))) || PAGE));
  const filters = { actorType, entityType, action, entityId, routineId, agentId };
  const pagePath = (before?: string) => `/companies/${enc(companyId)}/activity${query({ ...filters, limit, before })}`;
  const path = pagePath();
  const first = useApi<ActivityEntry[]>(path);
  const [older, setOlder] = useState<ActivityEntry[]>([]);
  const [more, setMore] = useState<{ loading: boolean; done: boolean; error?: unknown }>({ loading: false, done: false });
  const [actionText, setActionText] = useState(action);
  const { agents, projects } = useCompanyLists(companyId);
  const routines = useApi<RoutineListItem[]>(`/companies/${enc(companyId)}/routines`);

  useEffect(() => {
    setOlder([]);
    setMore({ loading: false, done: false });
  }, [path]);
  useEffect(() => setActionText(action), [action]);

  // a refresh of the first page may overlap the older pages already shown: each entry once
  const seen = new Set<string>();
  const entries = [...(first.data ?? []), ...older].filter((e) => !seen.has(e.id) && Boolean(seen.add(e.id)));
  const hasMore = !more.done && (older.length ? true : (first.data?.length ?? 0) === limit);
  const filtered = Boolean(actorType || entityType || action || entityId || routineId || agentId);

  const loadOlder = async () => {
    const last = entries[entries.length - 1];
    if (!last) return;
    setMore({ loading: true, done: false });
    try {
      const page = await api<ActivityEntry[]>(pagePath(last.id));
      setOlder((o) => [...o, ...page]);
      setMore({ loading: false, done: page.length < limit });
    } catch (error) {
      setMore({ loading: false, done: false, error });
    }
  };
  const set = (key: string, value: string) => navigate(withQuery(loc, { [key]: value.trim() }));
  const routineTitle = (id: string) => routines.data?.find((r) => r.id === id)?.title;
  const focusName = entityId ? (routineTitle(entityId) ?? `entity ${shortId(entityId)}`) : "";

  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <form
        class="filters"
        role="search"
        aria-label="Filter activity"
        onSubmit={(e) => {
          e.preventDefault();
          set("action", actionText);
        }}
      >
        <div class="field">
          <label for="a-actor">Actor type</label>
          <select id="a-actor" value={actorType} onChange={(e) => set("actorType", e.currentTarget.value)}>
            <option value="">Anyone</option>
            {ACTOR_TYPES.map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-entity">Entity type</label>
          <select id="a-entity" value={entityType} onChange={(e) => set("entityType", e.currentTarget.value)}>
            <option value="">Any</option>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>{humanize(t)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-action">Action</label>
          <input
            id="a-action"
            type="search"
            list="a-actions"
            placeholder="e.g. routine.updated"
            aria-describedby="a-action-hint"
            value={actionText}
            onInput={(e) => setActionText(e.currentTarget.value)}
            onChange={(e) => set("action", e.currentTarget.value)}
          />
          <datalist id="a-actions">
            {Object.entries(KNOWN_ACTIONS).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </datalist>
          <span class="hint" id="a-action-hint">The exact action; Enter applies it</span>
        </div>
      </form>
      {routineId ? (
        <p class="notice">
          Only the activity of{" "}
          {routineTitle(routineId) ? <a href={`/c/${companyId}/routines/${routineId}`}>{routineTitle(routineId)}</a> : `routine ${shortId(routineId)}`}, its
          triggers and its runs. <a href={withQuery(loc, { routineId: undefined })}>Show all activity</a>
        </p>
      ) : null}
      {entityId ? (
        <p class="notice">
          Only the activity of {routineTitle(entityId) ? <a href={`/c/${companyId}/routines/${entityId}`}>{focusName}</a> : focusName}.{" "}
          <a href={withQuery(loc, { entityId: undefined })}>Show all activity</a>
        </p>
      ) : null}
      <ErrorBox error={first.error} retry={first.reload} />
      {!first.data ? (
        first.error ? null : <Loading what="the activity" />
      ) : entries.length === 0 ? (
        <Empty>
          {filtered ? (
            <p>
              No activity matches these filters. <a href={`/c/${companyId}/activity`}>Clear the filters</a>.
            </p>
          ) : (
            <p>
              No activity yet: every change to a routine, a trigger or an issue, and every run fired, is recorded here. Start with{" "}
              <a href={`/c/${companyId}`}>the routines</a>.
            </p>
          )}
        </Empty>
      ) : (
        <table class="list activity" aria-label="Activity">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">On</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td data-label="When"><Time iso={e.createdAt} /></td>
                <td data-label="Who">
                  <ActorName type={e.actorType} agentId={e.agentId} userId={e.actorType === "user" ? e.actorId : null} agents={agents.data} companyId={companyId} />
                  {e.runId ? <span class="muted" title={`heartbeat run ${e.runId}`}> in run {shortId(e.runId)}</span> : null}
                </td>
                <td data-label="Action" title={e.action}>{actionWords(e)}</td>
                <td data-label="On">
                  <Entity entry={e} companyId={companyId} routineTitle={routineTitle} projectName={(id) => projects.data?.find((p) => p.id === id)?.name} />
                </td>
                <td data-label="Details" class="details">{detailsText(e) || <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && entries.length ? (
        <button type="button" class="secondary" onClick={loadOlder} disabled={more.loading}>
          Older
        </button>
      ) : null}
      {more.done && older.length ? <p class="muted">The oldest entry is shown.</p> : null}
      <ErrorBox error={more.error} retry={loadOlder} />
    </section>
  );
}

/** What an entry is about, as a link where the dashboard has a page for it. */
function Entity(props: {
  entry: ActivityEntry;
  companyId: string;
  routineTitle: (id: string) => string | undefined;
  projectName: (id: string) => string | undefined;
}) {
  const { entry: e, companyId } = props;
  const d = e.details ?? {};
  const routineLink = (id: string) => <a href={`/c/${companyId}/routines/${id}`}>{props.routineTitle(id) ?? `routine ${shortId(id)}`}</a>;
  const routineId = typeof d.routineId === "string" ? d.routineId : undefined;
  switch (e.entityType) {
    case "routine":
      return routineLink(e.entityId);
    case "routine_trigger":
      return routineId ? <>a trigger of {routineLink(routineId)}</> : <>trigger {shortId(e.entityId)}</>;
    case "routine_run":
      return routineId ? <>a run of {routineLink(routineId)}</> : <>run {shortId(e.entityId)}</>;
    case "issue":
      return <a href={`/c/${companyId}/issues?focus=${e.entityId}`}>{typeof d.identifier === "string" ? d.identifier : `issue ${shortId(e.entityId)}`}</a>;
    case "project":
      return <a href={`/c/${companyId}/projects`}>{props.projectName(e.entityId) ?? `project ${shortId(e.entityId)}`}</a>;
    default:
      return <>{humanize(e.entityType)} {shortId(e.entityId)}</>;
  }
}

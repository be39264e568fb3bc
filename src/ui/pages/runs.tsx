/** A routine's run history: filters, lateness, reasons, payloads, issues, delivery attempts and retry. */
import { useEffect, useState } from "preact/hooks";
import { api, type Agent, enc, query, type RoutineDetail, type Run } from "../api";
import { Badge, Empty, ErrorBox, Time } from "../components";
import { RUN_SOURCES, RUN_STATUSES } from "../enums";
import { duration, humanize, lateness, shortId } from "../format";
import { useApi } from "../hooks";
import { navigate, useLocation, withQuery } from "../router";
import { Deliveries } from "./deliveries";

const PAGE = 20;

/** Why a run ended as it did, in words. */
export function reason(run: Run): string {
  if (run.failureReason) return run.failureReason;
  const issue = run.linkedIssue?.identifier ?? "the active execution issue";
  if (run.status === "skipped") return `Skipped: execution issue ${issue} was still open`;
  if (run.status === "coalesced") return `Coalesced into ${issue}, which was still open (payload added as a comment)`;
  if (run.status === "issue_created") return `Opened ${issue}; completes when it is done`;
  if (run.status === "completed") return `${issue} is done`;
  return "";
}

export function RunsPanel({ routine, companyId, generation }: { routine: RoutineDetail; companyId: string; generation: number }) {
  const loc = useLocation();
  const status = loc.query.get("runStatus") ?? "";
  const source = loc.query.get("runSource") ?? "";
  const [auto, setAuto] = useState(true);
  const [pages, setPages] = useState(1);
  const [older, setOlder] = useState<Run[]>([]);
  const [more, setMore] = useState<{ loading: boolean; done: boolean; error?: unknown }>({ loading: false, done: false });
  const path = `/routines/${enc(routine.id)}/runs${query({ limit: PAGE, status })}`;
  const runs = useApi<Run[]>(path, { everyMs: auto ? 5000 : undefined });
  const agent = useApi<Agent>(routine.assigneeAgentId ? `/agents/${enc(routine.assigneeAgentId)}` : null);

  useEffect(() => {
    setOlder([]);
    setPages(1);
    setMore({ loading: false, done: false });
  }, [path]);
  useEffect(() => {
    if (generation) void runs.reload();
  }, [generation]);

  const loadMore = async () => {
    const all = [...(runs.data ?? []), ...older];
    const last = all[all.length - 1];
    if (!last) return;
    setMore({ loading: true, done: false });
    try {
      const page = await api<Run[]>(`/routines/${enc(routine.id)}/runs${query({ limit: PAGE, status, before: last.id })}`);
      setOlder((o) => [...o, ...page]);
      setPages((p) => p + 1);
      setMore({ loading: false, done: page.length < PAGE });
    } catch (error) {
      setMore({ loading: false, done: false, error });
    }
  };

  const all = [...(runs.data ?? []), ...older];
  const shown = source ? all.filter((r) => r.source === source) : all;
  const hasMore = !more.done && (pages === 1 ? (runs.data?.length ?? 0) === PAGE : true);
  const set = (key: string) => (e: Event) => navigate(withQuery(loc, { [key]: (e.currentTarget as HTMLSelectElement).value }), { replace: true });

  return (
    <section aria-labelledby="runs-title">
      <div class="page-head">
        <h3 id="runs-title">Run history</h3>
        <div class="filters compact">
          <div class="field">
            <label for="run-status">Status</label>
            <select id="run-status" value={status} onChange={set("runStatus")}>
              <option value="">Any</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>{humanize(s)}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="run-source">Source</label>
            <select id="run-source" value={source} onChange={set("runSource")}>
              <option value="">Any</option>
              {RUN_SOURCES.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </div>
          <label class="check">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> Auto-refresh (5 s)
          </label>
        </div>
      </div>
      <ErrorBox error={runs.error} retry={runs.reload} />
      {runs.data && shown.length === 0 ? (
        <Empty>
          <p>{status || source ? "No run matches these filters." : "No runs yet: this routine has never fired. Press Run now, or add a trigger."}</p>
        </Empty>
      ) : null}
      {shown.length ? (
        <table class="list runs" aria-label="Run history">
          <thead>
            <tr>
              <th scope="col">Triggered</th>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Scheduled for</th>
              <th scope="col">Lateness</th>
              <th scope="col">Issue</th>
              <th scope="col">Why</th>
              <th scope="col"><span class="sr-only">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <RunRow key={r.id} run={r} companyId={companyId} agent={agent.data} onRetried={runs.reload} />
            ))}
          </tbody>
        </table>
      ) : null}
      {hasMore && shown.length ? (
        <button type="button" class="secondary" onClick={loadMore} disabled={more.loading}>
          Load more runs
        </button>
      ) : null}
      <ErrorBox error={more.error} retry={loadMore} />
    </section>
  );
}

function RunRow({ run: r, companyId, agent, onRetried }: { run: Run; companyId: string; agent?: Agent; onRetried: () => void }) {
  const [open, setOpen] = useState(false);
  const late = lateness(r);
  const why = reason(r);
  return (
    <>
      <tr id={`run-${r.id}`}>
        <td data-label="Triggered"><Time iso={r.triggeredAt} /></td>
        <td data-label="Source">
          {r.source}
          {r.trigger?.label ? <span class="muted"> ({r.trigger.label})</span> : null}
        </td>
        <td data-label="Status"><Badge value={r.status} /></td>
        <td data-label="Scheduled for">{r.scheduledFor ? <Time iso={r.scheduledFor} withRelative={false} /> : <span class="muted">—</span>}</td>
        <td data-label="Lateness">{late === null ? <span class="muted">—</span> : late < 1000 ? "on time" : `${duration(late)} late`}</td>
        <td data-label="Issue">
          {r.linkedIssue ? (
            <a href={`/c/${companyId}/issues?focus=${r.linkedIssue.id}`}>
              {r.linkedIssue.identifier}
            </a>
          ) : (
            <span class="muted">—</span>
          )}
          {r.linkedIssue ? <span class="muted"> {humanize(r.linkedIssue.status)}</span> : null}
        </td>
        <td data-label="Why" class={r.status === "failed" ? "error" : "reason"}>{why}</td>
        <td>
          <button type="button" class="secondary small" aria-expanded={open} aria-controls={`run-detail-${r.id}`} onClick={() => setOpen(!open)}>
            {open ? "Hide" : "Details"}
          </button>
        </td>
      </tr>
      {open ? (
        <tr class="run-detail" id={`run-detail-${r.id}`}>
          <td colSpan={8}>
            <dl class="facts">
              <dt>Run</dt>
              <dd><code>{r.id}</code></dd>
              {r.idempotencyKey ? (<><dt>Idempotency key</dt><dd><code>{r.idempotencyKey}</code></dd></>) : null}
              {r.coalescedIntoRunId ? (
                <>
                  <dt>Coalesced into</dt>
                  <dd><a href={`#run-${r.coalescedIntoRunId}`}>run {shortId(r.coalescedIntoRunId)}</a></dd>
                </>
              ) : null}
              {r.completedAt ? (<><dt>Ended</dt><dd><Time iso={r.completedAt} /></dd></>) : null}
              {r.linkedIssue ? (<><dt>Issue</dt><dd>{r.linkedIssue.identifier} {r.linkedIssue.title}</dd></>) : null}
            </dl>
            <h4>Payload</h4>
            {r.triggerPayload ? <pre class="payload">{JSON.stringify(r.triggerPayload, null, 2)}</pre> : <p class="muted">None</p>}
            {r.linkedIssue && agent ? <Deliveries run={r} agent={agent} onRetried={onRetried} /> : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** One routine: its description and the comments on it, facts and lifecycle (pause, resume, archive), triggers, Run now, history and runs. */
import { useState } from "preact/hooks";
import { enc, patch, type RestoreResult, type RoutineDetail } from "../api";
import { Badge, ConfirmButton, ErrorBox, Loading, Time } from "../components";
import { ISSUE_STATUSES } from "../enums";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { DescriptionAnnotations } from "./description-annotations";
import { RevisionsPanel } from "./revisions";
import { RunsPanel } from "./runs";
import { RunNow } from "./run-now";
import { NextRun } from "./shared";
import { type Secrets, TriggersPanel } from "./triggers";

export function RoutinePage({ companyId, routineId }: { companyId: string; routineId: string }) {
  const routine = useApi<RoutineDetail>(`/routines/${enc(routineId)}`, { everyMs: 10_000 });
  const [generation, setGeneration] = useState(0);
  const changed = () => {
    void routine.reload();
    setGeneration((g) => g + 1);
  };
  const [secrets, setSecrets] = useState<Secrets>({});
  const rememberSecret = (triggerId: string, secret: string) => setSecrets((s) => ({ ...s, [triggerId]: secret }));
  const r = routine.data;
  if (!r) return routine.error ? <ErrorBox error={routine.error} retry={routine.reload} /> : <Loading what="the routine" />;

  const setStatus = async (status: string, message: string) => {
    await patch(`/routines/${enc(r.id)}`, { status });
    notify(message);
    changed();
  };

  const restored = (res: RestoreResult) => {
    for (const m of res.secretMaterials) rememberSecret(m.triggerId, m.webhookSecret);
    const n = res.secretMaterials.length;
    notify(
      `Restored revision ${res.restoredFromRevisionNumber} as revision ${res.revision.revisionNumber}` +
        (n ? `: ${n === 1 ? "a webhook trigger was" : `${n} webhook triggers were`} re-created with a new URL and secret: copy it now from the trigger above, it is shown only once` : ""),
    );
    changed();
  };

  return (
    <section aria-labelledby="routine-title" class="routine">
      <p class="crumbs">
        <a href={`/c/${companyId}`}>Routines</a> /
      </p>
      <div class="page-head">
        <h2 id="routine-title">
          {r.title} <Badge value={r.status} />
        </h2>
        {r.status === "archived" ? null : (
          <div class="actions">
            <a class="button secondary" href={`/c/${companyId}/routines/${r.id}/edit`}>
              Edit
            </a>
            {r.status === "active" ? (
              <ConfirmButton
                label="Pause"
                title={`Pause ${r.title}?`}
                confirmLabel="Pause routine"
                onConfirm={() => setStatus("paused", `Paused ${r.title}: schedules and webhooks do not fire it`)}
              >
                <p>Its schedules and webhooks stop firing until you resume it (webhook senders get 409). Run now still works.</p>
              </ConfirmButton>
            ) : (
              <ConfirmButton
                label="Resume"
                title={`Resume ${r.title}?`}
                confirmLabel="Resume routine"
                onConfirm={() => setStatus("active", `Resumed ${r.title}`)}
              >
                <p>Schedules continue from now: occurrences missed while it was paused do not fire.</p>
              </ConfirmButton>
            )}
            <ConfirmButton
              label="Archive"
              title={`Archive ${r.title}?`}
              confirmLabel="Archive for good"
              danger
              onConfirm={() => setStatus("archived", `Archived ${r.title}`)}
            >
              <p>
                <strong>This is final.</strong> An archived routine never fires again, by any trigger or by Run now, and cannot be resumed or
                edited. Its runs and issues stay.
              </p>
            </ConfirmButton>
          </div>
        )}
      </div>
      {r.status === "archived" ? <p class="notice">Archived: this routine never fires again. Its history stays below.</p> : null}
      <DescriptionAnnotations routine={r} companyId={companyId} onStale={changed} />
      <dl class="facts">
        <dt>Assignee</dt>
        <dd>{r.assignee ? <a href={`/c/${companyId}/agents/${r.assignee.id}`}>{r.assignee.name}</a> : "—"}</dd>
        <dt>Project</dt>
        <dd>{r.project?.name ?? "—"}</dd>
        <dt>Priority</dt>
        <dd>{r.priority}</dd>
        <dt>Policies</dt>
        <dd>
          {humanize(r.concurrencyPolicy)}; {humanize(r.catchUpPolicy)}
        </dd>
        <dt>Next run</dt>
        <dd>
          <NextRun status={r.status} triggers={r.triggers} />
        </dd>
        <dt>Last triggered</dt>
        <dd>
          <Time iso={r.lastTriggeredAt} />
        </dd>
        <dt>Active issue</dt>
        <dd>{r.activeIssue ? <IssueStatus issue={r.activeIssue} companyId={companyId} onChange={changed} /> : <span class="muted">none open</span>}</dd>
      </dl>
      <TriggersPanel routine={r} secrets={secrets} onSecret={rememberSecret} onChange={changed} />
      {r.status === "archived" ? null : <RunNow routine={r} onFired={changed} />}
      <RevisionsPanel routine={r} companyId={companyId} onRestored={restored} />
      <RunsPanel routine={r} companyId={companyId} generation={generation} />
    </section>
  );
}

export function IssueStatus(props: {
  issue: { id: string; identifier: string | null; title: string; status: string };
  companyId: string;
  onChange: () => void;
}) {
  const { issue } = props;
  const [error, setError] = useState<unknown>();
  const change = async (status: string) => {
    try {
      await patch(`/issues/${enc(issue.id)}`, { status });
      notify(`${issue.identifier ?? issue.title} is ${humanize(status)}`);
      setError(undefined);
      props.onChange();
    } catch (err) {
      setError(err);
    }
  };
  const id = `issue-status-${issue.id.slice(0, 8)}`;
  return (
    <span class="issue-status">
      <a href={`/c/${props.companyId}/issues?focus=${issue.id}`}>{issue.identifier}</a> {issue.title}{" "}
      <label class="sr-only" for={id}>
        Status of {issue.identifier}
      </label>
      <select id={id} value={issue.status} onChange={(e) => change(e.currentTarget.value)}>
        {ISSUE_STATUSES.map((s) => (
          <option key={s} value={s}>{humanize(s)}</option>
        ))}
      </select>
      <ErrorBox error={error} />
    </span>
  );
}

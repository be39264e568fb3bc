/** One routine: its facts and lifecycle (pause, resume, archive), triggers, Run now, and run history. */
import { useState } from "preact/hooks";
import { enc, patch, post, type RoutineDetail, type RunSummary } from "../api";
import { Badge, ConfirmButton, ErrorBox, Field, Loading, parseJsonObject, Time } from "../components";
import { ISSUE_STATUSES } from "../enums";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { RunsPanel } from "./runs";
import { NextRun } from "./shared";
import { TriggersPanel } from "./triggers";

export function RoutinePage({ companyId, routineId }: { companyId: string; routineId: string }) {
  const routine = useApi<RoutineDetail>(`/routines/${enc(routineId)}`, { everyMs: 10_000 });
  const [generation, setGeneration] = useState(0);
  const changed = () => {
    void routine.reload();
    setGeneration((g) => g + 1);
  };
  const r = routine.data;
  if (!r) return routine.error ? <ErrorBox error={routine.error} retry={routine.reload} /> : <Loading what="the routine" />;

  const setStatus = async (status: string, message: string) => {
    await patch(`/routines/${enc(r.id)}`, { status });
    notify(message);
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
      {r.description ? <p class="description">{r.description}</p> : null}
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
      <TriggersPanel routine={r} onChange={changed} />
      {r.status === "archived" ? null : <RunNow routine={r} onFired={changed} />}
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

function RunNow({ routine, onFired }: { routine: RoutineDetail; onFired: () => void }) {
  const [payload, setPayload] = useState("");
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const parsed = parseJsonObject(payload);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (parsed.error) return;
    setBusy(true);
    try {
      const run = await post<RunSummary>(`/routines/${enc(routine.id)}/run`, {
        source: "manual",
        ...(payload.trim() ? { payload: parsed.value } : {}),
        ...(key.trim() ? { idempotencyKey: key.trim() } : {}),
      });
      notify(`Fired now: run ${humanize(run.status)}`);
      setError(undefined);
      onFired();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form run-now" onSubmit={submit} aria-labelledby="run-now-title">
      <h3 id="run-now-title">Run now</h3>
      <p class="muted">
        Fires it at once through the same path as its triggers ({humanize(routine.concurrencyPolicy)} applies){routine.status === "paused" ? "; a paused routine can still be run by hand" : ""}.
      </p>
      <div class="grid2">
        <Field label="Payload (JSON object, optional)" id="run-payload" error={parsed.error ? `Payload ${parsed.error}` : null} hint="becomes the run's payload and the execution issue's context">
          <textarea
            id="run-payload"
            class="mono"
            rows={4}
            placeholder={'{"context": "quarterly"}'}
            value={payload}
            aria-invalid={parsed.error ? "true" : undefined}
            onInput={(e) => setPayload(e.currentTarget.value)}
          />
        </Field>
        <Field label="Idempotency key (optional)" id="run-key" hint="the same key returns the same run instead of firing again">
          <input id="run-key" maxLength={255} value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="submit" disabled={busy || Boolean(parsed.error)}>
          Run now
        </button>
      </div>
    </form>
  );
}

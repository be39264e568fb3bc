/** One trigger: what it is and when it fires next (schedule preview), its webhook panel, and enable/disable, edit, delete. */
import { useState } from "preact/hooks";
import { type CronPreview, del, enc, patch, type RoutineDetail, type Trigger, type TriggerWithSecret } from "../api";
import { Badge, ConfirmButton, ErrorBox, Time } from "../components";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { Occurrences } from "./schedule-editor";
import { EditTrigger } from "./trigger-forms";
import { WebhookPanel } from "./webhook-panel";

export function TriggerCard(props: {
  trigger: Trigger;
  routine: RoutineDetail;
  secret?: string;
  onRotated: (res: TriggerWithSecret) => void;
  onChange: () => void;
}) {
  const { trigger: t, routine } = props;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>();
  const name = t.label || `${t.kind} trigger`;
  const archived = routine.status === "archived";
  const toggle = async () => {
    try {
      await patch(`/routine-triggers/${enc(t.id)}`, { enabled: !t.enabled });
      notify(`${name} ${t.enabled ? "disabled: it does not fire" : "enabled"}`);
      props.onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <article class="card trigger" aria-label={`Trigger ${name}`}>
      <div class="page-head">
        <h4>{name}</h4>
        <span class="badges">
          <Badge value={t.kind} />
          <Badge value={t.enabled ? "enabled" : "disabled"} />
        </span>
      </div>
      {editing ? (
        <EditTrigger
          trigger={t}
          onDone={(changed) => {
            setEditing(false);
            if (changed) props.onChange();
          }}
        />
      ) : (
        <>
          <dl class="facts">
            {t.kind === "schedule" ? (
              <>
                <dt>Schedule</dt>
                <dd>
                  <code>{t.cronExpression}</code> in {t.timezone}
                </dd>
                <dt>Next run</dt>
                <dd>
                  <ScheduleNext trigger={t} routine={routine} />
                </dd>
              </>
            ) : null}
            {t.kind === "webhook" ? (
              <>
                <dt>Signing</dt>
                <dd>
                  {t.signingMode} <span class="muted">(replay window {t.replayWindowSec} s)</span>
                </dd>
              </>
            ) : null}
            <dt>Last fired</dt>
            <dd>
              <Time iso={t.lastFiredAt} /> {t.lastResult ? <span class="muted">· {humanize(t.lastResult)}</span> : null}
            </dd>
            {t.kind === "webhook" && t.lastRefusal ? (
              <>
                <dt>Last refused</dt>
                <dd class="warning">
                  {t.lastRefusal} · <Time iso={t.lastRefusedAt} />
                </dd>
              </>
            ) : null}
          </dl>
          {t.kind === "schedule" && t.enabled && routine.status === "active" ? <SchedulePreview trigger={t} /> : null}
          {t.kind === "webhook" ? <WebhookPanel trigger={t} secret={props.secret} onRotated={props.onRotated} archived={archived} /> : null}
          {t.kind === "api" ? (
            <p class="muted">
              Fires with <code>POST /api/routines/{routine.id}/run</code> and <code>{`{"triggerId":"${t.id}","source":"api"}`}</code>,
              authenticated with an agent key or board token.
            </p>
          ) : null}
        </>
      )}
      <ErrorBox error={error} />
      {archived || editing ? null : (
        <div class="actions">
          <button type="button" class="secondary" onClick={toggle}>
            {t.enabled ? "Disable" : "Enable"}
          </button>
          <button type="button" class="secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
          <ConfirmButton
            label="Delete"
            title={`Delete ${name}?`}
            confirmLabel="Delete trigger"
            danger
            onConfirm={async () => {
              await del(`/routine-triggers/${enc(t.id)}`);
              notify(`Deleted ${name}`);
              props.onChange();
            }}
          >
            <p>
              It stops firing at once{t.kind === "webhook" ? " and its URL answers 404" : ""}. Its past runs stay in the history.
            </p>
          </ConfirmButton>
        </div>
      )}
    </article>
  );
}

function ScheduleNext({ trigger: t, routine }: { trigger: Trigger; routine: RoutineDetail }) {
  const reason = !t.enabled ? "trigger disabled" : routine.status !== "active" ? `routine ${routine.status}` : undefined;
  if (reason) return <span class="muted no-next">None ({reason}): it does not fire</span>;
  return <Time iso={t.nextRunAt} />;
}

function SchedulePreview({ trigger }: { trigger: Trigger }) {
  const p = useApi<CronPreview>(`/routine-triggers/${enc(trigger.id)}/preview?count=10`);
  if (p.error) return <ErrorBox error={p.error} retry={p.reload} />;
  if (!p.data) return <p class="muted">Loading the next occurrences…</p>;
  return <Occurrences preview={p.data} heading={`Next ${p.data.occurrences.length} occurrences in ${trigger.timezone}`} />;
}

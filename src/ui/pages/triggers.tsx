/** A routine's triggers: add, edit, enable/disable, delete; schedule preview; the webhook panel. */
import { useState } from "preact/hooks";
import { type CronPreview, del, enc, patch, post, type RoutineDetail, type Trigger, type TriggerWithSecret } from "../api";
import { Badge, CodeBlock, ConfirmButton, CopyButton, ErrorBox, Field, Time } from "../components";
import { SIGNING_MODES } from "../enums";
import { browserZone, humanize } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { recipe } from "../recipes";
import { Occurrences, ScheduleEditor } from "./schedule-editor";

const MODE_HINTS: Record<string, string> = {
  bearer: "the sender sends Authorization: Bearer <secret>",
  hmac_sha256: "HMAC-SHA256 of timestamp and body (Paperclip compatible)",
  github_hmac: "GitHub's X-Hub-Signature-256: paste the URL and secret into GitHub",
  standard_webhooks: "Standard Webhooks (Svix, Clerk, Resend…)",
};

/** Secrets just shown by create or rotate, by trigger id: kept only in this page's memory. */
type Secrets = Record<string, string>;

export function TriggersPanel({ routine, onChange }: { routine: RoutineDetail; onChange: () => void }) {
  const [secrets, setSecrets] = useState<Secrets>({});
  const [adding, setAdding] = useState(false);
  const archived = routine.status === "archived";
  const remember = (res: TriggerWithSecret) => {
    if (res.secretMaterial) setSecrets((s) => ({ ...s, [res.trigger.id]: res.secretMaterial!.webhookSecret }));
  };
  return (
    <section aria-labelledby="triggers-title">
      <div class="page-head">
        <h3 id="triggers-title">Triggers</h3>
        {archived || adding ? null : (
          <button type="button" onClick={() => setAdding(true)}>
            Add trigger
          </button>
        )}
      </div>
      {adding ? (
        <NewTrigger
          routineId={routine.id}
          onDone={(res) => {
            setAdding(false);
            if (res) {
              remember(res);
              onChange();
            }
          }}
        />
      ) : null}
      {routine.triggers.length === 0 && !adding ? (
        <div class="empty">
          <p>
            No triggers: this routine runs only when you press Run now. Add a <strong>schedule</strong> (cron), a <strong>webhook</strong>{" "}
            (a URL other systems POST to) or an <strong>api</strong> trigger.
          </p>
        </div>
      ) : null}
      <div class="trigger-cards">
        {routine.triggers.map((t) => (
          <TriggerCard
            key={t.id}
            trigger={t}
            routine={routine}
            secret={secrets[t.id]}
            onRotated={remember}
            onChange={onChange}
          />
        ))}
      </div>
    </section>
  );
}

function NewTrigger({ routineId, onDone }: { routineId: string; onDone: (res?: TriggerWithSecret) => void }) {
  const [kind, setKind] = useState("schedule");
  const [label, setLabel] = useState("");
  const [cron, setCron] = useState("0 9 * * 1");
  const [zone, setZone] = useState(browserZone());
  const [valid, setValid] = useState(false);
  const [mode, setMode] = useState("hmac_sha256");
  const [replay, setReplay] = useState("300");
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const base = { kind, ...(label.trim() ? { label: label.trim() } : {}) };
    const body =
      kind === "schedule"
        ? { ...base, cronExpression: cron, timezone: zone }
        : kind === "webhook"
          ? { ...base, signingMode: mode, replayWindowSec: Number(replay) }
          : base;
    try {
      const res = await post<TriggerWithSecret>(`/routines/${enc(routineId)}/triggers`, body);
      notify(res.secretMaterial ? "Webhook trigger added: copy its secret now, it is shown only once" : "Trigger added");
      onDone(res);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-label="New trigger">
      <h4>New trigger</h4>
      <div class="grid2">
        <Field label="Kind" id="t-kind">
          <select id="t-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="schedule">schedule (cron)</option>
            <option value="webhook">webhook (signed URL)</option>
            <option value="api">api (POST …/run with a key)</option>
          </select>
        </Field>
        <Field label="Label" id="t-label">
          <input id="t-label" maxLength={120} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
      </div>
      {kind === "schedule" ? (
        <ScheduleEditor
          idPrefix="t"
          cron={cron}
          zone={zone}
          onChange={(c, z, v) => {
            setCron(c);
            setZone(z);
            setValid(v);
          }}
        />
      ) : null}
      {kind === "webhook" ? (
        <div class="grid2">
          <Field label="Signing mode" id="t-mode" hint={MODE_HINTS[mode]}>
            <select id="t-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
              {SIGNING_MODES.map((m) => (
                <option key={m} value={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Replay window (seconds)" id="t-replay" hint="requests signed further from now than this are refused">
            <input id="t-replay" type="number" min={30} max={86400} value={replay} onInput={(e) => setReplay(e.currentTarget.value)} />
          </Field>
        </div>
      ) : null}
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone()}>
          Cancel
        </button>
        <button type="submit" disabled={kind === "schedule" && !valid}>
          Add {kind} trigger
        </button>
      </div>
    </form>
  );
}

function TriggerCard(props: {
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

function WebhookPanel(props: { trigger: Trigger; secret?: string; archived: boolean; onRotated: (r: TriggerWithSecret) => void }) {
  const { trigger: t, secret, onRotated } = props;
  const [mode, setMode] = useState(t.signingMode ?? "bearer");
  const url = t.webhookUrl ?? "";
  const r = recipe(t.signingMode ?? "bearer", url, secret);
  return (
    <div class="webhook">
      <div class="copy-row">
        <span class="label">URL</span>
        <code class="url">{url}</code>
        <CopyButton text={url} label="Copy webhook URL" />
      </div>
      {secret ? (
        <div class="secret" role="group" aria-label="Webhook secret">
          <p>
            <strong>Secret — shown only now.</strong> Copy it into the sender's secret store; routined cannot show it again.
          </p>
          <div class="copy-row">
            <code class="url" data-testid="webhook-secret">{secret}</code>
            <CopyButton text={secret} label="Copy webhook secret" />
          </div>
        </div>
      ) : (
        <p class="muted">The secret was shown when the trigger was created or last rotated{t.lastRotatedAt ? <> (<Time iso={t.lastRotatedAt} />)</> : null}; rotate it to get a new one.</p>
      )}
      <details>
        <summary>How to call it ({t.signingMode})</summary>
        <CodeBlock label="curl recipe" code={r.shell} />
        <CodeBlock label="Node recipe" code={r.node} />
      </details>
      {props.archived ? null : (
      <div class="actions">
        <ConfirmButton
          label="Rotate secret"
          title="Rotate the webhook secret?"
          confirmLabel="Rotate now"
          danger
          onConfirm={async () => {
            const res = await post<TriggerWithSecret>(
              `/routine-triggers/${enc(t.id)}/rotate-secret`,
              mode === t.signingMode ? {} : { signingMode: mode },
            );
            notify("Secret rotated: copy the new one now, it is shown only once");
            onRotated(res);
          }}
        >
          <p>The current secret is refused from the moment you confirm: update the sender right after. The URL stays the same.</p>
          <Field label="Signing mode after rotation" id={`rot-${t.id}`} hint={MODE_HINTS[mode]}>
            <select id={`rot-${t.id}`} value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)}>
              {SIGNING_MODES.map((m) => (
                <option key={m} value={m}>{m}</option>
              ))}
            </select>
          </Field>
        </ConfirmButton>
      </div>
      )}
    </div>
  );
}

function EditTrigger({ trigger: t, onDone }: { trigger: Trigger; onDone: (changed: boolean) => void }) {
  const [label, setLabel] = useState(t.label ?? "");
  const [cron, setCron] = useState(t.cronExpression ?? "");
  const [zone, setZone] = useState(t.timezone ?? "UTC");
  const [valid, setValid] = useState(true);
  const [mode, setMode] = useState(t.signingMode ?? "bearer");
  const [replay, setReplay] = useState(String(t.replayWindowSec ?? 300));
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { label: label.trim() || null };
    if (t.kind === "schedule") Object.assign(body, { cronExpression: cron, timezone: zone });
    if (t.kind === "webhook") {
      body.replayWindowSec = Number(replay);
      if (mode !== t.signingMode) body.signingMode = mode;
    }
    try {
      await patch(`/routine-triggers/${enc(t.id)}`, body);
      notify("Trigger saved");
      onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  const id = `e-${t.id.slice(0, 8)}`;
  return (
    <form class="form" onSubmit={submit} aria-label="Edit trigger">
      <Field label="Label" id={`${id}-label`}>
        <input id={`${id}-label`} maxLength={120} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
      </Field>
      {t.kind === "schedule" ? (
        <ScheduleEditor
          idPrefix={id}
          cron={cron}
          zone={zone}
          onChange={(c, z, v) => {
            setCron(c);
            setZone(z);
            setValid(v);
          }}
        />
      ) : null}
      {t.kind === "webhook" ? (
        <div class="grid2">
          <Field
            label="Signing mode"
            id={`${id}-mode`}
            hint={
              (mode === "standard_webhooks") !== (t.signingMode === "standard_webhooks")
                ? "standard_webhooks uses another secret format: switch with Rotate secret instead"
                : MODE_HINTS[mode]
            }
          >
            <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)}>
              {SIGNING_MODES.map((m) => (
                <option key={m} value={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Replay window (seconds)" id={`${id}-replay`}>
            <input id={`${id}-replay`} type="number" min={30} max={86400} value={replay} onInput={(e) => setReplay(e.currentTarget.value)} />
          </Field>
        </div>
      ) : null}
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" disabled={t.kind === "schedule" && !valid}>
          Save trigger
        </button>
      </div>
    </form>
  );
}

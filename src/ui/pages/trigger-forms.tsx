/** The add-trigger and edit-trigger forms (their kind-specific fields are in `trigger-fields.tsx`). */
import { useState } from "preact/hooks";
import { enc, patch, post, type Trigger, type TriggerWithSecret } from "../api";
import { ErrorBox, Field } from "../components";
import { browserZone } from "../format";
import { notify } from "../notice";
import { KindFieldsEditor, kindBody, useKindFields } from "./trigger-fields";

export function NewTrigger({ routineId, onDone }: { routineId: string; onDone: (res?: TriggerWithSecret) => void }) {
  const [kind, setKind] = useState("schedule");
  const [label, setLabel] = useState("");
  const [fields, setFields] = useKindFields({ cron: "0 9 * * 1", zone: browserZone(), valid: false, mode: "hmac_sha256", replay: "300" });
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { kind, ...(label.trim() ? { label: label.trim() } : {}), ...kindBody(kind, fields) };
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
      <KindFieldsEditor kind={kind} idPrefix="t" fields={fields} onChange={setFields} />
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone()}>
          Cancel
        </button>
        <button type="submit" disabled={kind === "schedule" && !fields.valid}>
          Add {kind} trigger
        </button>
      </div>
    </form>
  );
}

export function EditTrigger({ trigger: t, onDone }: { trigger: Trigger; onDone: (changed: boolean) => void }) {
  const [label, setLabel] = useState(t.label ?? "");
  const [fields, setFields] = useKindFields({
    cron: t.cronExpression ?? "",
    zone: t.timezone ?? "UTC",
    valid: true,
    mode: t.signingMode ?? "bearer",
    replay: String(t.replayWindowSec ?? 300),
  });
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await patch(`/routine-triggers/${enc(t.id)}`, { label: label.trim() || null, ...kindBody(t.kind, fields, t) });
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
      <KindFieldsEditor kind={t.kind} idPrefix={id} fields={fields} onChange={setFields} was={t} />
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" disabled={t.kind === "schedule" && !fields.valid}>
          Save trigger
        </button>
      </div>
    </form>
  );
}

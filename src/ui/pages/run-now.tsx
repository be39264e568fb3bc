/** Run now: fire a routine by hand with a JSON payload, its variables' values and an idempotency key. */
import { useEffect, useState } from "preact/hooks";
import { enc, post, type RoutineDetail, type RunSummary } from "../api";
import { ErrorBox, Field, parseJsonObject } from "../components";
import { humanize } from "../format";
import { notify } from "../notice";
import { initialValues, runValues, valueErrors } from "../variables";
import { VariableInputs } from "./variable-inputs";

export function RunNow({ routine, onFired }: { routine: RoutineDetail; onFired: () => void }) {
  const [payload, setPayload] = useState("");
  const [key, setKey] = useState("");
  const variablesKey = JSON.stringify(routine.variables);
  const [values, setValues] = useState(() => initialValues(routine.variables));
  useEffect(() => setValues(initialValues(routine.variables)), [variablesKey]);
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
        ...(routine.variables.length ? { variables: runValues(routine.variables, values) } : {}),
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
      <VariableInputs
        variables={routine.variables}
        values={values}
        errors={valueErrors(error)}
        onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
      />
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

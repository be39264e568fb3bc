/** Run now's inputs for a routine's variables: one per variable, typed, defaults prefilled, required marked, errors in place. */
import { Field } from "../components";
import type { Variable } from "../variables";

export function VariableInputs(props: {
  variables: Variable[];
  values: Record<string, string>;
  errors: Record<string, string>;
  onChange: (name: string, value: string) => void;
}) {
  if (props.variables.length === 0) return null;
  return (
    <fieldset class="variables">
      <legend>Variables</legend>
      <div class="grid2">
        {props.variables.map((v) => (
          <VariableInput key={v.name} variable={v} value={props.values[v.name] ?? ""} error={props.errors[v.name]} onChange={(value) => props.onChange(v.name, value)} />
        ))}
      </div>
    </fieldset>
  );
}

function VariableInput({ variable: v, value, error, onChange }: { variable: Variable; value: string; error?: string; onChange: (v: string) => void }) {
  const id = `run-var-${v.name}`;
  const label = `${v.label || v.name}${v.required ? " (required)" : ""}`;
  const hint = (
    <>
      <code>{`{{${v.name}}}`}</code>
      {v.defaultValue != null ? <> · default {String(v.defaultValue)}</> : null}
    </>
  );
  const set = (e: Event) => onChange((e.currentTarget as HTMLInputElement).value);
  const common = { id, required: v.required, "aria-required": v.required, "aria-invalid": error ? ("true" as const) : undefined };
  let input;
  if (v.type === "boolean") {
    input = <input {...common} required={false} type="checkbox" checked={value === "true"} onChange={(e) => onChange(String(e.currentTarget.checked))} />;
  } else if (v.type === "select") {
    input = (
      <select {...common} value={value} onChange={set}>
        <option value="">{v.required ? "Choose…" : "(none)"}</option>
        {v.options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    );
  } else if (v.type === "textarea") {
    input = <textarea {...common} rows={3} value={value} onInput={set} />;
  } else if (v.type === "number") {
    input = <input {...common} type="number" step="any" value={value} onInput={set} />;
  } else if (v.type === "date") {
    input = <input {...common} type="date" value={value} onInput={set} />;
  } else {
    input = <input {...common} value={value} onInput={set} />;
  }
  return (
    <Field label={label} id={id} hint={hint} error={error ?? null}>
      {input}
    </Field>
  );
}

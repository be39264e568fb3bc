/**
 * The routine form's variables: a definition per `{{name}}` of the title and description (name, label,
 * type, default, required, options for a select), with the server's validation errors in place.
 */
import { BUILTIN_VARIABLE_NAMES, extractVariableNames } from "../../domain/routine-variables";
import { Field } from "../components";
import { VARIABLE_TYPES } from "../enums";
import { blankVariable, optionsOf, type VariableDraft, type VariableType } from "../variables";

/** The placeholders of the templates that are variables (the built-ins `date` and `timestamp` aside). */
export const placeholdersOf = (templates: string[]) => extractVariableNames(templates).filter((n) => !BUILTIN_VARIABLE_NAMES.has(n));

export function VariablesEditor(props: {
  drafts: VariableDraft[];
  /** The names used as `{{name}}` in the title and description. */
  placeholders: string[];
  errors: Record<string, string>;
  onChange: (drafts: VariableDraft[]) => void;
}) {
  const { drafts, placeholders, errors, onChange } = props;
  const defined = new Set(drafts.map((d) => d.name.trim()));
  const undefinedNames = placeholders.filter((n) => !defined.has(n));
  const update = (i: number, change: Partial<VariableDraft>) => onChange(drafts.map((d, j) => (j === i ? { ...d, ...change } : d)));
  return (
    <fieldset class="variables">
      <legend>Variables</legend>
      <p class="hint">
        Write <code>{"{{name}}"}</code> in the title or description and define it here: Run now asks for its value, schedules and webhooks use its default.{" "}
        <code>{"{{date}}"}</code> and <code>{"{{timestamp}}"}</code> are built in. A variable the title and description do not use is dropped on save.
      </p>
      {undefinedNames.length ? (
        <p class="actions">
          {undefinedNames.map((name) => (
            <button key={name} type="button" class="secondary small" onClick={() => onChange([...drafts, blankVariable(name)])}>
              Define {`{{${name}}}`}
            </button>
          ))}
        </p>
      ) : null}
      {drafts.map((d, i) => (
        <VariableRow
          key={i}
          index={i}
          draft={d}
          unused={Boolean(d.name.trim()) && !placeholders.includes(d.name.trim())}
          errors={errors}
          onChange={(change) => update(i, change)}
          onRemove={() => onChange(drafts.filter((_, j) => j !== i))}
        />
      ))}
      <button type="button" class="secondary" onClick={() => onChange([...drafts, blankVariable()])}>
        Add variable
      </button>
    </fieldset>
  );
}

function VariableRow(props: {
  index: number;
  draft: VariableDraft;
  unused: boolean;
  errors: Record<string, string>;
  onChange: (change: Partial<VariableDraft>) => void;
  onRemove: () => void;
}) {
  const { index: i, draft: d, errors, onChange } = props;
  const id = `var-${i}`;
  const err = (field: string) => errors[`${i}.${field}`] ?? null;
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <div class="card variable" role="group" aria-label={`Variable ${i + 1}`}>
      <div class="grid2">
        <Field
          label="Name"
          id={`${id}-name`}
          error={err("name")}
          hint={props.unused ? <span class="warning">Not used: write {`{{${d.name.trim()}}}`} in the title or description, or it is dropped</span> : undefined}
        >
          <input id={`${id}-name`} required pattern="[A-Za-z][A-Za-z0-9_]*" value={d.name} onInput={(e) => onChange({ name: value(e) })} />
        </Field>
        <Field label="Label" id={`${id}-label`} error={err("label")} hint="what Run now shows (default: the name)">
          <input id={`${id}-label`} maxLength={120} value={d.label} onInput={(e) => onChange({ label: value(e) })} />
        </Field>
        <Field label="Type" id={`${id}-type`} error={err("type")}>
          <select id={`${id}-type`} value={d.type} onChange={(e) => onChange({ type: value(e) as VariableType, defaultValue: "" })}>
            {VARIABLE_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </Field>
        {d.type === "select" ? (
          <Field label="Options" id={`${id}-options`} error={err("options")} hint="comma-separated or one per line">
            <textarea id={`${id}-options`} rows={2} value={d.options} onInput={(e) => onChange({ options: value(e) })} />
          </Field>
        ) : null}
        <Field label="Default" id={`${id}-default`} error={err("defaultValue")} hint="used when no value is given">
          <DefaultInput id={`${id}-default`} draft={d} onChange={(defaultValue) => onChange({ defaultValue })} />
        </Field>
      </div>
      <div class="actions">
        <label class="check">
          <input type="checkbox" checked={d.required} onChange={(e) => onChange({ required: e.currentTarget.checked })} /> Required
        </label>
        <button type="button" class="secondary small" onClick={props.onRemove}>
          Remove variable
        </button>
      </div>
    </div>
  );
}

function DefaultInput({ id, draft: d, onChange }: { id: string; draft: VariableDraft; onChange: (v: string) => void }) {
  const set = (e: Event) => onChange((e.currentTarget as HTMLInputElement).value);
  if (d.type === "boolean" || d.type === "select") {
    const choices = d.type === "boolean" ? ["true", "false"] : optionsOf(d.options);
    return (
      <select id={id} value={d.defaultValue} onChange={set}>
        <option value="">(none)</option>
        {choices.map((c) => (
          <option key={c} value={c}>{c}</option>
        ))}
        {d.defaultValue && !choices.includes(d.defaultValue) ? <option value={d.defaultValue}>{d.defaultValue}</option> : null}
      </select>
    );
  }
  if (d.type === "textarea") return <textarea id={id} rows={2} value={d.defaultValue} onInput={set} />;
  if (d.type === "number") return <input id={id} type="number" step="any" value={d.defaultValue} onInput={set} />;
  if (d.type === "date") return <input id={id} type="date" value={d.defaultValue} onInput={set} />;
  return <input id={id} value={d.defaultValue} onInput={set} />;
}

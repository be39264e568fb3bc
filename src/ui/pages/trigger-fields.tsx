/**
 * The kind-specific fields of a trigger form, shared by the add and edit forms: the schedule editor
 * (cron, zone, live validation) and the webhook's signing mode and replay window, and the body
 * they send.
 */
import { useState } from "preact/hooks";
import type { Trigger } from "../api";
import { Field } from "../components";
import { SIGNING_MODES } from "../enums";
import { ScheduleEditor } from "./schedule-editor";

export type SigningMode = (typeof SIGNING_MODES)[number];

export const MODE_HINTS: Record<string, string> = {
  bearer: "the sender sends Authorization: Bearer <secret>",
  hmac_sha256: "HMAC-SHA256 of timestamp and body (Paperclip compatible)",
  github_hmac: "GitHub's X-Hub-Signature-256: paste the URL and secret into GitHub",
  standard_webhooks: "Standard Webhooks (Svix, Clerk, Resend…)",
};

export interface KindFields {
  cron: string;
  zone: string;
  /** The schedule editor's verdict on cron and zone. */
  valid: boolean;
  mode: SigningMode;
  replay: string;
}

/** The fields' state, starting from `initial`. */
export function useKindFields(initial: KindFields) {
  const [fields, setFields] = useState(initial);
  return [fields, (change: Partial<KindFields>) => setFields((f) => ({ ...f, ...change }))] as const;
}

/** What the fields of `kind` add to a create or update body; `was` (editing) sends the signing mode only when it changed. */
export function kindBody(kind: string, f: KindFields, was?: Trigger): Record<string, unknown> {
  if (kind === "schedule") return { cronExpression: f.cron, timezone: f.zone };
  if (kind === "webhook") {
    return { replayWindowSec: Number(f.replay), ...(was && f.mode === was.signingMode ? {} : { signingMode: f.mode }) };
  }
  return {};
}

/** The mode select: the same options and hints wherever a signing mode is chosen. */
export function SigningModeField(props: { id: string; label: string; mode: SigningMode; onChange: (m: SigningMode) => void; hint?: string }) {
  return (
    <Field label={props.label} id={props.id} hint={props.hint ?? MODE_HINTS[props.mode]}>
      <select id={props.id} value={props.mode} onChange={(e) => props.onChange(e.currentTarget.value as SigningMode)}>
        {SIGNING_MODES.map((m) => (
          <option key={m} value={m}>{m}</option>
        ))}
      </select>
    </Field>
  );
}

export function KindFieldsEditor(props: {
  kind: string;
  idPrefix: string;
  fields: KindFields;
  onChange: (change: Partial<KindFields>) => void;
  /** When editing: the trigger as saved (switching to or from standard_webhooks needs a rotation). */
  was?: Trigger;
}) {
  const { kind, idPrefix: id, fields: f, onChange, was } = props;
  if (kind === "schedule") {
    return <ScheduleEditor idPrefix={id} cron={f.cron} zone={f.zone} onChange={(cron, zone, valid) => onChange({ cron, zone, valid })} />;
  }
  if (kind !== "webhook") return null;
  const formatChange = was && (f.mode === "standard_webhooks") !== (was.signingMode === "standard_webhooks");
  return (
    <div class="grid2">
      <SigningModeField
        id={`${id}-mode`}
        label="Signing mode"
        mode={f.mode}
        onChange={(mode) => onChange({ mode })}
        hint={formatChange ? "standard_webhooks uses another secret format: switch with Rotate secret instead" : undefined}
      />
      <Field label="Replay window (seconds)" id={`${id}-replay`} hint="requests signed further from now than this are refused">
        <input id={`${id}-replay`} type="number" min={30} max={86400} value={f.replay} onInput={(e) => onChange({ replay: e.currentTarget.value })} />
      </Field>
    </div>
  );
}

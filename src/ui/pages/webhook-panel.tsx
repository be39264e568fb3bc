/**
 * A webhook trigger's panel: its URL with a copy button, the secret shown once (at creation or
 * rotation) with a copy button, ready-to-paste curl and Node recipes for its signing mode, and
 * rotation behind a confirmation.
 */
import { useState } from "preact/hooks";
import { enc, post, type Trigger, type TriggerWithSecret } from "../api";
import { CodeBlock, ConfirmButton, CopyButton, Time } from "../components";
import { notify } from "../notice";
import { recipe } from "../recipes";
import { SigningModeField } from "./trigger-fields";

export function WebhookPanel(props: { trigger: Trigger; secret?: string; archived: boolean; onRotated: (r: TriggerWithSecret) => void }) {
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
            <SigningModeField id={`rot-${t.id}`} label="Signing mode after rotation" mode={mode} onChange={setMode} />
          </ConfirmButton>
        </div>
      )}
    </div>
  );
}

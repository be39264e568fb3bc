/** Small pieces every page uses: badges, times, errors in place, confirmations, copy buttons. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { AuthRequired, describeError, Unreachable } from "./api";
import { absolute, humanize, relative } from "./format";
import { useTick } from "./hooks";

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge badge-${value}`}>{label ?? humanize(value)}</span>;
}

/** An instant: local time with its zone, and how far from now. */
export function Time({ iso, withRelative = true }: { iso: string | null | undefined; withRelative?: boolean }) {
  useTick(withRelative ? 15_000 : 3_600_000);
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {absolute(iso)}
      {withRelative ? <span class="relative"> ({relative(iso)})</span> : null}
    </time>
  );
}

/** A failed request, in place, with a retry. Offline and sign-in are shown once for the whole page. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  if (!error) return null;
  const quiet = error instanceof Unreachable || error instanceof AuthRequired;
  return (
    <div class={quiet ? "error-box quiet" : "error-box"} role="alert">
      <span>{quiet ? "Could not load this: " : ""}{describeError(error)}</span>
      {retry ? (
        <button type="button" class="secondary" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted loading">Loading {what}…</p>;
}

/** An empty list: what it means and what to do next. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** A button that asks first, in a modal dialog (Escape or Cancel closes it). */
export function ConfirmButton(props: {
  label: string;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  class?: string;
  disabled?: boolean;
  onConfirm: () => Promise<unknown> | void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const open = () => {
    setError(undefined);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={props.class ?? (props.danger ? "danger" : "secondary")} onClick={open} disabled={props.disabled}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.title}>
        <h3>{props.title}</h3>
        <div>{props.children}</div>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" class={props.danger ? "danger" : ""} onClick={confirm} disabled={busy}>
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** Copies `text` to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<"" | "copied" | "failed">("");
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(""), 2500);
    return () => clearTimeout(t);
  }, [done]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("copied");
    } catch {
      setDone("failed");
    }
  };
  return (
    <button type="button" class="secondary copy" onClick={copy} aria-label={label}>
      {done === "copied" ? "Copied" : done === "failed" ? "Select and copy" : "Copy"}
    </button>
  );
}

/** A labelled block of code with a copy button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <figure class="code" aria-label={label}>
      <figcaption>
        <span>{label}</span> <CopyButton text={code} label={`Copy ${label}`} />
      </figcaption>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}

/** A form field: label above, hint and error below, wired with ids for screen readers. */
export function Field(props: { label: string; id: string; hint?: ComponentChildren; error?: string | null; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <div class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      {props.error ? (
        <div class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** Parses a JSON object typed by a person: the value, or why not. */
export function parseJsonObject(text: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return { value: {} };
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { error: "must be a JSON object ({ … })" };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` };
  }
}

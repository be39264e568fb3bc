/** One comment thread on a routine's description: the passage, whether it is still there, the comments, a reply, resolve/reopen. */
import { useState } from "preact/hooks";
import { type AnnotationComment, type AnnotationThreadWithComments, enc, patch, post } from "../api";
import { Badge, ErrorBox, Field, Time } from "../components";
import { shortId } from "../format";
import { notify } from "../notice";

/** A passage as a name: its first words. */
export const passageName = (text: string) => (text.length > 60 ? `${text.slice(0, 57).trimEnd()}…` : text);

/** Who wrote a comment: the board, an agent by name, or routined itself. */
export function authorOf(c: AnnotationComment, agentNames: Map<string, string>): string {
  if (c.authorType === "agent") return c.authorAgentId ? (agentNames.get(c.authorAgentId) ?? `agent ${shortId(c.authorAgentId)}`) : "an agent";
  if (c.authorType === "user") return c.authorUserId ?? "board";
  return "routined";
}

const ANCHOR_NOTES: Record<string, string | undefined> = {
  stale: "The passage changed since: it may not say this any more.",
  orphaned: "The passage was removed from the description.",
};

export function AnnotationThread(props: { routineId: string; thread: AnnotationThreadWithComments; agentNames: Map<string, string>; onChange: () => Promise<void> }) {
  const { thread: t } = props;
  const [reply, setReply] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const path = `/routines/${enc(props.routineId)}/description/annotations/${enc(t.id)}`;
  const name = passageName(t.selectedText);
  const act = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true);
    try {
      await action();
      notify(message);
      setError(undefined);
      await props.onChange();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const send = async (e: Event) => {
    e.preventDefault();
    if (await act(() => post(`${path}/comments`, { body: reply }), `Replied on “${name}”`)) setReply("");
  };
  const setStatus = (status: "open" | "resolved") =>
    act(() => patch(path, { status }), status === "resolved" ? `Resolved the comments on “${name}”` : `Reopened the comments on “${name}”`);
  const note = ANCHOR_NOTES[t.anchorState];
  const replyId = `reply-${shortId(t.id)}`;
  return (
    <article class={`card thread ${t.status}`} aria-label={`Comments on “${name}”`}>
      <blockquote class="passage">{t.selectedText}</blockquote>
      {note ? <p class={`warning anchor-${t.anchorState}`}>{note}</p> : null}
      {t.status === "resolved" ? (
        <p class="muted">
          <Badge value="resolved" /> <Time iso={t.resolvedAt} />
        </p>
      ) : null}
      <ol class="comments" aria-label="Comments">
        {t.comments.map((c) => (
          <li key={c.id}>
            <div class="comment-head">
              <strong>{authorOf(c, props.agentNames)}</strong> <Time iso={c.createdAt} />
            </div>
            <div class="comment-body">{c.body}</div>
          </li>
        ))}
      </ol>
      <form class="form reply" onSubmit={send} aria-label={`Reply on “${name}”`}>
        <Field label="Reply" id={replyId}>
          <textarea id={replyId} rows={2} required maxLength={20_000} value={reply} onInput={(e) => setReply(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" disabled={busy || !reply.trim()}>
            Reply
          </button>
          {t.status === "open" ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => setStatus("resolved")}>
              Resolve
            </button>
          ) : (
            <button type="button" class="secondary" disabled={busy} onClick={() => setStatus("open")}>
              Reopen
            </button>
          )}
        </div>
      </form>
    </article>
  );
}

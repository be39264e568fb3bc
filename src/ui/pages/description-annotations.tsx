/**
 * A routine's description with its comment threads (Paperclip's description annotations): select a passage, comment
 * on it; the threads, open by default (resolved or all on request, kept in the URL), each answered, resolved, reopened.
 */
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type Agent, ApiError, type AnnotationThreadWithComments, enc, post, query, type RoutineDetail } from "../api";
import { type Selection, selectorFor } from "../anchors";
import { Empty, ErrorBox, Field, Loading } from "../components";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { navigate, useLocation, withQuery } from "../router";
import { AnnotationThread, passageName } from "./annotation-thread";

/** A selection in the description, with the text it was made in. */
type Passage = Selection & { body: string };

/** The current selection when it lies inside `ref`'s element, else null; follows the selection as it changes. */
function useSelectionIn(ref: RefObject<HTMLElement | null>, body: string): Passage | null {
  const [passage, setPassage] = useState<Passage | null>(null);
  useEffect(() => {
    const update = () => {
      const el = ref.current;
      const sel = document.getSelection();
      const range = sel && sel.rangeCount && !sel.isCollapsed ? sel.getRangeAt(0) : null;
      if (!el || !range || !el.contains(range.startContainer) || !el.contains(range.endContainer) || !range.toString().trim()) {
        setPassage(null);
        return;
      }
      // the element shows the markdown as text: the characters before the selection are its offset in the markdown
      const before = document.createRange();
      before.selectNodeContents(el);
      before.setEnd(range.startContainer, range.startOffset);
      const text = range.toString();
      const start = before.toString().length;
      setPassage({ text, at: { start, end: start + text.length }, body });
    };
    document.addEventListener("selectionchange", update);
    return () => document.removeEventListener("selectionchange", update);
  }, [body]);
  return passage;
}

const SHOW = [
  ["open", "Open"],
  ["resolved", "Resolved"],
  ["all", "All"],
] as const;

export function DescriptionAnnotations({ routine, companyId, onStale }: { routine: RoutineDetail; companyId: string; onStale: () => void }) {
  const doc = routine.descriptionDocument;
  const description = routine.description ?? "";
  const loc = useLocation();
  const show = SHOW.find(([v]) => v === loc.query.get("comments"))?.[0] ?? "open";
  const threads = useApi<AnnotationThreadWithComments[]>(
    doc ? `/routines/${enc(routine.id)}/description/annotations${query({ status: show, includeComments: "true" })}` : null,
    { everyMs: 10_000 },
  );
  const needAgents = threads.data?.some((t) => t.comments.some((c) => c.authorAgentId)) ?? false;
  const agents = useApi<Agent[]>(needAgents ? `/companies/${enc(companyId)}/agents` : null);
  const agentNames = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);
  const revision = doc?.latestRevisionId;
  const seen = useRef(revision);
  useEffect(() => {
    // the description changed: threads moved with their passage, or lost it
    if (seen.current !== revision) void threads.reload();
    seen.current = revision;
  }, [revision]);

  const textRef = useRef<HTMLParagraphElement>(null);
  const selected = useSelectionIn(textRef, doc?.body ?? description);
  const [drafting, setDrafting] = useState<Passage | null>(null);

  const list = threads.data;
  // without a description there is nothing to select: the section only for threads left from an earlier one
  if (!description && (!doc || (show === "open" && !list?.length))) return null;
  return (
    <>
      {description ? (
        <p class="description" id="routine-description" ref={textRef}>
          {description}
        </p>
      ) : null}
      {doc && description && !drafting ? (
        <div class="actions annotate">
          <button type="button" class="secondary" disabled={!selected} aria-describedby="annotate-hint" onClick={() => setDrafting(selected)}>
            Comment on selection
          </button>
          <span class="hint" id="annotate-hint">
            Select a passage of the description to comment on it.
          </span>
        </div>
      ) : null}
      {drafting && doc ? (
        <NewThread
          routine={routine}
          passage={drafting}
          onClose={() => setDrafting(null)}
          onCreated={async () => {
            setDrafting(null);
            if (show === "resolved") navigate(withQuery(loc, { comments: undefined }), { replace: true });
            await threads.reload();
          }}
          onStale={onStale}
        />
      ) : null}
      {doc ? (
        <section aria-labelledby="annotations-title" class="annotations">
          <div class="page-head">
            <h3 id="annotations-title">Comments on the description</h3>
            <div class="filters compact">
              <div class="field">
                <label for="annotations-show">Show</label>
                <select
                  id="annotations-show"
                  value={show}
                  onChange={(e) => navigate(withQuery(loc, { comments: e.currentTarget.value === "open" ? undefined : e.currentTarget.value }), { replace: true })}
                >
                  {SHOW.map(([v, label]) => (
                    <option key={v} value={v}>{label}</option>
                  ))}
                </select>
              </div>
            </div>
          </div>
          <ErrorBox error={threads.error} retry={threads.reload} />
          {!list ? (
            threads.error ? null : <Loading what="comments" />
          ) : list.length === 0 ? (
            <Empty>
              <p>
                {show === "open"
                  ? "No open comments. Select a passage of the description, then Comment on selection."
                  : show === "resolved"
                    ? "No resolved comments."
                    : "No comments yet. Select a passage of the description, then Comment on selection."}
              </p>
            </Empty>
          ) : (
            <div class="threads">
              {list.map((t) => (
                <AnnotationThread key={t.id} routineId={routine.id} thread={t} agentNames={agentNames} onChange={threads.reload} />
              ))}
            </div>
          )}
        </section>
      ) : null}
    </>
  );
}

/** The first comment on a selected passage, anchored to the description's latest revision. */
function NewThread(props: { routine: RoutineDetail; passage: Passage; onClose: () => void; onCreated: () => Promise<void>; onStale: () => void }) {
  const { routine, passage } = props;
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // the passage as the thread will quote it: its text without markdown syntax
  const shown = useMemo(() => selectorFor(passage.body, passage)?.quote.exact ?? passage.text.trim(), [passage]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const doc = routine.descriptionDocument;
    if (!doc?.latestRevisionId) return;
    // where the passage was selected tells which occurrence it is, as long as the text is the same
    const selector = selectorFor(doc.body, doc.body === passage.body ? passage : { text: passage.text });
    if (!selector) {
      setError(new Error("The selected passage is not in the description any more: select it again."));
      return;
    }
    setBusy(true);
    try {
      await post(`/routines/${enc(routine.id)}/description/annotations`, {
        baseRevisionId: doc.latestRevisionId,
        baseRevisionNumber: doc.latestRevisionNumber,
        selector,
        body,
      });
      notify(`Commented on “${passageName(selector.quote.exact)}”`);
      await props.onCreated();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        props.onStale();
        setError(new Error("The description changed since this page loaded it. It is reloaded now: check the passage, then comment again."));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form new-thread" onSubmit={submit} aria-label="New comment on the description">
      <blockquote class="passage">{shown}</blockquote>
      <Field label="Comment" id="annotation-body">
        <textarea id="annotation-body" rows={3} required maxLength={20_000} autoFocus value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="submit" disabled={busy || !body.trim()}>
          Comment
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

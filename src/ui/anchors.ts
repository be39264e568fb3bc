/**
 * From a passage selected in the description to the selector the server anchors a comment thread to, made with
 * Paperclip's own functions (`@paperclipai/shared/document-anchors`, pure, no imports) over the markdown's text
 * projection, so the server verifies exactly what is computed here.
 */
import {
  createDocumentAnchorSelector,
  projectMarkdownToText,
  resolveProjectionRange,
} from "@paperclipai/shared/document-anchors";
import type { DocumentAnnotationAnchorSelector, DocumentTextProjection } from "@paperclipai/shared/types/document-annotation";

export type AnchorSelector = DocumentAnnotationAnchorSelector;

/** What a person selected: its text, and where it is in the markdown when the page can tell. */
export interface Selection {
  text: string;
  /** Offsets into the markdown source (the description is shown as its source text). */
  at?: { start: number; end: number };
}

/** Every start of `quote` in `text`. */
function occurrences(text: string, quote: string): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) starts.push(i);
  return starts;
}

/** How many characters of the markdown range [start, end) of projected text [from, to) share with `at`. */
function overlap(projection: DocumentTextProjection, from: number, to: number, at: { start: number; end: number }): number {
  const start = projection.positions[from]?.sourceStart ?? 0;
  const end = projection.positions[to - 1]?.sourceEnd ?? 0;
  return Math.max(0, Math.min(end, at.end) - Math.max(start, at.start));
}

/** The projected range [from, to) covering the markdown range `at`, or null when it holds no text. */
function rangeOfSource(projection: DocumentTextProjection, at: { start: number; end: number }): [number, number] | null {
  let from = projection.positions.findIndex((p) => p.sourceEnd > at.start);
  let to = -1;
  projection.positions.forEach((p, i) => {
    if (p.sourceStart < at.end) to = i + 1;
  });
  if (from === -1 || to <= from) return null;
  while (from < to && projection.text[from] === " ") from++;
  while (to > from && projection.text[to - 1] === " ") to--;
  return to > from ? [from, to] : null;
}

/**
 * The selector for `selection` in `markdown`: the selected text (markdown syntax and whitespace normalised as
 * Paperclip projects it) found in the projection; of several occurrences, the one the selection is in when its
 * offsets say so, else the first. Null when the text is not in the description.
 */
export function selectorFor(markdown: string, selection: Selection): AnchorSelector | null {
  const projection = projectMarkdownToText(markdown);
  const quote = projectMarkdownToText(selection.text).text;
  const at = selection.at;
  let found: [number, number] | null = null;
  if (quote) {
    const starts = occurrences(projection.text, quote);
    const best = at
      ? starts.reduce((a, b) => (overlap(projection, b, b + quote.length, at) > overlap(projection, a, a + quote.length, at) ? b : a), starts[0] ?? -1)
      : (starts[0] ?? -1);
    if (best !== -1) found = [best, best + quote.length];
  }
  // a selection that starts or ends inside markdown syntax (half a link, say) projects differently: use its place
  if (!found && at) found = rangeOfSource(projection, at);
  if (!found) return null;
  const range = resolveProjectionRange(projection, found[0], found[1]);
  return range ? createDocumentAnchorSelector(projection, range) : null;
}

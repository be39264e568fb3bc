/** Annotation threads and comments as the API shows them (Paperclip's `DocumentAnnotationThread` and `…Comment`). */
import type { Anchor } from "../domain/description-anchor";
import type { AnnotationCommentRow, AnnotationThreadRow } from "../store/repos/annotations";

/** The anchor a thread holds now. */
export function anchorOf(t: AnnotationThreadRow): Anchor {
  return {
    selectedText: t.selectedText,
    prefixText: t.prefixText,
    suffixText: t.suffixText,
    normalizedStart: t.normalizedStart,
    normalizedEnd: t.normalizedEnd,
    markdownStart: t.markdownStart,
    markdownEnd: t.markdownEnd,
  };
}

/** The thread columns that hold `anchor`. */
export const anchorColumns = (anchor: Anchor) => ({
  selectedText: anchor.selectedText,
  prefixText: anchor.prefixText,
  suffixText: anchor.suffixText,
  normalizedStart: anchor.normalizedStart,
  normalizedEnd: anchor.normalizedEnd,
  markdownStart: anchor.markdownStart,
  markdownEnd: anchor.markdownEnd,
});

export const presentThread = (t: AnnotationThreadRow) => ({ ...t, issueId: null, caseId: null });

export const presentComment = (c: AnnotationCommentRow) => ({
  ...c,
  issueId: null,
  caseId: null,
  issueCommentId: null,
});

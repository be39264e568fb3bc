/**
 * Where an annotation sits in a routine's description. The anchor algorithm is Paperclip's own
 * (`@paperclipai/shared/document-anchors`, MIT, pure, no dependencies): its UI makes a selector from its projection
 * of the markdown, and the server must verify and move it with exactly the same projection, so it is used as is.
 */
import {
  type RemapDocumentAnchorResult,
  anchorSnapshotToSelector,
  remapDocumentAnchor,
  verifyDocumentAnchorSelector,
} from "@paperclipai/shared/document-anchors";
import type { DocumentAnnotationAnchorSelector, DocumentAnnotationAnchorSnapshot } from "@paperclipai/shared/types/document-annotation";

export type AnchorSelector = DocumentAnnotationAnchorSelector;
export type Anchor = DocumentAnnotationAnchorSnapshot;

/** The anchor `selector` names in `markdown`, or why it names none (`quote_mismatch`, `position_mismatch`, `invalid_range`). */
export function verifyAnchor(markdown: string, selector: AnchorSelector): { anchor: Anchor } | { reason: string } {
  const result = verifyDocumentAnchorSelector({ markdown, selector });
  return result.ok && result.anchor ? { anchor: result.anchor } : { reason: result.reason };
}

/** Where a passage anchored in one text is in the next one (`orphaned` when it is gone), with the selector to keep. */
export function moveAnchor(
  previous: Anchor,
  previousSelector: AnchorSelector,
  nextMarkdown: string,
): { state: RemapDocumentAnchorResult["anchorState"]; confidence: RemapDocumentAnchorResult["confidence"]; anchor: Anchor | null; selector: AnchorSelector } {
  const remap = remapDocumentAnchor({ previousAnchor: previous, nextMarkdown });
  return {
    state: remap.anchorState,
    confidence: remap.confidence,
    anchor: remap.anchor,
    selector: remap.anchor ? anchorSnapshotToSelector(remap.anchor) : previousSelector,
  };
}

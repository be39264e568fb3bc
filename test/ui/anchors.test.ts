/** The dashboard's selection → selector, checked with the verification the server runs (Paperclip's own). */
import { verifyDocumentAnchorSelector } from "@paperclipai/shared/document-anchors";
import { describe, expect, it } from "vitest";
import { selectorFor } from "../../src/ui/anchors";

const MARKDOWN = "# Weekly briefing\n\nSummarise **revenue** and the open incidents.\n\n- Post it in #board by noon.\n- Post it in the wiki.";

/** The selector is accepted by the server's check against the same markdown. */
function verified(markdown: string, selector: ReturnType<typeof selectorFor>) {
  expect(selector).not.toBeNull();
  const result = verifyDocumentAnchorSelector({ markdown, selector: selector! });
  expect(result.reason).toBe("verified");
  return selector!;
}

describe("a selection in the description", () => {
  it("is found in the text without its markdown syntax or line breaks", () => {
    const s = verified(MARKDOWN, selectorFor(MARKDOWN, { text: "**revenue** and the open\n incidents." }));
    expect(s.quote.exact).toBe("revenue and the open incidents.");
    expect(s.quote.prefix).toBe("Weekly briefing Summarise ");
    expect(MARKDOWN.slice(s.position.markdownStart, s.position.markdownEnd)).toBe("revenue** and the open incidents.");
  });

  it("spans blocks: the heading, the paragraph, a list item", () => {
    const s = verified(MARKDOWN, selectorFor(MARKDOWN, { text: "briefing\n\nSummarise" }));
    expect(s.quote.exact).toBe("briefing Summarise");
  });

  it("takes the occurrence the selection is in, else the first", () => {
    const second = MARKDOWN.lastIndexOf("Post it");
    const s = verified(MARKDOWN, selectorFor(MARKDOWN, { text: "Post it", at: { start: second, end: second + 7 } }));
    expect(s.position.markdownStart).toBe(second);
    expect(s.quote.suffix).toBe(" in the wiki.");
    const first = verified(MARKDOWN, selectorFor(MARKDOWN, { text: "Post it" }));
    expect(first.position.markdownStart).toBe(MARKDOWN.indexOf("Post it"));
  });

  it("falls back to its place when it cuts through markdown syntax", () => {
    const markdown = "See [the runbook](https://example.com/runbook) first.";
    const start = markdown.indexOf("runbook]");
    const s = verified(markdown, selectorFor(markdown, { text: "runbook](https://exa", at: { start, end: start + 20 } }));
    expect(s.quote.exact).toBe("runbook");
  });

  it("is nothing when the text is not in the description", () => {
    expect(selectorFor(MARKDOWN, { text: "quarterly" })).toBeNull();
    expect(selectorFor(MARKDOWN, { text: "  \n " })).toBeNull();
  });
});

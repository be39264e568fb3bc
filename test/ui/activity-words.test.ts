/** The dashboard's activity log in words, pure. */
import { describe, expect, it } from "vitest";
import { actionWords, detailsText } from "../../src/ui/activity-words";

describe("an activity entry in words", () => {
  it("says what the action did, with the revision, the source or the trigger's kind", () => {
    expect(actionWords({ action: "routine.revision_restored", details: { restoredFromRevisionNumber: 2, revisionId: "x" } })).toBe("restored revision 2");
    expect(actionWords({ action: "routine.revision_created", details: { revisionNumber: 5 } })).toBe("recorded revision 5");
    expect(actionWords({ action: "routine.run_triggered", details: { source: "webhook" } })).toBe("fired a run (webhook)");
    expect(actionWords({ action: "routine.trigger_deleted", details: { kind: "webhook" } })).toBe("deleted a webhook trigger");
    expect(actionWords({ action: "issue.created", details: null })).toBe("opened an issue");
    expect(actionWords({ action: "routine.something_new", details: null })).toBe("something new");
  });

  it("keeps the details people read: the summary, a status change, fields; not ids", () => {
    expect(
      detailsText({
        action: "routine.revision_created",
        details: { revisionId: "6f1c2a51-0d6f-4c4e-9d53-8f0b3c1d2e4f", revisionNumber: 3, changeSummary: "Updated routine", triggerCount: 1 },
      }),
    ).toBe("“Updated routine” · trigger count: 1");
    expect(detailsText({ action: "issue.updated", details: { identifier: "AR-1", fields: ["status"], status: "done", previousStatus: "in_progress" } })).toBe(
      "status: done (was in progress) · fields: status",
    );
    expect(detailsText({ action: "routine.updated", details: { title: "x".repeat(100) } })).toBe(`title: ${"x".repeat(77)}…`);
    expect(detailsText({ action: "routine.created", details: null })).toBe("");
  });
});

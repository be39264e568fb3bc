/** The dashboard's "what differs from the current one" line of a routine revision, pure. */
import { describe, expect, it } from "vitest";
import { describeDiff, revisionDiff } from "../../src/ui/revision-diff";

const routine = { id: "r1", companyId: "c1", title: "Briefing", description: "Weekly", assigneeAgentId: "a1", priority: "medium", variables: [], env: null };
const schedule = { id: "t1", kind: "schedule", label: "Mondays", enabled: true, cronExpression: "0 9 * * 1", timezone: "UTC" };
const webhook = { id: "t2", kind: "webhook", label: "Deploys", enabled: true, signingMode: "bearer" };
const api = { id: "t3", kind: "api", label: null, enabled: true };

describe("what an earlier revision differs in from the current one", () => {
  it("names the fields whose value differs, in words, whatever the order of the snapshot's keys", () => {
    const earlier = { version: 1, routine, triggers: [schedule] };
    const current = {
      version: 1,
      routine: { priority: "high", env: null, variables: [], assigneeAgentId: "a2", description: "Weekly", title: "Briefing v2", companyId: "c1", id: "r1" },
      triggers: [{ ...schedule }],
    };
    const d = revisionDiff(earlier, current);
    expect(d).toEqual({ fields: ["title", "assignee", "priority"], deletedSince: [], addedSince: [], changed: [] });
    expect(describeDiff(d)).toBe("title, assignee, priority");
  });

  it("names the triggers deleted, added and changed since", () => {
    const earlier = { version: 1, routine, triggers: [schedule, webhook] };
    const current = { version: 1, routine, triggers: [{ ...schedule, cronExpression: "0 9 * * 1-5" }, api] };
    expect(describeDiff(revisionDiff(earlier, current))).toBe(
      "webhook trigger “Deploys” deleted since; api trigger added since; schedule trigger “Mondays” changed since",
    );
  });

  it("does not count a webhook's new URL (a restore re-creates a deleted webhook with a new one) as a change", () => {
    const earlier = { version: 1, routine, triggers: [{ ...webhook, publicId: "aaa" }] };
    const current = { version: 1, routine, triggers: [{ ...webhook, publicId: "bbb" }] };
    expect(describeDiff(revisionDiff(earlier, current))).toBe("nothing: the same as the current one");
  });

  it("says so when nothing differs, and reads a snapshot it does not know without failing", () => {
    expect(describeDiff(revisionDiff({ version: 1, routine, triggers: [] }, { version: 1, routine, triggers: [] }))).toBe(
      "nothing: the same as the current one",
    );
    expect(revisionDiff({}, { routine: { title: "x" }, triggers: "?" })).toEqual({ fields: ["title"], deletedSince: [], addedSince: [], changed: [] });
  });
});

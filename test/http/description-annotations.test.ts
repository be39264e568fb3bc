/**
 * Annotation threads on a routine's description, as Paperclip's UI makes them: a selector built with Paperclip's own
 * anchor functions (`@paperclipai/shared`) against the description document's latest revision, bodies its own
 * schemas accept, and the threads following their passage when the description is edited.
 */
import { describe, expect, it } from "vitest";
import {
  createDocumentAnchorSelector,
  projectMarkdownToText,
  resolveProjectionRange,
} from "@paperclipai/shared/document-anchors";
import {
  createDocumentAnnotationCommentSchema,
  createDocumentAnnotationThreadSchema,
  updateDocumentAnnotationThreadSchema,
} from "@paperclipai/shared/validators/document-annotation";
import { seededApp } from "../helpers/app";

const s = seededApp();

const DESCRIPTION = "# Weekly briefing\n\nSummarise **revenue** and the open incidents.\n\nPost it in #board by noon.";

async function routineWith(description: string, assigneeAgentId = s.w.agent.id) {
  const r = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, {
    body: { title: "Briefing", description, assigneeAgentId, projectId: s.w.project.id },
  });
  expect(r.status).toBe(201);
  return (await s.t.request("GET", `/api/routines/${r.body.id}`)).body;
}

/** The selector Paperclip's UI sends for the first occurrence of `passage` in the document's text. */
function selectorFor(markdown: string, passage: string) {
  const projection = projectMarkdownToText(markdown);
  const start = projection.text.indexOf(passage);
  expect(start, `"${passage}" is in the text`).toBeGreaterThanOrEqual(0);
  return createDocumentAnchorSelector(projection, resolveProjectionRange(projection, start, start + passage.length)!);
}

/** A body Paperclip's schema accepts (what its client sends), checked first. */
function paperclip<T>(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, body: T): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`Paperclip refuses ${JSON.stringify(body)}: ${String(parsed.error)}`);
  return body;
}

const annotations = (routineId: string) => `/api/routines/${routineId}/description/annotations`;

async function annotate(routine: any, passage: string, body = "Which revenue: booked or billed?", token?: string) {
  const doc = routine.descriptionDocument;
  return s.t.request("POST", annotations(routine.id), {
    token,
    body: paperclip(createDocumentAnnotationThreadSchema, {
      baseRevisionId: doc.latestRevisionId,
      baseRevisionNumber: doc.latestRevisionNumber,
      selector: selectorFor(doc.body, passage),
      body,
    }),
  });
}

describe("the description document", () => {
  it("is created with the routine at revision 1, and gets a revision when (and only when) the description changes", async () => {
    const routine = await routineWith(DESCRIPTION);
    expect(routine.descriptionDocument).toMatchObject({
      routineId: routine.id,
      companyId: s.w.company.id,
      key: "description",
      title: "Routine description",
      format: "markdown",
      body: DESCRIPTION,
      latestRevisionNumber: 1,
      createdByUserId: "board",
    });
    expect(routine.descriptionDocument.latestRevisionId).toMatch(/^[0-9a-f-]{36}$/);
    await s.t.request("PATCH", `/api/routines/${routine.id}`, { body: { title: "Renamed" } });
    expect((await s.t.request("GET", `/api/routines/${routine.id}`)).body.descriptionDocument.latestRevisionNumber).toBe(1);
    await s.t.request("PATCH", `/api/routines/${routine.id}`, { body: { description: "Shorter." } });
    const after = (await s.t.request("GET", `/api/routines/${routine.id}`)).body.descriptionDocument;
    expect(after).toMatchObject({ body: "Shorter.", latestRevisionNumber: 2 });
    expect(after.latestRevisionId).not.toBe(routine.descriptionDocument.latestRevisionId);
  });

  it("holds an empty body for a routine without a description", async () => {
    const r = await s.t.request("POST", `/api/companies/${s.w.company.id}/routines`, { body: { title: "Bare" } });
    const routine = (await s.t.request("GET", `/api/routines/${r.body.id}`)).body;
    expect(routine.descriptionDocument).toMatchObject({ body: "", latestRevisionNumber: 1 });
  });
});

describe("annotation threads", () => {
  it("annotates a passage, lists, answers, resolves and reopens it, as Paperclip does", async () => {
    const routine = await routineWith(DESCRIPTION);
    const created = await annotate(routine, "revenue and the open incidents");
    expect(created.status).toBe(201);
    const thread = created.body;
    expect(thread).toMatchObject({
      routineId: routine.id,
      issueId: null,
      companyId: s.w.company.id,
      documentId: routine.descriptionDocument.id,
      documentKey: "description",
      status: "open",
      anchorState: "active",
      anchorConfidence: "exact",
      originalRevisionNumber: 1,
      currentRevisionNumber: 1,
      currentRevisionId: routine.descriptionDocument.latestRevisionId,
      selectedText: "revenue and the open incidents",
      createdByUserId: "board",
      resolvedAt: null,
    });
    // offsets in the markdown source: the bold markers are inside the passage's source range
    expect(DESCRIPTION.slice(thread.markdownStart, thread.markdownEnd)).toBe("revenue** and the open incidents");
    expect(thread.comments).toHaveLength(1);
    expect(thread.comments[0]).toMatchObject({ body: "Which revenue: booked or billed?", authorType: "user", authorUserId: "board", threadId: thread.id });

    const listed = await s.t.request("GET", annotations(routine.id));
    expect(listed.status).toBe(200);
    expect(listed.body.map((t: any) => t.id)).toEqual([thread.id]);
    expect(listed.body[0]).not.toHaveProperty("comments");

    // a literal "\n" from a shell is a line break, as in Paperclip
    const reply = await s.t.request("POST", `${annotations(routine.id)}/${thread.id}/comments`, {
      token: s.w.agent.key,
      body: paperclip(createDocumentAnnotationCommentSchema, { body: "Booked.\\nBilled lags a month." }),
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ body: "Booked.\nBilled lags a month.", authorType: "agent", authorAgentId: s.w.agent.id, authorUserId: null });
    const withComments = (await s.t.request("GET", `${annotations(routine.id)}?includeComments=true`)).body;
    expect(withComments[0].comments.map((c: any) => c.authorType)).toEqual(["user", "agent"]);
    const one = await s.t.request("GET", `${annotations(routine.id)}/${thread.id}`);
    expect(one.status).toBe(200);
    expect(one.body.comments).toHaveLength(2);

    const resolved = await s.t.request("PATCH", `${annotations(routine.id)}/${thread.id}`, {
      body: paperclip(updateDocumentAnnotationThreadSchema, { status: "resolved" }),
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: "resolved", resolvedByUserId: "board" });
    expect(Date.parse(resolved.body.resolvedAt)).not.toBeNaN();
    expect((await s.t.request("GET", annotations(routine.id))).body).toEqual([]);
    expect((await s.t.request("GET", `${annotations(routine.id)}?status=resolved`)).body.map((t: any) => t.id)).toEqual([thread.id]);
    expect((await s.t.request("GET", `${annotations(routine.id)}?status=all`)).body).toHaveLength(1);
    // as Paperclip: an unknown status lists the open ones
    expect((await s.t.request("GET", `${annotations(routine.id)}?status=bogus`)).body).toEqual([]);

    const reopened = await s.t.request("PATCH", `${annotations(routine.id)}/${thread.id}`, { body: { status: "open" } });
    expect(reopened.body).toMatchObject({ status: "open", resolvedAt: null, resolvedByUserId: null });

    const activity = (await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?entityId=${routine.id}`)).body;
    expect(activity.map((a: any) => a.action).filter((a: string) => a.includes("annotation"))).toEqual([
      "routine.document_annotation_thread_reopened",
      "routine.document_annotation_thread_resolved",
      "routine.document_annotation_comment_added",
      "routine.document_annotation_thread_created",
    ]);
    const createdEntry = activity.find((a: any) => a.action === "routine.document_annotation_thread_created");
    expect(createdEntry.details).toMatchObject({ threadId: thread.id, quote: "revenue and the open incidents", revisionNumber: 1 });
  });

  it("refuses a thread made against an older revision (409, with the current one) or a passage the text does not have (422)", async () => {
    const routine = await routineWith(DESCRIPTION);
    await s.t.request("PATCH", `/api/routines/${routine.id}`, { body: { description: `${DESCRIPTION}\n\nAlso: churn.` } });
    const stale = await annotate(routine, "open incidents");
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe("Annotation anchor requires the current document revision");
    const current = (await s.t.request("GET", `/api/routines/${routine.id}`)).body.descriptionDocument;
    expect(stale.body.details).toEqual({ currentRevisionId: current.latestRevisionId, currentRevisionNumber: 2 });

    const selector = selectorFor(current.body, "open incidents");
    const wrongQuote = await s.t.request("POST", annotations(routine.id), {
      body: {
        baseRevisionId: current.latestRevisionId,
        baseRevisionNumber: 2,
        selector: { ...selector, quote: { ...selector.quote, exact: "closed incidents" } },
        body: "?",
      },
    });
    expect(wrongQuote.status).toBe(422);
    expect(wrongQuote.body).toEqual({ error: "Annotation anchor does not match the current document revision", details: { reason: "quote_mismatch" } });
    const outOfRange = await s.t.request("POST", annotations(routine.id), {
      body: {
        baseRevisionId: current.latestRevisionId,
        baseRevisionNumber: 2,
        selector: { ...selector, position: { normalizedStart: 5000, normalizedEnd: 5010, markdownStart: 5000, markdownEnd: 5010 } },
        body: "?",
      },
    });
    expect(outOfRange.status).toBe(422);
    expect(outOfRange.body.details).toEqual({ reason: "invalid_range" });
    expect((await s.t.request("GET", `${annotations(routine.id)}?status=all`)).body).toEqual([]);
  });

  it("moves open threads with their passage when the description is edited, and orphans one whose passage is gone", async () => {
    const routine = await routineWith(DESCRIPTION);
    const moving = (await annotate(routine, "open incidents")).body;
    const doomed = (await annotate(routine, "by noon")).body;
    const parked = (await annotate(routine, "Weekly briefing")).body;
    await s.t.request("PATCH", `${annotations(routine.id)}/${parked.id}`, { body: { status: "resolved" } });

    const edited = "# Weekly briefing\n\nFirst, the churn numbers.\n\nSummarise **revenue** and the open incidents.";
    expect((await s.t.request("PATCH", `/api/routines/${routine.id}`, { body: { description: edited } })).status).toBe(200);
    const doc = (await s.t.request("GET", `/api/routines/${routine.id}`)).body.descriptionDocument;
    expect(doc.latestRevisionNumber).toBe(2);

    const all = (await s.t.request("GET", `${annotations(routine.id)}?status=all`)).body;
    const byId = new Map(all.map((t: any) => [t.id, t]));
    const moved = byId.get(moving.id) as any;
    expect(moved).toMatchObject({ anchorState: "active", anchorConfidence: "exact", selectedText: "open incidents", currentRevisionNumber: 2, currentRevisionId: doc.latestRevisionId, originalRevisionNumber: 1 });
    expect(edited.slice(moved.markdownStart, moved.markdownEnd)).toBe("open incidents");
    expect(moved.normalizedStart).toBeGreaterThan(moving.normalizedStart);
    expect(byId.get(doomed.id)).toMatchObject({ anchorState: "orphaned", anchorConfidence: "missing", selectedText: "by noon", currentRevisionNumber: 2 });
    // a resolved thread stays where it was made
    expect(byId.get(parked.id)).toMatchObject({ status: "resolved", currentRevisionNumber: 1 });
    // a moved thread can be annotated again from the new revision: its selector names the passage there
    const again = await s.t.request("POST", annotations(routine.id), {
      body: { baseRevisionId: doc.latestRevisionId, baseRevisionNumber: 2, selector: moved.anchorSelector, body: "Still unclear." },
    });
    expect(again.status).toBe(201);

    const remaps = (await s.t.request("GET", `/api/companies/${s.w.company.id}/activity?action=routine.document_annotation_remapped&entityId=${routine.id}`)).body;
    expect(remaps.map((a: any) => [a.details.threadId, a.details.anchorState]).sort()).toEqual(
      [[moving.id, "active"], [doomed.id, "orphaned"]].sort(),
    );
  });

  it("gives the description a new revision on a restore, and the threads follow it back", async () => {
    const routine = await routineWith(DESCRIPTION);
    const first = routine.latestRevisionId;
    const thread = (await annotate(routine, "open incidents")).body;
    await s.t.request("PATCH", `/api/routines/${routine.id}`, { body: { description: "Nothing about incidents." } });
    const orphaned = (await s.t.request("GET", `${annotations(routine.id)}/${thread.id}`)).body;
    expect(orphaned.anchorState).toBe("orphaned");
    expect((await s.t.request("POST", `/api/routines/${routine.id}/revisions/${first}/restore`)).status).toBe(200);
    const doc = (await s.t.request("GET", `/api/routines/${routine.id}`)).body.descriptionDocument;
    expect(doc).toMatchObject({ body: DESCRIPTION, latestRevisionNumber: 3 });
    const back = (await s.t.request("GET", `${annotations(routine.id)}/${thread.id}`)).body;
    expect(back).toMatchObject({ anchorState: "active", selectedText: "open incidents", currentRevisionNumber: 3 });
  });
});

describe("who may annotate, and bad input", () => {
  it("lets the assigned agent annotate, and refuses another agent (403) and another company's (403)", async () => {
    const routine = await routineWith(DESCRIPTION);
    const mine = await annotate(routine, "open incidents", "Mine to answer.", s.w.agent.key);
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ createdByAgentId: s.w.agent.id, createdByUserId: null });
    for (const token of [s.w.peer.key, s.w.outsider.key]) {
      const refused = await annotate(routine, "open incidents", "Not mine.", token);
      expect(refused.status).toBe(403);
      expect((await s.t.request("GET", annotations(routine.id), { token })).status).toBe(403);
      expect((await s.t.request("PATCH", `${annotations(routine.id)}/${mine.body.id}`, { token, body: { status: "resolved" } })).status).toBe(403);
    }
    expect((await s.t.request("GET", annotations(routine.id))).body).toHaveLength(1);
  });

  it("answers unknown and malformed ids with Paperclip's not-found messages", async () => {
    const routine = await routineWith(DESCRIPTION);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await s.t.request("GET", `${annotations(routine.id)}/${unknown}`)).body).toEqual({ error: "Annotation thread not found" });
    const malformed = await s.t.request("GET", `${annotations(routine.id)}/not-a-uuid`);
    expect(malformed).toMatchObject({ status: 404, body: { error: "Annotation thread not found" } });
    expect((await s.t.request("POST", `${annotations(routine.id)}/${unknown}/comments`, { body: { body: "hi" } })).status).toBe(404);
    expect((await s.t.request("GET", annotations(unknown))).body).toEqual({ error: "Routine not found" });
    // a thread of one routine is not found through another
    const other = await routineWith(DESCRIPTION);
    const thread = (await annotate(routine, "open incidents")).body;
    expect((await s.t.request("GET", `${annotations(other.id)}/${thread.id}`)).status).toBe(404);
  });

  it("refuses bodies Paperclip refuses, with a 400 naming the field, and changes nothing", async () => {
    const routine = await routineWith(DESCRIPTION);
    const doc = routine.descriptionDocument;
    const good = { baseRevisionId: doc.latestRevisionId, baseRevisionNumber: 1, selector: selectorFor(doc.body, "open incidents"), body: "ok" };
    const bad: [string, unknown][] = [
      ["empty body", { ...good, body: "" }],
      ["unknown key", { ...good, severity: "high" }],
      ["end before start", { ...good, selector: { ...good.selector, position: { ...good.selector.position, normalizedEnd: good.selector.position.normalizedStart } } }],
      ["revision zero", { ...good, baseRevisionNumber: 0 }],
      ["missing selector", { baseRevisionId: good.baseRevisionId, baseRevisionNumber: 1, body: "ok" }],
    ];
    for (const [what, body] of bad) {
      expect(createDocumentAnnotationThreadSchema.safeParse(body).success, `Paperclip refuses: ${what}`).toBe(false);
      const res = await s.t.request("POST", annotations(routine.id), { body });
      expect(res.status, what).toBe(400);
      expect(typeof res.body.error, what).toBe("string");
    }
    const thread = (await annotate(routine, "open incidents")).body;
    const patchEmpty = await s.t.request("PATCH", `${annotations(routine.id)}/${thread.id}`, { body: {} });
    expect(patchEmpty.status).toBe(400);
    expect(JSON.stringify(patchEmpty.body)).toContain("At least one field must be provided");
    expect((await s.t.request("PATCH", `${annotations(routine.id)}/${thread.id}`, { body: { status: "closed" } })).status).toBe(400);
    expect((await s.t.request("GET", `${annotations(routine.id)}?status=all`)).body).toHaveLength(1);
  });
});

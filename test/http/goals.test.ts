import { describe, expect, it } from "vitest";
import { seededApp } from "../helpers/app";
import { dbState } from "../helpers/db-state";

const s = seededApp();

async function createGoal(companyId: string, body: Record<string, unknown>) {
  const res = await s.t.request("POST", `/api/companies/${companyId}/goals`, { body });
  if (res.status !== 201) throw new Error(`create goal failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
/** Expects the request to be refused with `status` and a `{ error }` body, and nothing written. */
async function expectRefused(status: number, send: () => Promise<{ status: number; body: any }>) {
  const before = await dbState(s.t.db.store.db);
  const res = await send();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: expect.any(String) });
  expect(await dbState(s.t.db.store.db)).toEqual(before);
  return res.body as { error: string };
}

describe("goal parents", () => {
  it("moves a goal under another goal of the company and back to the top", async () => {
    const top = await createGoal(s.w.company.id, { title: "Grow" });
    const sub = await createGoal(s.w.company.id, { title: "Hire" });
    const moved = await s.t.request("PATCH", `/api/goals/${sub.id}`, { body: { parentId: top.id } });
    expect(moved.status).toBe(200);
    expect(moved.body.parentId).toBe(top.id);
    const detached = await s.t.request("PATCH", `/api/goals/${sub.id}`, { body: { parentId: null } });
    expect(detached.body.parentId).toBeNull();
  });

  it("refuses to make a goal its own parent or ancestor and changes nothing", async () => {
    const top = await createGoal(s.w.company.id, { title: "Revenue" });
    const mid = await createGoal(s.w.company.id, { title: "Sales", parentId: top.id });
    const leaf = await createGoal(s.w.company.id, { title: "Leads", parentId: mid.id });

    const self = await expectRefused(422, () => s.t.request("PATCH", `/api/goals/${top.id}`, { body: { parentId: top.id } }));
    expect(self.error).toMatch(/^parentId: /);

    const child = await expectRefused(422, () => s.t.request("PATCH", `/api/goals/${top.id}`, { body: { parentId: mid.id } }));
    expect(child.error).toBe("parentId: a goal cannot be its own ancestor: Sales is under Revenue");
    const grandchild = await expectRefused(422, () =>
      s.t.request("PATCH", `/api/goals/${top.id}`, { body: { parentId: leaf.id, title: "Renamed" } }),
    );
    expect(grandchild.error).toBe("parentId: a goal cannot be its own ancestor: Leads is under Revenue");
    expect((await s.t.request("GET", `/api/goals/${top.id}`)).body).toMatchObject({ title: "Revenue", parentId: null });
  });

  it("refuses a parent from another company on update", async () => {
    const mine = await createGoal(s.w.company.id, { title: "Mine" });
    const theirs = await createGoal(s.w.otherCompany.id, { title: "Theirs" });
    const res = await expectRefused(422, () => s.t.request("PATCH", `/api/goals/${mine.id}`, { body: { parentId: theirs.id } }));
    expect(res.error).toBe("parentId: goal not found in this company");
  });
});

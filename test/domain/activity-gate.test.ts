import { describe, expect, it } from "vitest";
import { type GateFacts, decideGate } from "../../src/domain/activity-gate";

const t = (iso: string) => new Date(`2026-03-0${iso}Z`);
const base: GateFacts = {
  policy: "require_external_activity",
  scope: "company",
  source: "schedule",
  project: { id: "p", name: "Ops" },
  lastDispatchedAt: t("1T09:00:00"),
  firstOutsideActivityAt: null,
};

describe("the activity gate", () => {
  const cases: [string, Partial<GateFacts>, boolean, string?][] = [
    ["quiet company since the last dispatched run: skipped", {}, false, "Skipped: no activity in the company since 2026-03-01T09:00:00.000Z"],
    ["quiet project: skipped, naming the project", { scope: "project" }, false, "Skipped: no activity in project Ops since 2026-03-01T09:00:00.000Z"],
    ["busy: someone else acted after the last dispatched run", { firstOutsideActivityAt: t("1T10:00:00") }, true],
    ["activity at the very instant of the last run is not after it", { firstOutsideActivityAt: t("1T09:00:00") }, false],
    ["never dispatched: fires (nothing to compare with)", { lastDispatchedAt: null }, true],
    ["policy always: fires", { policy: "always" }, true],
    ["manual runs are not gated", { source: "manual" }, true],
    ["webhooks are not gated", { source: "webhook" }, true],
    ["project scope without a project: skipped, saying why", { scope: "project", project: null, firstOutsideActivityAt: t("2T00:00:00") }, false, "Skipped: activity gate scope is project, but the routine has no project"],
  ];
  it.each(cases)("%s", (_name, facts, fire, reason) => {
    const decision = decideGate({ ...base, ...facts });
    expect(decision.fire).toBe(fire);
    if (reason) expect(decision).toEqual({ fire: false, reason });
  });
});

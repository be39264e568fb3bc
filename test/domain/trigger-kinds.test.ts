/**
 * A stored trigger row narrowed to its kind: the kind's fields with their defaults (UTC, bearer, 300 s), none
 * of another kind's; and back to every kind's fields for the API, null where the kind has none.
 */
import { describe, expect, it } from "vitest";
import { type TriggerColumns, narrowTrigger, triggerColumns } from "../../src/domain/trigger-kinds";

const AT = new Date("2026-12-01T09:00:00Z");

function row(over: Partial<TriggerColumns>): TriggerColumns {
  return {
    id: "00000000-0000-4000-8000-00000000000b",
    companyId: "00000000-0000-4000-8000-000000000001",
    routineId: "00000000-0000-4000-8000-00000000000a",
    kind: "api",
    label: "nightly",
    enabled: true,
    cronExpression: null,
    timezone: null,
    nextRunAt: null,
    lastFiredAt: AT,
    lastResult: "Created execution issue",
    lastRefusedAt: null,
    lastRefusal: null,
    publicId: null,
    secretCiphertext: null,
    signingMode: null,
    replayWindowSec: null,
    lastRotatedAt: null,
    createdByAgentId: null,
    createdByUserId: "board",
    updatedByAgentId: null,
    updatedByUserId: "board",
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

describe("narrowTrigger", () => {
  it("a schedule without a zone runs in UTC", () => {
    const t = narrowTrigger(row({ kind: "schedule", cronExpression: "0 9 * * 1", nextRunAt: AT }));
    expect(t).toMatchObject({ kind: "schedule", cronExpression: "0 9 * * 1", timezone: "UTC", nextRunAt: AT, label: "nightly" });
    expect(t).not.toHaveProperty("signingMode");
  });

  it("a schedule keeps its zone", () => {
    expect(narrowTrigger(row({ kind: "schedule", cronExpression: "0 9 * * 1", timezone: "Europe/Paris" }))).toMatchObject({ timezone: "Europe/Paris" });
  });

  it("a webhook without a signing mode or replay window is a bearer webhook accepting 300 s", () => {
    const t = narrowTrigger(row({ kind: "webhook", publicId: "pub", secretCiphertext: "cipher" }));
    expect(t).toMatchObject({ kind: "webhook", publicId: "pub", secretCiphertext: "cipher", signingMode: "bearer", replayWindowSec: 300 });
    expect(t).not.toHaveProperty("cronExpression");
  });

  it("a webhook keeps its signing mode and window", () => {
    const t = narrowTrigger(row({ kind: "webhook", publicId: "pub", secretCiphertext: "cipher", signingMode: "github_hmac", replayWindowSec: 60 }));
    expect(t).toMatchObject({ signingMode: "github_hmac", replayWindowSec: 60 });
  });

  it("an api trigger has only the common fields", () => {
    expect(Object.keys(narrowTrigger(row({ cronExpression: "stray", publicId: "stray" }))).sort()).toEqual(
      ["companyId", "createdAt", "createdByAgentId", "createdByUserId", "enabled", "id", "kind", "label", "lastFiredAt", "lastResult", "routineId", "updatedAt", "updatedByAgentId", "updatedByUserId"],
    );
  });

  it.each<[string, Partial<TriggerColumns>, string]>([
    ["a schedule without a cron expression", { kind: "schedule" }, "cronExpression"],
    ["a webhook without a public id", { kind: "webhook", secretCiphertext: "cipher" }, "publicId"],
    ["a webhook without a secret", { kind: "webhook", publicId: "pub" }, "secretCiphertext"],
  ])("%s is a damaged row, named as such", (_name, over, column) => {
    expect(() => narrowTrigger(row(over))).toThrow(`without ${column} (changed outside routined): set it, or delete the row, in the database`);
  });
});

describe("triggerColumns", () => {
  it.each<[string, Partial<TriggerColumns>]>([
    ["schedule", { kind: "schedule", cronExpression: "0 9 * * 1", timezone: "UTC", nextRunAt: AT }],
    ["webhook", { kind: "webhook", publicId: "pub", secretCiphertext: "cipher", signingMode: "hmac_sha256", replayWindowSec: 120, lastRotatedAt: AT, lastRefusedAt: AT, lastRefusal: "401 Unauthorized" }],
    ["api", {}],
  ])("gives a %s row back as stored, in the table's column order", (_kind, over) => {
    const stored = row(over);
    const columns = triggerColumns(narrowTrigger(stored));
    expect(columns).toEqual(stored);
    expect(Object.keys(columns)).toEqual(Object.keys(stored));
  });

  it("another kind's fields are null", () => {
    const t = narrowTrigger(row({ kind: "schedule", cronExpression: "0 9 * * 1", publicId: "stray", signingMode: "none" }));
    expect(triggerColumns(t)).toMatchObject({ publicId: null, signingMode: null, secretCiphertext: null, replayWindowSec: null });
  });
});

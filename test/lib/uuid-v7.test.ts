/** Time-ordered UUIDs: version 7 and the RFC variant, the time they were made in their first 48 bits, ever increasing. */
import { describe, expect, it } from "vitest";
import { uuidV7 } from "../../src/lib/uuid-v7";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, "").slice(0, 12), 16);

describe("uuidV7", () => {
  it("is a version 7 UUID of the RFC variant, carrying its time in milliseconds", () => {
    const at = Date.UTC(2026, 11, 2, 5, 0, 0, 123);
    const id = uuidV7(at + 1_000_000); // later than any id made so far in this process
    expect(id).toMatch(UUID);
    expect(msOf(id)).toBe(at + 1_000_000);
  });

  it("increases within a millisecond, past 4,096 ids, and when the clock goes back", () => {
    const at = Date.now() + 2_000_000;
    const ids = [...Array.from({ length: 10_000 }, () => uuidV7(at)), uuidV7(at - 60_000), uuidV7(at - 60_000)];
    expect(ids.every((id) => UUID.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(msOf(ids[0]!)).toBe(at);
  });
});

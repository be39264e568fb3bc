import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/lib/canonical-json";

describe("canonicalJson", () => {
  it("is the same text whatever the order of object keys, at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
  it("keeps the order of arrays, and reads undefined as null", () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson(undefined)).toBe("null");
  });
});

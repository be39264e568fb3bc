/**
 * JSON with every object's keys sorted, so two values compare equal as text whatever their key order (a snapshot
 * read back from jsonb has its keys in jsonb's order, not the order they were written in). `undefined` is "null".
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
    ) ?? "null"
  );
}

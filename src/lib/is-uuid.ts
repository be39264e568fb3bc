const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is written as a UUID (8-4-4-4-12 hex digits, any case): what a uuid column accepts. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** How the CLI prints: human tables by default, JSON with `--json`; errors that say what to do next. */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export type Column<T> = [header: string, value: (row: T) => unknown];

function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A plain text table: a header row, then one row per item, columns padded to their widest cell. */
export function table<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, v]) => cell(v(r)).replace(/\s+/g, " ")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

/** One object as `key  value` lines. */
export function record(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(obj[k])}`).join("\n");
}

export interface Printer {
  json: boolean;
  /** Prints `data` as JSON, or as the human text `human` makes of it. */
  out<T>(data: T, human: (data: T) => string): void;
  /** A note for a person (stderr), never part of the JSON output. */
  note(text: string): void;
}

export function printer(json: boolean): Printer {
  return {
    json,
    out(data, human) {
      process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human(data)}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

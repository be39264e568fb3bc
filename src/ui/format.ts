/** How times, durations and enum values read on the page. */

/** "in 5 min", "3 days ago". */
export function relative(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const text = duration(Math.abs(ms));
  if (Math.abs(ms) < 1000) return "now";
  return ms > 0 ? `in ${text}` : `${text} ago`;
}

/** 2 days 3 hours, 5 min 2 s, 40 s: the two largest units. */
export function duration(ms: number): string {
  const units: [number, string, string][] = [
    [86_400_000, "day", "days"],
    [3_600_000, "hour", "hours"],
    [60_000, "min", "min"],
    [1000, "s", "s"],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [size, one, many] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length > 0 && parts.length < 2)) {
      if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
      rest -= n * size;
    }
    if (parts.length === 2) break;
  }
  return parts.length ? parts.slice(0, 2).join(" ") : `${Math.round(ms)} ms`;
}

const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});

/** "Mon, Dec 7, 2026, 09:00:00 AM GMT+1" in the browser's zone (the zone is always named). */
export const absolute = (iso: string) => absoluteFormat.format(new Date(iso));

/** The same instant in another IANA zone, e.g. a trigger's. */
export function inZone(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "issue_created" → "issue created". */
export const humanize = (value: string | null | undefined) => (value ?? "").replaceAll("_", " ");

export const shortId = (id: string) => id.slice(0, 8);

/** How late a scheduled run fired, or null for runs without a schedule. */
export function lateness(run: { scheduledFor: string | null; triggeredAt: string }): number | null {
  if (!run.scheduledFor) return null;
  return new Date(run.triggeredAt).getTime() - new Date(run.scheduledFor).getTime();
}

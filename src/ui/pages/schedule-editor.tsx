/** Cron expression and zone with live validation: the description and next 10 occurrences (with DST notes) from the server. */
import { useEffect, useState } from "preact/hooks";
import { explainCronError } from "../../domain/cron-errors";
import { isValidTimezone, suggestTimezones } from "../../domain/timezones";
import { type CronPreview, describeError, post } from "../api";
import { Field } from "../components";
import { browserZone } from "../format";

const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return [];
  }
})();

export function Occurrences({ preview, heading }: { preview: CronPreview; heading: string }) {
  return (
    <div class="preview">
      <p>
        {heading} — <em>{preview.description}</em>
      </p>
      <ol>
        {preview.occurrences.map((o) => (
          <li key={o.at}>
            <time dateTime={o.at}>{o.local.replace("T", " ")}</time>
            {o.note ? <span class="note"> — {o.note}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ScheduleEditor(props: {
  idPrefix: string;
  cron: string;
  zone: string;
  onChange: (cron: string, zone: string, valid: boolean) => void;
}) {
  const { cron, zone, idPrefix } = props;
  const [preview, setPreview] = useState<CronPreview>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!cron.trim()) {
      setPreview(undefined);
      setError(undefined);
      return;
    }
    // the server's own checks of the fields and the zone, run here first: instant, and no refused request
    const fieldError = explainCronError(cron.trim());
    const zoneName = zone.trim() || "UTC";
    const zoneError = isValidTimezone(zoneName)
      ? null
      : `Invalid timezone: ${zoneName}${suggestTimezones(zoneName).length ? ` (did you mean ${suggestTimezones(zoneName).join(" or ")}?)` : ""}`;
    if (fieldError || zoneError) {
      setPreview(undefined);
      setError(fieldError ? `Invalid cron expression: ${fieldError}` : zoneError!);
      props.onChange(cron, zone, false);
      return;
    }
    let stale = false;
    const t = setTimeout(async () => {
      try {
        const p = await post<CronPreview>("/cron/preview", { cronExpression: cron, timezone: zone || "UTC", count: 10 });
        if (stale) return;
        setPreview(p);
        setError(undefined);
        props.onChange(cron, zone, true);
      } catch (err) {
        if (stale) return;
        setPreview(undefined);
        setError(describeError(err));
        props.onChange(cron, zone, false);
      }
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [cron, zone]);

  return (
    <div class="schedule-editor">
      <div class="grid2">
        <Field label="Cron expression" id={`${idPrefix}-cron`} hint="minute hour day-of-month month day-of-week, e.g. 0 9 * * 1 (Mondays at 09:00)" error={error}>
          <input
            id={`${idPrefix}-cron`}
            class="mono"
            required
            value={cron}
            aria-invalid={error ? "true" : undefined}
            onInput={(e) => props.onChange(e.currentTarget.value, zone, false)}
          />
        </Field>
        <Field label="Time zone" id={`${idPrefix}-zone`} hint={`IANA name; this browser is in ${browserZone()}`}>
          <input
            id={`${idPrefix}-zone`}
            list={`${idPrefix}-zones`}
            required
            value={zone}
            onInput={(e) => props.onChange(cron, e.currentTarget.value, false)}
          />
          <datalist id={`${idPrefix}-zones`}>
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </Field>
      </div>
      <div aria-live="polite">{preview ? <Occurrences preview={preview} heading={`Next ${preview.occurrences.length} in ${zone || "UTC"}`} /> : null}</div>
    </div>
  );
}

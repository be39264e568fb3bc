/**
 * A routine run's deliveries to its agent, attempt by attempt (time, adapter, outcome, HTTP status or
 * exit code, error; newest first), with a retry for a delivery that failed for good.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { type Agent, api, enc, type HeartbeatAttempt, type HeartbeatRun, post, query, type Run } from "../api";
import { Badge, ErrorBox, Time } from "../components";
import { duration } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";

/** One line of the table: a recorded attempt, or the attempt a pending delivery is waiting on or making. */
interface Line {
  key: string;
  delivery: HeartbeatRun;
  /** 1 for the first delivery of the run, 2 for its first retry… */
  deliveryNumber: number;
  attempt: number;
  at: string | null;
  tookMs: number | null;
  adapter: string;
  status: string;
  code: number | null;
  error: string | null;
}

const PENDING = new Set(["queued", "running", "scheduled_retry"]);

/** The recorded attempts of each delivery, refetched only when a delivery has moved on. */
function useAttempts(deliveries: HeartbeatRun[] | undefined) {
  const cache = useRef(new Map<string, { version: string; attempts: HeartbeatAttempt[] }>());
  const [state, setState] = useState<{ byId: Map<string, HeartbeatAttempt[]>; error?: unknown }>({ byId: new Map() });
  const [again, setAgain] = useState(0);
  useEffect(() => {
    if (!deliveries) return;
    let live = true;
    void (async () => {
      try {
        await Promise.all(
          deliveries.map(async (d) => {
            const version = `${d.status}:${d.attempt}:${d.updatedAt}`;
            if (cache.current.get(d.id)?.version === version) return;
            const attempts = await api<HeartbeatAttempt[]>(`/heartbeat-runs/${enc(d.id)}/attempts${query({ limit: 200 })}`);
            cache.current.set(d.id, { version, attempts });
          }),
        );
        if (live) setState({ byId: new Map([...cache.current].map(([id, c]) => [id, c.attempts])) });
      } catch (error) {
        if (live) setState((s) => ({ ...s, error }));
      }
    })();
    return () => {
      live = false;
    };
  }, [deliveries, again]);
  return { ...state, reload: () => setAgain((n) => n + 1) };
}

function linesOf(deliveries: HeartbeatRun[], byId: Map<string, HeartbeatAttempt[]>, adapter: string): Line[] {
  const lines: Line[] = [];
  for (const [index, d] of deliveries.entries()) {
    const deliveryNumber = deliveries.length - index;
    // newest first: the attempt under way (or awaited), then the recorded ones
    if (PENDING.has(d.status)) {
      const running = d.status === "running";
      lines.push({
        key: `${d.id}:pending`,
        delivery: d,
        deliveryNumber,
        attempt: running ? d.attempt : d.attempt + 1,
        at: running ? d.startedAt : d.runAfter,
        tookMs: null,
        adapter,
        status: d.status,
        code: null,
        error: null,
      });
    }
    for (const a of [...(byId.get(d.id) ?? [])].reverse()) {
      lines.push({
        key: `${d.id}:${a.attempt}`,
        delivery: d,
        deliveryNumber,
        attempt: a.attempt,
        at: a.finishedAt,
        tookMs: a.startedAt ? Date.parse(a.finishedAt) - Date.parse(a.startedAt) : null,
        adapter: a.adapterType,
        status: a.outcome,
        code: a.code,
        error: a.error,
      });
    }
  }
  return lines;
}

export function Deliveries({ run, agent, onRetried }: { run: Run; agent: Agent; onRetried: () => void }) {
  const hb = useApi<HeartbeatRun[]>(`/agents/${enc(agent.id)}/heartbeat-runs${query({ routineRunId: run.id, limit: 20 })}`, { everyMs: 5000 });
  const attempts = useAttempts(hb.data);
  const [error, setError] = useState<unknown>();
  const latest = hb.data?.[0];
  const retry = async () => {
    if (!latest) return;
    try {
      await post<HeartbeatRun>(`/heartbeat-runs/${enc(latest.id)}/retry`);
      notify("Delivery queued again");
      await hb.reload();
      onRetried();
    } catch (err) {
      setError(err);
    }
  };
  if (hb.error) return <ErrorBox error={hb.error} retry={hb.reload} />;
  if (!hb.data) return null;
  const lines = linesOf(hb.data, attempts.byId, agent.adapterType);
  const retried = hb.data.length > 1;
  const codeOf = (l: Line) => (l.code === null ? "" : l.adapter === "http" ? `HTTP ${l.code}` : `exit ${l.code}`);
  return (
    <div class="attempts">
      <h4>Deliveries to {agent.name} ({agent.adapterType})</h4>
      {hb.data.length === 0 ? (
        <p class="muted">None: nothing woke the agent for this run (it was coalesced or skipped).</p>
      ) : (
        <table class="list" aria-label="Delivery attempts">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Adapter</th>
              <th scope="col">Status</th>
              <th scope="col">Attempt</th>
              <th scope="col">Code</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.key}>
                <td data-label="Time">
                  <Time iso={l.at} />
                  {l.tookMs !== null ? <span class="muted"> (took {duration(l.tookMs)})</span> : null}
                </td>
                <td data-label="Adapter">{l.adapter}</td>
                <td data-label="Status"><Badge value={l.status} /></td>
                <td data-label="Attempt">
                  {l.attempt} of {l.delivery.maxAttempts}
                  {retried ? <span class="muted"> ({l.deliveryNumber === 1 ? "first delivery" : `retry ${l.deliveryNumber - 1}`})</span> : null}
                </td>
                <td data-label="Code">{codeOf(l)}</td>
                <td data-label="Error" class="error">{l.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={attempts.error} retry={attempts.reload} />
      {latest && (latest.status === "failed" || latest.status === "timed_out") ? (
        <button type="button" onClick={retry}>
          Retry delivery
        </button>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}

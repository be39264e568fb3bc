/**
 * A routine's history: its revisions, newest first (who changed what, when, and what differs from the
 * current one), a restore of an earlier one after a confirmation, and a link to its activity log.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { type Agent, enc, post, type RestoreResult, type Revision, type RoutineDetail } from "../api";
import { Badge, ConfirmButton, Empty, ErrorBox, Field, Loading, Time } from "../components";
import { useApi } from "../hooks";
import { describeDiff, revisionDiff } from "../revision-diff";
import { ActorName } from "./shared";

export function RevisionsPanel(props: { routine: RoutineDetail; companyId: string; onRestored: (res: RestoreResult) => void }) {
  const { routine, companyId } = props;
  const [open, setOpen] = useState(false);
  const revisions = useApi<Revision[]>(open ? `/routines/${enc(routine.id)}/revisions` : null);
  const needAgents = Boolean(revisions.data?.some((r) => r.createdByAgentId));
  const agents = useApi<Agent[]>(needAgents ? `/companies/${enc(companyId)}/agents` : null);
  // a change made here or elsewhere is a new latest revision: list it
  useEffect(() => {
    if (open) void revisions.reload();
  }, [routine.latestRevisionId]);

  const list = revisions.data ?? [];
  const current = list[0];
  const numbers = useMemo(() => new Map(list.map((r) => [r.id, r.revisionNumber])), [list]);
  const count = routine.latestRevisionNumber;

  return (
    <section aria-labelledby="history-title" class="history">
      <div class="page-head">
        <h3 id="history-title">History</h3>
        <a class="button secondary" href={`/c/${companyId}/activity?routineId=${enc(routine.id)}`}>
          Activity
        </a>
      </div>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          {count === 1 ? "1 revision" : `${count} revisions`}: who changed what, and restore an earlier one
        </summary>
        <ErrorBox error={revisions.error} retry={revisions.reload} />
        {!revisions.data ? (
          revisions.error ? null : <Loading what="the revisions" />
        ) : list.length === 0 ? (
          <Empty>
            <p>No revisions recorded yet: each change of the routine or its triggers records one.</p>
          </Empty>
        ) : (
          <table class="list revisions" aria-label="Revisions">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Change</th>
                <th scope="col">By</th>
                <th scope="col">When</th>
                <th scope="col">Differs from the current one in</th>
                <th scope="col"><span class="sr-only">Restore</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} aria-label={`Revision ${r.revisionNumber}`}>
                  <td data-label="Revision">
                    {r.revisionNumber} {r === current ? <Badge value="active" label="current" /> : null}
                    {r.restoredFromRevisionId ? (
                      <div class="muted">restored from {numbers.has(r.restoredFromRevisionId) ? `revision ${numbers.get(r.restoredFromRevisionId)}` : "an older revision"}</div>
                    ) : null}
                  </td>
                  <td data-label="Change">{r.changeSummary ?? <span class="muted">—</span>}</td>
                  <td data-label="By">
                    <ActorName
                      type={r.createdByAgentId ? "agent" : r.createdByUserId ? "user" : "system"}
                      agentId={r.createdByAgentId}
                      userId={r.createdByUserId}
                      agents={agents.data}
                      companyId={companyId}
                    />
                  </td>
                  <td data-label="When"><Time iso={r.createdAt} /></td>
                  <td data-label="Differs from the current one in" class="diff">
                    {r === current ? <span class="muted">this is the current one</span> : describeDiff(revisionDiff(r.snapshot, current!.snapshot))}
                  </td>
                  <td>
                    {r === current || routine.status === "archived" ? null : (
                      <RestoreButton routineId={routine.id} revision={r} onRestored={props.onRestored} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {count > list.length && list.length >= 100 ? <p class="muted">The 100 latest revisions are listed.</p> : null}
      </details>
    </section>
  );
}

function RestoreButton({ routineId, revision: r, onRestored }: { routineId: string; revision: Revision; onRestored: (res: RestoreResult) => void }) {
  const [summary, setSummary] = useState("");
  const id = `restore-summary-${r.revisionNumber}`;
  return (
    <ConfirmButton
      label="Restore"
      title={`Restore revision ${r.revisionNumber}?`}
      confirmLabel="Restore revision"
      class="secondary small"
      onConfirm={async () => {
        const res = await post<RestoreResult>(
          `/routines/${enc(routineId)}/revisions/${enc(r.id)}/restore`,
          summary.trim() ? { changeSummary: summary.trim() } : {},
        );
        setSummary("");
        onRestored(res);
      }}
    >
      <p>
        The routine and its triggers go back to how revision {r.revisionNumber} left them, recorded as a new revision (nothing is lost: this
        one stays in the history). Schedules continue from now; a webhook trigger deleted since comes back with a new URL and secret, shown
        once.
      </p>
      <div class="form">
        <Field label="Change summary" id={id} hint={`Optional; “Restored from revision ${r.revisionNumber}” when empty`}>
          <input id={id} maxLength={500} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
        </Field>
      </div>
    </ConfirmButton>
  );
}

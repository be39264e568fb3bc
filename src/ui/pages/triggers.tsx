/** A routine's triggers: the list of trigger cards, the empty state, and adding one. */
import { useState } from "preact/hooks";
import type { RoutineDetail, TriggerWithSecret } from "../api";
import { TriggerCard } from "./trigger-card";
import { NewTrigger } from "./trigger-forms";

/** Secrets just shown by create, rotate or a revision's restore, by trigger id: kept only in the routine page's memory. */
export type Secrets = Record<string, string>;

export function TriggersPanel(props: {
  routine: RoutineDetail;
  secrets: Secrets;
  onSecret: (triggerId: string, secret: string) => void;
  onChange: () => void;
}) {
  const { routine, secrets, onChange } = props;
  const [adding, setAdding] = useState(false);
  const archived = routine.status === "archived";
  const remember = (res: TriggerWithSecret) => {
    if (res.secretMaterial) props.onSecret(res.trigger.id, res.secretMaterial.webhookSecret);
  };
  return (
    <section aria-labelledby="triggers-title">
      <div class="page-head">
        <h3 id="triggers-title">Triggers</h3>
        {archived || adding ? null : (
          <button type="button" onClick={() => setAdding(true)}>
            Add trigger
          </button>
        )}
      </div>
      {adding ? (
        <NewTrigger
          routineId={routine.id}
          onDone={(res) => {
            setAdding(false);
            if (res) {
              remember(res);
              onChange();
            }
          }}
        />
      ) : null}
      {routine.triggers.length === 0 && !adding ? (
        <div class="empty">
          <p>
            No triggers: this routine runs only when you press Run now. Add a <strong>schedule</strong> (cron), a <strong>webhook</strong>{" "}
            (a URL other systems POST to) or an <strong>api</strong> trigger.
          </p>
        </div>
      ) : null}
      <div class="trigger-cards">
        {routine.triggers.map((t) => (
          <TriggerCard
            key={t.id}
            trigger={t}
            routine={routine}
            secret={secrets[t.id]}
            onRotated={remember}
            onChange={onChange}
          />
        ))}
      </div>
    </section>
  );
}

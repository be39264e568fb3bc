/** Create or edit a routine: every field the API has. */
import { useEffect, useState } from "preact/hooks";
import { enc, type Goal, type Issue, patch, post, type Routine, type RoutineDetail } from "../api";
import { ErrorBox, Field, Loading } from "../components";
import { CATCH_UP_POLICIES, CONCURRENCY_POLICIES, PRIORITIES } from "../enums";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { navigate } from "../router";
import { draftOf, definitionErrors, definitionOf, type VariableDraft } from "../variables";
import { useCompanyLists } from "./shared";
import { placeholdersOf, VariablesEditor } from "./variables-editor";

const POLICY_HINTS: Record<string, string> = {
  coalesce_if_active: "while an execution issue is open, a fire is added to it as a comment",
  skip_if_active: "while an execution issue is open, a fire is recorded as skipped",
  always_enqueue: "every fire opens a new execution issue",
  skip_missed: "after downtime, missed occurrences are recorded as one skipped run",
  enqueue_missed_with_cap: "after downtime, missed occurrences fire oldest first, up to the cap",
};

interface Draft {
  title: string;
  description: string;
  assigneeAgentId: string;
  projectId: string;
  parentIssueId: string;
  goalId: string;
  priority: string;
  concurrencyPolicy: string;
  catchUpPolicy: string;
  variables: VariableDraft[];
}

const blank: Draft = {
  title: "",
  description: "",
  assigneeAgentId: "",
  projectId: "",
  parentIssueId: "",
  goalId: "",
  priority: "medium",
  concurrencyPolicy: "coalesce_if_active",
  catchUpPolicy: "skip_missed",
  variables: [],
};

export function RoutineForm({ companyId, routineId }: { companyId: string; routineId?: string }) {
  const existing = useApi<RoutineDetail>(routineId ? `/routines/${enc(routineId)}` : null);
  const { agents, projects } = useCompanyLists(companyId);
  const issues = useApi<Issue[]>(`/companies/${enc(companyId)}/issues?limit=100`);
  const goals = useApi<Goal[]>(`/companies/${enc(companyId)}/goals`);
  const [draft, setDraft] = useState<Draft | null>(routineId ? null : blank);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const r = existing.data;
    if (r && !draft)
      setDraft({
        title: r.title,
        description: r.description ?? "",
        assigneeAgentId: r.assigneeAgentId ?? "",
        projectId: r.projectId ?? "",
        parentIssueId: r.parentIssueId ?? "",
        goalId: r.goalId ?? "",
        priority: r.priority,
        concurrencyPolicy: r.concurrencyPolicy,
        catchUpPolicy: r.catchUpPolicy,
        variables: r.variables.map(draftOf),
      });
  }, [existing.data]);

  // a new routine gets the only agent and project preselected
  useEffect(() => {
    if (routineId || !draft) return;
    const one = (list?: { id: string }[]) => (list?.length === 1 ? list[0]!.id : "");
    // updates from the current draft, not this render's: a keystroke may land before the effect runs
    const agent = one(agents.data);
    const project = one(projects.data);
    if (!draft.assigneeAgentId && agent) setDraft((d) => d && (d.assigneeAgentId ? d : { ...d, assigneeAgentId: agent }));
    else if (!draft.projectId && project) setDraft((d) => d && (d.projectId ? d : { ...d, projectId: project }));
  }, [agents.data, projects.data, draft]);

  if (routineId && existing.error) return <ErrorBox error={existing.error} retry={existing.reload} />;
  if (!draft) return <Loading what="the routine" />;

  const set = (key: keyof Draft) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setDraft((d) => d && { ...d, [key]: value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const body = {
      title: draft.title,
      description: draft.description.trim() ? draft.description : null,
      assigneeAgentId: draft.assigneeAgentId,
      projectId: draft.projectId,
      parentIssueId: draft.parentIssueId || null,
      goalId: draft.goalId || null,
      priority: draft.priority,
      concurrencyPolicy: draft.concurrencyPolicy,
      catchUpPolicy: draft.catchUpPolicy,
      variables: draft.variables.map(definitionOf),
    };
    try {
      const saved = routineId
        ? await patch<Routine>(`/routines/${enc(routineId)}`, body)
        : await post<Routine>(`/companies/${enc(companyId)}/routines`, body);
      navigate(`/c/${companyId}/routines/${saved.id}`);
      notify(routineId ? `Saved ${saved.title}` : `Created ${saved.title}: add a trigger to say when it runs`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const title = routineId ? `Edit ${existing.data?.title ?? "routine"}` : "New routine";

  return (
    <section aria-labelledby="routine-form-title">
      <h2 id="routine-form-title">{title}</h2>
      <form class="card form" onSubmit={submit} aria-labelledby="routine-form-title">
        <Field label="Title" id="r-title" hint={<>Use <code>{"{{name}}"}</code> for a variable (defined below)</>}>
          <input id="r-title" required maxLength={200} value={draft.title} onInput={set("title")} />
        </Field>
        <Field label="Description" id="r-description" hint="What the agent should do each time; it becomes the execution issue's description">
          <textarea id="r-description" rows={4} value={draft.description} onInput={set("description")} />
        </Field>
        <div class="grid2">
          <Field
            label="Assignee"
            id="r-assignee"
            hint={agents.data?.length === 0 ? <>No agents yet: <a href={`/c/${companyId}/agents`}>create one</a></> : undefined}
          >
            <select id="r-assignee" required value={draft.assigneeAgentId} onChange={set("assigneeAgentId")}>
              <option value="">Choose an agent…</option>
              {agents.data?.map((a) => (
                <option key={a.id} value={a.id}>{a.name}{a.status === "paused" ? " (paused)" : ""}</option>
              ))}
            </select>
          </Field>
          <Field
            label="Project"
            id="r-project"
            hint={projects.data?.length === 0 ? <>No projects yet: <a href={`/c/${companyId}/projects`}>create one</a></> : undefined}
          >
            <select id="r-project" required value={draft.projectId} onChange={set("projectId")}>
              <option value="">Choose a project…</option>
              {projects.data?.map((p) => (
                <option key={p.id} value={p.id}>{p.name}</option>
              ))}
            </select>
          </Field>
          <Field label="Priority" id="r-priority" hint="of the execution issues it opens">
            <select id="r-priority" value={draft.priority} onChange={set("priority")}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>{p}</option>
              ))}
            </select>
          </Field>
          <Field label="Parent issue" id="r-parent" hint="execution issues become its sub-issues">
            <select id="r-parent" value={draft.parentIssueId} onChange={set("parentIssueId")}>
              <option value="">None</option>
              {issues.data?.map((i) => (
                <option key={i.id} value={i.id}>{i.identifier} {i.title}</option>
              ))}
            </select>
          </Field>
          <Field label="Goal" id="r-goal" hint="the company goal this routine serves">
            <select id="r-goal" value={draft.goalId} onChange={set("goalId")}>
              <option value="">None</option>
              {goals.data?.map((g) => (
                <option key={g.id} value={g.id}>{g.title}</option>
              ))}
            </select>
          </Field>
          <Field label="Concurrency policy" id="r-concurrency" hint={POLICY_HINTS[draft.concurrencyPolicy]}>
            <select id="r-concurrency" value={draft.concurrencyPolicy} onChange={set("concurrencyPolicy")}>
              {CONCURRENCY_POLICIES.map((p) => (
                <option key={p} value={p}>{humanize(p)}</option>
              ))}
            </select>
          </Field>
          <Field label="Catch-up policy" id="r-catchup" hint={POLICY_HINTS[draft.catchUpPolicy]}>
            <select id="r-catchup" value={draft.catchUpPolicy} onChange={set("catchUpPolicy")}>
              {CATCH_UP_POLICIES.map((p) => (
                <option key={p} value={p}>{humanize(p)}</option>
              ))}
            </select>
          </Field>
        </div>
        <VariablesEditor
          drafts={draft.variables}
          placeholders={placeholdersOf([draft.title, draft.description])}
          errors={definitionErrors(error, draft.variables)}
          onChange={(variables) => setDraft((d) => d && { ...d, variables })}
        />
        <ErrorBox error={error} />
        <div class="actions">
          <a class="button secondary" href={routineId ? `/c/${companyId}/routines/${routineId}` : `/c/${companyId}`}>
            Cancel
          </a>
          <button type="submit" disabled={busy}>
            {routineId ? "Save routine" : "Create routine"}
          </button>
        </div>
      </form>
    </section>
  );
}

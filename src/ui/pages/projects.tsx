/** Projects: every routine belongs to one. List and create. */
import { useState } from "preact/hooks";
import { enc, type Project, post } from "../api";
import { Badge, Empty, ErrorBox, Field, Loading } from "../components";
import { useApi } from "../hooks";
import { notify } from "../notice";

export function ProjectsPage({ companyId }: { companyId: string }) {
  const projects = useApi<Project[]>(`/companies/${enc(companyId)}/projects`);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>();
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const p = await post<Project>(`/companies/${enc(companyId)}/projects`, { name });
      notify(`Created project ${p.name}`);
      setName("");
      setError(undefined);
      await projects.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="projects-title">
      <h2 id="projects-title">Projects</h2>
      <form class="card form inline-form" onSubmit={create} aria-label="New project">
        <Field label="New project" id="project-name">
          <input id="project-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <button type="submit">Create project</button>
        <ErrorBox error={error} />
      </form>
      <ErrorBox error={projects.error} retry={projects.reload} />
      {!projects.data ? (
        projects.error ? null : <Loading what="projects" />
      ) : projects.data.length === 0 ? (
        <Empty>
          <p>No projects yet. Every routine belongs to a project: create one above.</p>
        </Empty>
      ) : (
        <ul class="cards">
          {projects.data.map((p) => (
            <li key={p.id} class="card">
              <strong>{p.name}</strong> <Badge value={p.status} />
              {p.description ? <p class="muted">{p.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

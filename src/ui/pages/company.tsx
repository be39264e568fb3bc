/** Creating a company: name and issue prefix. */
import { useState } from "preact/hooks";
import { type Company, post } from "../api";
import { ErrorBox, Field } from "../components";
import { refreshAll } from "../connection";
import { notify } from "../notice";
import { navigate } from "../router";

export function NewCompany() {
  const [name, setName] = useState("");
  const [prefix, setPrefix] = useState("");
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const company = await post<Company>("/companies", { name, ...(prefix ? { issuePrefix: prefix } : {}) });
      refreshAll();
      navigate(`/c/${company.id}`);
      notify(`Created ${company.name}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="new-company">
      <h2 id="new-company">New company</h2>
      <form class="card form" onSubmit={submit}>
        <Field label="Name" id="company-name">
          <input id="company-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Issue prefix" id="company-prefix" hint="2-10 capitals or digits, e.g. ACME for issues ACME-1, ACME-2; derived from the name when empty">
          <input id="company-prefix" pattern="[A-Z][A-Z0-9]{1,9}" value={prefix} onInput={(e) => setPrefix(e.currentTarget.value.toUpperCase())} />
        </Field>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit">Create company</button>
        </div>
      </form>
    </section>
  );
}

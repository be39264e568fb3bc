/** The page: header (company, sections), sign-in, the offline banner, the status line and the routed view. */
import { useEffect, useState } from "preact/hooks";
import { type Company, onAuthRequired, storeToken, storedToken } from "./api";
import { Empty, ErrorBox, Loading } from "./components";
import { isOffline, refreshAll, subscribe } from "./connection";
import { useApi } from "./hooks";
import { notify, useNotice } from "./notice";
import { ActivityPage } from "./pages/activity";
import { AgentPage, AgentsPage } from "./pages/agents";
import { NewCompany } from "./pages/company";
import { IssuesPage } from "./pages/issues";
import { ProjectsPage } from "./pages/projects";
import { RoutinePage } from "./pages/routine";
import { RoutineForm } from "./pages/routine-form";
import { RoutinesPage } from "./pages/routines";
import { navigate, onLinkClick, useLocation } from "./router";

const LAST_COMPANY = "routined.company";
const NEW = "__new";

function useOffline() {
  const [offline, set] = useState(isOffline());
  useEffect(() => subscribe(() => set(isOffline())), []);
  return offline;
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    storeToken(token.trim());
    const res = await fetch("/api/companies", { headers: { authorization: `Bearer ${token.trim()}` } }).catch(() => undefined);
    if (res?.ok) {
      notify("Signed in");
      onSignedIn();
    } else {
      storeToken(null);
      notify(res ? "The board token was refused: check it and try again" : "Cannot reach the server", true);
    }
  };
  return (
    <form class="card auth" onSubmit={submit}>
      <p>
        This server needs a board token (<code>ROUTINED_BOARD_TOKEN</code> or <code>routined board-tokens create</code>). It is kept in
        this tab only.
      </p>
      <label for="token">Board token</label>
      <div class="row">
        <input id="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit">Sign in</button>
      </div>
    </form>
  );
}

function Nav({ companyId, section }: { companyId: string; section: string }) {
  const links: [string, string, string][] = [
    ["routines", "Routines", `/c/${companyId}`],
    ["agents", "Agents", `/c/${companyId}/agents`],
    ["issues", "Issues", `/c/${companyId}/issues`],
    ["projects", "Projects", `/c/${companyId}/projects`],
    ["activity", "Activity", `/c/${companyId}/activity`],
  ];
  return (
    <nav aria-label="Sections">
      {links.map(([key, label, href]) => (
        <a key={key} href={href} aria-current={section === key ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

/** `/c/:companyId/:section/:id/:action` */
function parsePath(path: string) {
  const [, c, companyId, section, id, action] = path.split("/");
  if (c !== "c" || !companyId) return { companyId: undefined };
  return { companyId, section: section ?? "routines", id, action };
}

export function App() {
  const loc = useLocation();
  const offline = useOffline();
  const said = useNotice();
  const notice = said?.path === loc.path ? said : null;
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => onAuthRequired(() => setNeedsToken(true)), []);
  const companies = useApi<Company[]>(needsToken ? null : "/companies");
  const route = parsePath(loc.path);
  const companyId = route.companyId === "new" ? undefined : route.companyId;

  useEffect(() => {
    if (companyId) localStorage.setItem(LAST_COMPANY, companyId);
  }, [companyId]);

  // "/" opens the last company (or the first); with none, the page says how to start
  useEffect(() => {
    if (loc.path !== "/" || !companies.data?.length) return;
    const last = localStorage.getItem(LAST_COMPANY);
    const pick = companies.data.find((c) => c.id === last) ?? companies.data[0]!;
    navigate(`/c/${pick.id}`, { replace: true });
  }, [loc.path, companies.data]);

  useEffect(() => {
    const company = companies.data?.find((c) => c.id === companyId);
    document.title = company ? `${company.name} · routined` : "routined";
  }, [companies.data, companyId]);

  let view;
  if (needsToken) view = <SignIn onSignedIn={() => { setNeedsToken(false); refreshAll(); }} />;
  else if (route.companyId === "new") view = <NewCompany />;
  else if (!companyId) {
    if (companies.error) view = <ErrorBox error={companies.error} retry={companies.reload} />;
    else if (!companies.data) view = <Loading what="companies" />;
    else
      view = (
        <Empty>
          <h2>Welcome to routined</h2>
          <p>There is no company yet. A company holds the agents, projects and routines: start by creating one.</p>
          <a class="button" href="/c/new">Create a company</a>
        </Empty>
      );
  } else {
    const { section, id, action } = route;
    if (section === "routines" && id === "new") view = <RoutineForm companyId={companyId} />;
    else if (section === "routines" && id && action === "edit") view = <RoutineForm companyId={companyId} routineId={id} />;
    else if (section === "routines" && id) view = <RoutinePage companyId={companyId} routineId={id} />;
    else if (section === "routines") view = <RoutinesPage companyId={companyId} />;
    else if (section === "agents" && id) view = <AgentPage companyId={companyId} agentId={id} />;
    else if (section === "agents") view = <AgentsPage companyId={companyId} />;
    else if (section === "issues") view = <IssuesPage companyId={companyId} />;
    else if (section === "projects") view = <ProjectsPage companyId={companyId} />;
    else if (section === "activity") view = <ActivityPage companyId={companyId} />;
    else view = <Empty><p>No such page. <a href={`/c/${companyId}`}>Back to the routines</a>.</p></Empty>;
  }

  const selectCompany = (id: string) => navigate(id === NEW ? "/c/new" : `/c/${id}`);

  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="bar">
        <a class="brand" href="/">routined</a>
        {companies.data ? (
          <div class="company">
            <label for="company">Company</label>
            <select id="company" value={companyId ?? ""} onChange={(e) => selectCompany(e.currentTarget.value)}>
              {companyId ? null : <option value="">Choose…</option>}
              {companies.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              <option value={NEW}>+ New company…</option>
            </select>
          </div>
        ) : null}
        {companyId ? <Nav companyId={companyId} section={route.section ?? "routines"} /> : null}
        <button type="button" class="secondary refresh" onClick={refreshAll}>
          Refresh
        </button>
        <a class="docs" href="/api/docs/">API reference</a>
      </header>
      {offline ? (
        <div class="offline" role="alert">
          Cannot reach the server. Retrying every 2 seconds; this page reloads its data as soon as it answers.
        </div>
      ) : null}
      <p class={notice?.error ? "status error" : "status"} role="status" aria-live="polite">
        {notice?.text ?? ""}
      </p>
      <main id="main">{view}</main>
    </div>
  );
}

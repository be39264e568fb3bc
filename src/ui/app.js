// The dashboard's entry point: sign-in (authenticated mode), company picker, routine list, detail.
import { AuthRequired, api, enc, storeToken, storedToken } from "./api.js";
import { createDetail } from "./detail.js";
import { clear, h } from "./dom.js";
import { renderRoutines } from "./routines.js";

const $ = (id) => document.getElementById(id);
let companyId = null;

function report(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function fail(err) {
  if (!(err instanceof AuthRequired)) return report(err.message, true);
  $("auth").hidden = false;
  if (storedToken()) report(`The board token was refused: ${err.message}`, true);
  else report("This server needs a board token: enter it above.");
  $("token").focus();
}

/** `#company=…&routine=…` keeps the view across reloads and makes it linkable. */
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { company: params.get("company"), routine: params.get("routine") };
}

function writeHash(routineId) {
  const params = new URLSearchParams();
  if (companyId) params.set("company", companyId);
  if (routineId) params.set("routine", routineId);
  history.replaceState(null, "", `#${params}`);
}

const detail = createDetail({ report, onChanged: () => loadRoutines() });

async function openRoutine(id) {
  writeHash(id);
  await detail.open(id);
  await loadRoutines();
  $("detail").scrollIntoView({ block: "start" });
}

async function loadRoutines() {
  if (!companyId) return;
  const id = companyId;
  const [routines, agents] = await Promise.all([
    api(`/companies/${enc(id)}/routines`),
    api(`/companies/${enc(id)}/agents`),
  ]);
  if (id !== companyId) return;
  const names = new Map(agents.map((a) => [a.id, a.name]));
  renderRoutines($("routine-rows"), routines, names, (rid) => openRoutine(rid).catch(fail), detail.routineId);
  $("routines-empty").hidden = routines.length > 0;
  $("routines").hidden = false;
}

async function selectCompany(id, routineId = null) {
  companyId = id || null;
  report("");
  detail.close();
  $("routines").hidden = true;
  writeHash(routineId);
  if (!companyId) return;
  await loadRoutines();
  if (routineId) await detail.open(routineId);
}

async function loadCompanies() {
  const companies = await api("/companies");
  $("auth").hidden = true;
  const select = $("company");
  clear(
    select,
    h("option", { value: "" }, companies.length ? "Choose a company…" : "No companies yet"),
    companies.map((c) => h("option", { value: c.id }, c.name)),
  );
  select.disabled = companies.length === 0;
  const wanted = readHash();
  const initial = companies.some((c) => c.id === wanted.company) ? wanted.company : companies.length === 1 ? companies[0].id : "";
  select.value = initial;
  if (initial) await selectCompany(initial, initial === wanted.company ? wanted.routine : null);
  else if (!companies.length) report("No companies yet: create one with POST /api/companies (see the API reference).");
}

$("company").addEventListener("change", (e) => selectCompany(e.target.value).catch(fail));
$("refresh").addEventListener("click", () =>
  (companyId ? Promise.all([loadRoutines(), detail.routineId && detail.open(detail.routineId)]) : loadCompanies()).catch(fail),
);
$("auth").addEventListener("submit", (e) => {
  e.preventDefault();
  storeToken($("token").value.trim());
  $("token").value = "";
  report("");
  loadCompanies().catch(fail);
});

loadCompanies().catch(fail);

/** Agents: create (adapter type and config), pause/resume, API keys (shown once, revoke), recent heartbeat runs. */
import { useState } from "preact/hooks";
import { type Agent, type AgentKey, type AgentWithSecret, type CreatedAgentKey, del, enc, type HeartbeatRun, post } from "../api";
import { Badge, ConfirmButton, CopyButton, Empty, ErrorBox, Field, Loading, parseJsonObject, Time } from "../components";
import { ADAPTER_TYPES } from "../enums";
import { useApi } from "../hooks";
import { notify } from "../notice";
import { navigate } from "../router";

const CONFIG_TEMPLATES: Record<string, string> = {
  poll: "{}",
  http: '{\n  "url": "https://agent.example.com/heartbeat",\n  "timeoutSec": 30\n}',
  process: '{\n  "command": ["/usr/local/bin/agent", "--once"],\n  "timeoutSec": 600\n}',
};
const ADAPTER_HINTS: Record<string, string> = {
  poll: "the agent claims its work through the API with its key (no config)",
  http: "routined POSTs each heartbeat, signed (Standard Webhooks), to url",
  process: "routined runs command (an argv array, no shell) for each heartbeat",
};

export function AgentsPage({ companyId }: { companyId: string }) {
  const agents = useApi<Agent[]>(`/companies/${enc(companyId)}/agents`);
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="agents-title">
      <div class="page-head">
        <h2 id="agents-title">Agents</h2>
        {creating ? null : (
          <button type="button" onClick={() => setCreating(true)}>
            New agent
          </button>
        )}
      </div>
      {creating ? <NewAgent companyId={companyId} onCancel={() => setCreating(false)} /> : null}
      <ErrorBox error={agents.error} retry={agents.reload} />
      {!agents.data ? (
        agents.error ? null : <Loading what="agents" />
      ) : agents.data.length === 0 ? (
        creating ? null : (
          <Empty>
            <p>No agents yet. An agent is who a routine wakes: create one with New agent.</p>
          </Empty>
        )
      ) : (
        <table class="list">
          <caption class="sr-only">Agents</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Status</th>
              <th scope="col">Adapter</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {agents.data.map((a) => (
              <tr key={a.id}>
                <td data-label="Agent"><a class="title" href={`/c/${companyId}/agents/${a.id}`}>{a.name}</a></td>
                <td data-label="Status"><Badge value={a.status} /></td>
                <td data-label="Adapter">{a.adapterType}</td>
                <td data-label="Role">{[a.role, a.title].filter(Boolean).join(", ") || "—"}</td>
                <td data-label="Created"><Time iso={a.createdAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewAgent({ companyId, onCancel }: { companyId: string; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState("");
  const [type, setType] = useState("poll");
  const [config, setConfig] = useState(CONFIG_TEMPLATES.poll!);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<AgentWithSecret>();
  const parsed = parseJsonObject(config);
  if (created?.deliverySecret)
    return (
      <div class="card secret" role="group" aria-label="Delivery secret">
        <p>
          <strong>{created.name} created. Its delivery secret — shown only now:</strong> the agent checks each delivery's signature with it.
        </p>
        <div class="copy-row">
          <code class="url">{created.deliverySecret}</code>
          <CopyButton text={created.deliverySecret} label="Copy delivery secret" />
        </div>
        <a class="button" href={`/c/${companyId}/agents/${created.id}`}>I have copied it: open the agent</a>
      </div>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    if (parsed.error) return;
    try {
      const agent = await post<AgentWithSecret>(`/companies/${enc(companyId)}/agents`, {
        name,
        ...(role.trim() ? { role: role.trim() } : {}),
        adapterType: type,
        adapterConfig: parsed.value,
      });
      if (agent.deliverySecret) setCreated(agent);
      else navigate(`/c/${companyId}/agents/${agent.id}`);
      notify(`Created agent ${agent.name}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-label="New agent">
      <div class="grid2">
        <Field label="Name" id="a-name">
          <input id="a-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Role" id="a-role">
          <input id="a-role" maxLength={100} value={role} onInput={(e) => setRole(e.currentTarget.value)} />
        </Field>
        <Field label="Adapter type" id="a-type" hint={ADAPTER_HINTS[type]}>
          <select
            id="a-type"
            value={type}
            onChange={(e) => {
              setType(e.currentTarget.value);
              setConfig(CONFIG_TEMPLATES[e.currentTarget.value] ?? "{}");
            }}
          >
            {ADAPTER_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Adapter config (JSON)" id="a-config" error={parsed.error ? `Config ${parsed.error}` : null}>
          <textarea id="a-config" class="mono" rows={5} value={config} onInput={(e) => setConfig(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={Boolean(parsed.error)}>
          Create agent
        </button>
      </div>
    </form>
  );
}

export function AgentPage({ companyId, agentId }: { companyId: string; agentId: string }) {
  const agent = useApi<Agent>(`/agents/${enc(agentId)}`);
  const keys = useApi<AgentKey[]>(`/agents/${enc(agentId)}/keys`);
  const runs = useApi<HeartbeatRun[]>(`/agents/${enc(agentId)}/heartbeat-runs?limit=20`, { everyMs: 10_000 });
  const [newKey, setNewKey] = useState<CreatedAgentKey>();
  const [keyName, setKeyName] = useState("");
  const [error, setError] = useState<unknown>();
  const a = agent.data;
  if (!a) return agent.error ? <ErrorBox error={agent.error} retry={agent.reload} /> : <Loading what="the agent" />;

  const setPaused = async (pause: boolean) => {
    await post(`/agents/${enc(a.id)}/${pause ? "pause" : "resume"}`);
    notify(`${a.name} ${pause ? "paused: its heartbeat runs wait until it is resumed" : "resumed"}`);
    await agent.reload();
  };
  const createKey = async (e: Event) => {
    e.preventDefault();
    try {
      const key = await post<CreatedAgentKey>(`/agents/${enc(a.id)}/keys`, keyName.trim() ? { name: keyName.trim() } : {});
      setNewKey(key);
      setKeyName("");
      setError(undefined);
      notify("Key created: copy it now, it is shown only once");
      await keys.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="agent-title">
      <p class="crumbs">
        <a href={`/c/${companyId}/agents`}>Agents</a> /
      </p>
      <div class="page-head">
        <h2 id="agent-title">
          {a.name} <Badge value={a.status} />
        </h2>
        <div class="actions">
          {a.status === "active" ? (
            <ConfirmButton label="Pause agent" title={`Pause ${a.name}?`} confirmLabel="Pause agent" onConfirm={() => setPaused(true)}>
              <p>Its heartbeat runs stay queued (nothing is delivered or claimed) until you resume it. Routines still fire.</p>
            </ConfirmButton>
          ) : (
            <button type="button" onClick={() => setPaused(false)}>
              Resume agent
            </button>
          )}
        </div>
      </div>
      <dl class="facts">
        <dt>Adapter</dt>
        <dd>{a.adapterType}</dd>
        <dt>Config</dt>
        <dd><pre class="payload">{JSON.stringify(a.adapterConfig, null, 2)}</pre></dd>
        <dt>Role</dt>
        <dd>{[a.role, a.title].filter(Boolean).join(", ") || "—"}</dd>
      </dl>

      <h3 id="keys-title">API keys</h3>
      {newKey ? (
        <div class="card secret" role="group" aria-label="New API key">
          <p>
            <strong>The new key — shown only now.</strong> The agent sends it as <code>Authorization: Bearer …</code>.
          </p>
          <div class="copy-row">
            <code class="url">{newKey.key}</code>
            <CopyButton text={newKey.key} label="Copy API key" />
          </div>
        </div>
      ) : null}
      <form class="inline-form" onSubmit={createKey} aria-label="New API key">
        <Field label="Key name (optional)" id="key-name">
          <input id="key-name" maxLength={100} value={keyName} onInput={(e) => setKeyName(e.currentTarget.value)} />
        </Field>
        <button type="submit">Create key</button>
      </form>
      <ErrorBox error={error} />
      <ErrorBox error={keys.error} retry={keys.reload} />
      {keys.data?.length === 0 ? <p class="muted">No keys: the agent cannot call the API yet.</p> : null}
      {keys.data?.length ? (
        <table class="list" aria-labelledby="keys-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td data-label="Name">{k.name ?? <span class="muted">unnamed</span>}</td>
                <td data-label="Prefix"><code>{k.keyPrefix}…</code></td>
                <td data-label="Last used"><Time iso={k.lastUsedAt} /></td>
                <td data-label="State">{k.revokedAt ? <Badge value="revoked" /> : <Badge value="active" />}</td>
                <td>
                  {k.revokedAt ? null : (
                    <ConfirmButton
                      label="Revoke"
                      title={`Revoke key ${k.keyPrefix}…?`}
                      confirmLabel="Revoke key"
                      danger
                      onConfirm={async () => {
                        await del(`/agents/${enc(a.id)}/keys/${enc(k.id)}`);
                        notify("Key revoked");
                        await keys.reload();
                      }}
                    >
                      <p>Requests with this key are refused from now on. This cannot be undone.</p>
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h3 id="hb-title">Recent heartbeat runs</h3>
      <ErrorBox error={runs.error} retry={runs.reload} />
      {runs.data?.length === 0 ? <p class="muted">None yet: a routine assigned to {a.name} wakes it with one when it fires.</p> : null}
      {runs.data?.length ? (
        <table class="list" aria-labelledby="hb-title">
          <thead>
            <tr>
              <th scope="col">Queued</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Finished</th>
              <th scope="col">Summary or error</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((h) => (
              <tr key={h.id}>
                <td data-label="Queued"><Time iso={h.createdAt} /></td>
                <td data-label="Status"><Badge value={h.status} /></td>
                <td data-label="Attempts">{h.attempt} of {h.maxAttempts}</td>
                <td data-label="Finished"><Time iso={h.finishedAt} /></td>
                <td data-label="Summary" class={h.error ? "error" : ""}>{h.error ?? h.summary ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/**
 * Agents cannot change how they are run, and the operator decides what a server may run or call: the process
 * adapter is off by default and limited to an allowlist; http agents may not target loopback, link-local or this
 * server's own addresses. Checked when an agent is saved and again when it is delivered to.
 */
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "../../src/dispatch/dispatcher";
import { checkedLookup } from "../../src/services/http-target";
import { createSecretBox } from "../../src/domain/secret-box";
import { generateWebhookSecret } from "../../src/domain/webhook-auth";
import { agentsRepo } from "../../src/store/repos/agents";
import { LOCAL_AGENTS_ENV, type TestApp, createTestApp, seedWorld, testConfig } from "../helpers/app";
import { enqueueTestRun, recordings, startAgentServer } from "../helpers/heartbeat";
import { testDispatcher } from "../helpers/dispatcher";

let strict: TestApp;
let w: Awaited<ReturnType<typeof seedWorld>>;
let dispatcher: Dispatcher | undefined;
beforeAll(async () => {
  strict = await createTestApp();
  w = await seedWorld(strict);
});
afterEach(() => dispatcher?.stop());
afterAll(() => strict.close());

const agentsUrl = () => `/api/companies/${w.company.id}/agents`;

describe("an agent's own adapter", () => {
  it("is the board's to change: an agent PATCHing its adapterType or adapterConfig gets 403 and nothing changes", async () => {
    const me = w.agent;
    for (const body of [
      { adapterType: "process", adapterConfig: { command: ["/bin/sh", "-c", "cat /proc/$PPID/environ"] } },
      { adapterType: "http" },
      { adapterConfig: {} },
      { name: "Renamed", adapterConfig: {} },
    ]) {
      const res = await strict.request("PATCH", `/api/agents/${me.id}`, { token: me.key, body });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.error).toMatch(/Only the board can change an agent's adapterType and adapterConfig/);
    }
    const after = (await strict.request("GET", `/api/agents/${me.id}`)).body;
    expect(after).toMatchObject({ name: "CEO", adapterType: "poll", adapterConfig: {} });
    // Its other settings stay its own.
    expect((await strict.request("PATCH", `/api/agents/${me.id}`, { token: me.key, body: { title: "Chief" } })).status).toBe(200);
  });

  it("cannot be created by an agent", async () => {
    const res = await strict.request("POST", agentsUrl(), { token: w.agent.key, body: { name: "Evil", adapterType: "poll" } });
    expect(res.status).toBe(403);
  });
});

describe("the process adapter", () => {
  it("is off unless the operator enables it: creating or switching to it is 422 saying how", async () => {
    const created = await strict.request("POST", agentsUrl(), { body: { name: "Script", adapterType: "process", adapterConfig: { command: [process.execPath] } } });
    expect(created.status).toBe(422);
    expect(created.body.error).toContain("ROUTINED_PROCESS_ADAPTER=true");
    const switched = await strict.request("PATCH", `/api/agents/${w.peer.id}`, { body: { adapterType: "process", adapterConfig: { command: [process.execPath] } } });
    expect(switched.status).toBe(422);
    expect((await strict.request("GET", `/api/agents/${w.peer.id}`)).body.adapterType).toBe("poll");
    expect((await strict.request("GET", agentsUrl())).body.map((a: { name: string }) => a.name)).not.toContain("Script");
  });

  it("is refused by the dispatcher when disabled, even for an agent saved earlier", async () => {
    const agent = await agentsRepo.insert(strict.db.store.db, {
      companyId: w.company.id,
      name: "Legacy",
      adapterType: "process",
      adapterConfig: { command: [process.execPath, "-e", "console.log('ran')"] },
    });
    const rec = await startStrictDispatcher();
    const { run } = await enqueueTestRun(strict.db.store.db, { companyId: w.company.id, agentId: agent.id, maxAttempts: 1 });
    const failed = await rec.waitFor(run.id, "failed");
    expect(failed.error).toContain("The process adapter is disabled on this server");
    expect(failed.output ?? "").not.toContain("ran");
  });

  it("runs only commands of the operator's allowlist, and only with safe environment variables", async () => {
    const t = await createTestApp({ env: { ROUTINED_PROCESS_ADAPTER: "true", ROUTINED_PROCESS_ALLOWLIST: `${process.execPath},/usr/local/agents/` } });
    try {
      const world = await seedWorld(t);
      const url = `/api/companies/${world.company.id}/agents`;
      const post = (adapterConfig: unknown) => t.request("POST", url, { body: { name: "Script", adapterType: "process", adapterConfig } });
      expect((await post({ command: [process.execPath, "-e", "1"] })).status).toBe(201);
      expect((await post({ command: ["/usr/local/agents/nightly", "--fast"] })).status).toBe(201);
      for (const command of [["/bin/sh", "-c", "id"], ["node"], ["/usr/local/agents/../../../bin/sh"]]) {
        const res = await post({ command });
        expect(res.status, command.join(" ")).toBe(422);
        expect(res.body.error).toMatch(/ROUTINED_PROCESS_ALLOWLIST/);
      }
      const preload = await post({ command: [process.execPath], env: { LD_PRELOAD: "/tmp/x.so" } });
      expect(preload.status).toBe(422);
      expect(preload.body.error).toContain("LD_PRELOAD");
    } finally {
      await t.close();
    }
  });

  it("needs an allowlist once enabled (a configuration error naming it)", () => {
    expect(() => testConfig({ ROUTINED_PROCESS_ADAPTER: "true" })).toThrow(/needs ROUTINED_PROCESS_ALLOWLIST/);
  });
});

describe("http agent targets", () => {
  const local = [
    "http://127.0.0.1:8080/hook",
    "http://127.1.2.3/",
    "http://localhost:3100/api/companies",
    "http://2130706433/", // 127.0.0.1 as a number
    "http://0.0.0.0:3100/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:3100/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
  ];

  it("refuses loopback, link-local and this server's own addresses when the agent is saved", async () => {
    for (const url of local) {
      const res = await strict.request("POST", agentsUrl(), { body: { name: "Hook", adapterType: "http", adapterConfig: { url } } });
      expect(res.status, url).toBe(422);
      expect(res.body.error).toContain("ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL=true");
    }
    const patched = await strict.request("PATCH", `/api/agents/${w.peer.id}`, { body: { adapterType: "http", adapterConfig: { url: "http://169.254.169.254/" } } });
    expect(patched.status).toBe(422);
    expect((await strict.request("POST", agentsUrl(), { body: { name: "Remote", adapterType: "http", adapterConfig: { url: "https://192.0.2.10/hook" } } })).status).toBe(201);
  });

  it("allows them when the operator says so", async () => {
    const t = await createTestApp({ env: LOCAL_AGENTS_ENV });
    try {
      const world = await seedWorld(t);
      const res = await t.request("POST", `/api/companies/${world.company.id}/agents`, { body: { name: "Hook", adapterType: "http", adapterConfig: { url: local[0] } } });
      expect(res.status).toBe(201);
    } finally {
      await t.close();
    }
  });

  it("refuses them again at delivery: an agent saved earlier is never called", async () => {
    const server = await startAgentServer(() => 200);
    const secretBox = createSecretBox(crypto.createHash("sha256").update("test").digest());
    const agent = await agentsRepo.insert(strict.db.store.db, {
      companyId: w.company.id,
      name: "Inside",
      adapterType: "http",
      adapterConfig: { url: server.url.replace("127.0.0.1", "localhost") },
      deliverySecretCiphertext: secretBox.encrypt(generateWebhookSecret("standard_webhooks")),
    });
    const rec = await startStrictDispatcher();
    const { run } = await enqueueTestRun(strict.db.store.db, { companyId: w.company.id, agentId: agent.id, maxAttempts: 1 });
    const failed = await rec.waitFor(run.id, "failed");
    expect(failed.error).toContain("Delivery refused");
    expect(server.received).toHaveLength(0);
    await server.close();
  });

  it("checks the address a name resolves to when connecting (DNS rebinding)", async () => {
    const err = await new Promise<Error | null>((resolve) => checkedLookup("localhost", {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1).*ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL/);
  });
});

/** A dispatcher of the strict server (local targets and the process adapter refused), recording every attempt. */
async function startStrictDispatcher() {
  const rec = recordings();
  dispatcher = testDispatcher({
    source: strict.services.heartbeatDispatch,
    listen: strict.db.store.listen,
    processPolicy: strict.config.adapters.process,
    allowLocal: false,
    onRecord: rec.onRecord,
  });
  await dispatcher.start();
  return rec;
}

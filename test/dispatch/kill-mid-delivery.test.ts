/**
 * Two dispatchers ("processes": on PostgreSQL each has its own connection pool and LISTEN
 * connection) share the work. The one delivering a run is stopped abruptly while the agent has not
 * answered; the other takes the run once its lease expires. Nothing is lost, and the agent never
 * receives two deliveries at once.
 */
import { expect, it } from "vitest";
import { createHeartbeatDispatchService } from "../../src/services/heartbeat-dispatch";
import { heartbeatRunsRepo } from "../../src/store/repos/heartbeat-runs";
import { LOCAL_AGENTS_ENV, seededApp } from "../helpers/app";
import { ENGINE } from "../helpers/engine";
import { enqueueTestRun, recordings, startAgentServer } from "../helpers/heartbeat";
import { createSecretBox } from "../../src/domain/secret-box";
import crypto from "node:crypto";
import { testDispatcher } from "../helpers/dispatcher";

const s = seededApp({ env: LOCAL_AGENTS_ENV });

it("retries a run whose dispatcher was stopped mid-delivery, once its lease expires, never delivering it twice at once", async () => {
  const server = await startAgentServer((_req, i) => (i === 0 ? "hang" : 200));
  const agent = (
    await s.t.request("POST", `/api/companies/${s.w.company.id}/agents`, {
      body: { name: "Hook", adapterType: "http", adapterConfig: { url: server.url } },
    })
  ).body;
  const rec = recordings();
  const other = ENGINE === "postgres" ? await s.t.db.openAnother() : s.t.db.store;
  const secretBox = createSecretBox(crypto.createHash("sha256").update("test").digest());
  const dispatchers = [s.t.db.store, other].map((store) =>
    testDispatcher({
      source: createHeartbeatDispatchService({ db: store.db, secretBox }),
      listen: store.listen,
      processPolicy: s.t.config.adapters.process,
      timeoutMs: 1_500,
      leaseMarginMs: 500,
      backoff: { baseMs: 10, maxMs: 20 },
      onRecord: rec.onRecord,
    }),
  );
  await Promise.all(dispatchers.map((d) => d.start()));
  const { run } = await enqueueTestRun(s.t.db.store.db, { companyId: s.w.company.id, agentId: agent.id });

  const first = await server.next();
  const claimed = (await heartbeatRunsRepo.get(s.t.db.store.db, run.id))!;
  expect(claimed).toMatchObject({ status: "running", attempt: 1 });
  const victim = dispatchers.find((d) => d.workerId === claimed.claimedBy)!;
  const survivor = dispatchers.find((d) => d !== victim)!;
  await victim.stop({ abandonAfterMs: 0 });
  await first.closed;

  const second = await server.next();
  const done = await rec.waitFor(run.id, "succeeded");
  expect(done).toMatchObject({ attempt: 2, claimedBy: survivor.workerId });
  expect(JSON.parse(second.body).heartbeatRun).toMatchObject({ id: run.id, attempt: 2 });
  expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  // The retry came only after the lease of attempt 1 ran out: it is never taken while it may still be delivered.
  expect(new Date(JSON.parse(second.body).heartbeatRun.startedAt).getTime()).toBeGreaterThanOrEqual(claimed.leaseExpiresAt!.getTime());
  expect(server.received).toHaveLength(2);
  expect(server.maxConcurrent).toBe(1);
  expect(rec.seen.filter((r) => r.id === run.id).map((r) => r.status)).toEqual(["succeeded"]);

  await survivor.stop();
  await server.close();
});

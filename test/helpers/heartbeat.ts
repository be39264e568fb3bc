/**
 * Fixtures for heartbeat-run tests: what the fire function will do (an execution issue plus a
 * queued heartbeat run, optionally for a routine run), a real HTTP agent server, and a way to
 * wait for the dispatcher to record an attempt.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import type { Db } from "../../src/store/db";
import { enqueueHeartbeatRun, heartbeatRunsRepo, type HeartbeatRunRow } from "../../src/store/repos/heartbeat-runs";
import { issuesRepo } from "../../src/store/repos/issues";
import { routineRuns, routines } from "../../src/store/schema";

/** An execution issue and its queued heartbeat run; `withRoutineRun` links a routine run `issue_created`. */
export async function enqueueTestRun(
  db: Db,
  o: { companyId: string; agentId: string; maxAttempts?: number; withRoutineRun?: boolean },
): Promise<{ run: HeartbeatRunRow; issueId: string; routineRunId: string | null }> {
  return db.transaction(async (tx) => {
    let routineRunId: string | null = null;
    if (o.withRoutineRun) {
      const [routine] = await tx
        .insert(routines)
        .values({ companyId: o.companyId, title: "Nightly report", assigneeAgentId: o.agentId })
        .returning();
      const [rr] = await tx
        .insert(routineRuns)
        .values({ companyId: o.companyId, routineId: routine!.id, source: "manual", status: "issue_created" })
        .returning();
      routineRunId = rr!.id;
    }
    const issue = await issuesRepo.insert(tx, {
      companyId: o.companyId,
      title: "Write the nightly report",
      status: "todo",
      assigneeAgentId: o.agentId,
      originKind: "routine_execution",
      originRunId: routineRunId,
    });
    if (routineRunId) await tx.update(routineRuns).set({ linkedIssueId: issue.id }).where(eq(routineRuns.id, routineRunId));
    const run = await enqueueHeartbeatRun(tx, {
      companyId: o.companyId,
      agentId: o.agentId,
      issueId: issue.id,
      routineRunId,
      maxAttempts: o.maxAttempts ?? 3,
    });
    return { run, issueId: issue.id, routineRunId };
  });
}

export async function routineRunOf(db: Db, id: string) {
  return heartbeatRunsRepo.getRoutineRun(db, id);
}

/** Collects recorded attempts (the dispatcher's `onRecord`) and resolves waits on them. */
export function recordings() {
  const seen: HeartbeatRunRow[] = [];
  const waits: { match: (r: HeartbeatRunRow) => boolean; resolve: (r: HeartbeatRunRow) => void }[] = [];
  return {
    seen,
    onRecord(row: HeartbeatRunRow) {
      seen.push(row);
      for (const w of waits.filter((w) => w.match(row))) {
        waits.splice(waits.indexOf(w), 1);
        w.resolve(row);
      }
    },
    /** The first recorded attempt of run `id` in `status` (already seen, or the next one). */
    waitFor(id: string, status: HeartbeatRunRow["status"]): Promise<HeartbeatRunRow> {
      const match = (r: HeartbeatRunRow) => r.id === id && r.status === status;
      const earlier = seen.find(match);
      return earlier ? Promise.resolve(earlier) : new Promise((resolve) => waits.push({ match, resolve }));
    },
  };
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection of this request closes (answered or abandoned by the sender). */
  closed: Promise<void>;
}

/**
 * A real HTTP agent on 127.0.0.1: `answer` decides each response (a status, or "hang" to never
 * answer). `next()` resolves with the next request to arrive.
 */
export async function startAgentServer(answer: (req: ReceivedRequest, index: number) => number | "hang") {
  const received: ReceivedRequest[] = [];
  const waiting: ((r: ReceivedRequest) => void)[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = http.createServer((req, res) => {
    maxOpen = Math.max(maxOpen, ++open);
    res.on("close", () => open--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request: ReceivedRequest = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        closed: new Promise((resolve) => res.on("close", () => resolve())),
      };
      const index = received.push(request) - 1;
      const status = answer(request, index);
      if (status !== "hang") res.writeHead(status, { "content-type": "text/plain" }).end(`answer ${status}`);
      waiting.shift()?.(request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let nextIndex = 0;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/routined`,
    received,
    /** The most requests that were ever open at the same time. */
    get maxConcurrent() {
      return maxOpen;
    },
    /** The next request not yet returned by `next` (waits for it to arrive). */
    next(): Promise<ReceivedRequest> {
      const index = nextIndex++;
      if (received[index]) return Promise.resolve(received[index]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

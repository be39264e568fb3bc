/**
 * Due time → agent woken, through routined as users run it (its own process, PostgreSQL, default
 * settings): N schedule triggers (N = 20, 500, and 10,000 unless `--quick`) fall due at the same
 * whole second; each fire creates an issue and a heartbeat run, which the dispatcher delivers to a
 * local HTTP agent (answering 204 at once; the routines are spread over up to 50 agents). Per run:
 * transaction start, claim (after the commit) and agent handler entered, each after the due time.
 * Goals: handler p50 ≤ 50 ms and p99 ≤ 100 ms at 20; p99 ≤ 1 s at 500; all within 10 s at 10,000.
 * A round of 5 triggers goes first and is not reported: a routined that has been running for a while has
 * planned its statements and opened its connections to the agents (`--cold` measures the first round as is).
 * `--idle <sec>`: each round falls due that long after the previous one was delivered, as the fires of an
 * every-minute schedule do (routined is idle in between, but for its own few queries a minute).
 */
import { sql } from "drizzle-orm";
import { withBenchDatabase } from "./lib/db";
import { startBenchAgent } from "./lib/agent-server";
import { startRoutined } from "./lib/routined-process";
import { wholeSecondAhead } from "./lib/seed";
import { report } from "./lib/stats";
import { SECRET_KEY, disableTriggers, makeDue, seedWakeCompany, wakeLags, watchCommits } from "./lib/wake-scenario";

const quick = process.argv.includes("--quick");
const sizes = (process.argv.find((a) => /^\d+(,\d+)*$/.test(a)) ?? (quick ? "20,500" : "20,500,10000")).split(",").map(Number);
const WARMUP = 5;
const idleArg = process.argv.indexOf("--idle");
const IDLE_SEC = idleArg === -1 ? 0 : Number(process.argv[idleArg + 1]);
const rounds = process.argv.includes("--cold") ? sizes : [WARMUP, ...sizes];
const goals: Record<number, { p50?: number; p99?: number; max?: number }> = { 20: { p50: 50, p99: 100 }, 500: { p99: 1000 }, 10000: { max: 10_000 } };

await withBenchDatabase(async ({ url, store }) => {
  const agent = await startBenchAgent();
  const routined = await startRoutined({ DATABASE_URL: url, ROUTINED_SECRET_KEY: SECRET_KEY });
  try {
    for (const [i, n] of rounds.entries()) {
      const companyId = await seedWakeCompany(store.db, { prefix: `W${i}`, agents: Math.min(n, 50), triggers: n, agentUrl: agent.url, cron: "* * * * *" });
      await store.db.execute(sql`vacuum analyze`);
      agent.reset();
      const due = await wholeSecondAhead(store.db, 1 + IDLE_SEC);
      await makeDue(store.db, companyId, due);
      const visible = await watchCommits(store.db, companyId, due, n, Math.max(0, due.getTime() - Date.now()) + 60_000);
      // Every run is committed: no further occurrence may fire (a round of 10,000 can outlast its minute, and the
      // next minute's runs would be counted as this round's arrivals).
      await disableTriggers(store.db, companyId);
      await agent.waitFor(n, 60_000);
      await new Promise((r) => setTimeout(r, 200));
      const lags = await wakeLags(store.db, companyId, agent, due, visible);
      if (rounds !== sizes && i === 0) continue; // the warm-up round
      const goal = goals[n] ?? {};
      report({
        name: "wake-latency",
        triggers: n,
        agents: Math.min(n, 50),
        ...(IDLE_SEC ? { idleBeforeSec: IDLE_SEC } : {}),
        ...lags,
        goalHandlerMs: goal,
        met:
          lags.delivered === n &&
          (goal.p50 === undefined || lags.handlerLagMs.p50 <= goal.p50) &&
          (goal.p99 === undefined || lags.handlerLagMs.p99 <= goal.p99) &&
          (goal.max === undefined || lags.handlerLagMs.max <= goal.max),
      });
    }
  } finally {
    await routined.stop();
    await agent.close();
  }
}, { poolSize: 2 });

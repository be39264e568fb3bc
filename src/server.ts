/**
 * Starts a routined process: store, migrations, services, HTTP, and the background loops.
 * `main.ts` calls it from the command line; end-to-end tests call it with their own config.
 */
import type { Logger } from "pino";
import type { Config } from "./config";
import { createDispatcher } from "./dispatch/dispatcher";
import { createHttpAdapter } from "./dispatch/http-adapter";
import { createProcessAdapter } from "./dispatch/process-adapter";
import { type Clock, systemClock } from "./domain/clock";
import { createSecretBox } from "./domain/secret-box";
import { type App, buildApp } from "./http/app";
import { createLogger } from "./logger";
import { observeDelivery } from "./observability/delivery-observer";
import { loadServerKey } from "./server-key";
import { type Services, createServices } from "./services";
import { createScheduler } from "./scheduler/scheduler";
import { openServerStore } from "./server-store";
import type { Store } from "./store/db";
import { migrate } from "./store/migrate";
import { createMetrics } from "./observability/metrics";
import { opsStatsRepo } from "./store/repos/ops-stats";

export interface RunningServer {
  app: App;
  store: Store;
  services: Services;
  /** The address the server listens on, e.g. http://127.0.0.1:3100 */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** The database being opened already (`openServerStore`); by default startServer opens it. */
  store?: Promise<Store>;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  // The database opens while the rest is set up (main.ts starts it even before this module loads);
  // when the server key cannot be loaded, it is closed again (its lock released).
  const opening = opts.store ?? openServerStore(config, logger);
  let secretBox: ReturnType<typeof createSecretBox>;
  try {
    secretBox = createSecretBox(loadServerKey(config));
  } catch (err) {
    await opening.then((store) => store.close(), () => {});
    throw err;
  }
  const store = await opening;
  try {
    const applied = await migrate(store.db);
    if (applied.length) logger.info({ applied }, "database migrated");
    const clock = opts.clock ?? systemClock;
    const metrics = createMetrics({ processMetrics: true });
    metrics.setGaugeSource({
      scheduler: () => opsStatsRepo.schedulerBacklog(store.db),
      deliveryQueue: () => opsStatsRepo.deliveryQueue(store.db),
      pool: () => store.poolStats?.(),
    });
    const services = createServices({ db: store.db, config, secretBox, clock, log: logger, listen: store.listen, listenerUp: store.listenerUp, metrics });
    const app = await buildApp({
      services,
      logger,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
      deploymentMode: config.deploymentMode,
      input: config.input,
    });
    if (config.deploymentMode === "authenticated" && !config.boardToken && !(await services.auth.hasBoardTokens())) {
      throw new Error(
        "ROUTINED_DEPLOYMENT_MODE=authenticated needs a board credential: set ROUTINED_BOARD_TOKEN " +
          "(at least 16 characters) or create a board token with `routined board-tokens create`.",
      );
    }
    const url = await app.listen({ port: config.port, host: config.host });
    const scheduler = config.scheduler.enabled
      ? createScheduler({ scheduling: services.scheduling, log: logger.child({ component: "scheduler" }) })
      : undefined;
    if (scheduler) {
      let lastCycleAt: number | undefined;
      scheduler.on("sleep", () => {
        lastCycleAt = Date.now();
        metrics.schedulerCycles.inc();
        metrics.schedulerLastCycle.set(lastCycleAt / 1000);
      });
      // It sleeps at most 60 s between cycles.
      services.ops.loops.scheduler = { lastCycleAt: () => lastCycleAt, staleAfterMs: 90_000 };
    }
    const httpAdapter = createHttpAdapter({ clock, allowLocal: config.adapters.http.allowLocal });
    let dispatcherCycleAt: number | undefined;
    const dispatcher = config.dispatch.enabled
      ? createDispatcher({
          // Every cycle starts by reclaiming lapsed leases (even when all its delivery slots are busy):
          // when that answered, the loop is alive and reaches the database.
          source: {
            ...services.heartbeatDispatch,
            reclaimExpired: async () => {
              const reclaimed = await services.heartbeatDispatch.reclaimExpired();
              dispatcherCycleAt = Date.now();
              return reclaimed;
            },
          },
          onRecord: (run, adapter) => observeDelivery(metrics, logger, run, adapter),
          listen: store.listen,
          adapters: { http: httpAdapter, process: createProcessAdapter({ apiUrl: url, policy: config.adapters.process }) },
          timeoutMs: config.dispatch.timeoutSec * 1000,
          leaseMs: config.dispatch.leaseSec * 1000,
          concurrency: config.dispatch.concurrency,
          perAgent: config.dispatch.perAgent,
          logger,
        })
      : undefined;
    // A scheduler batch that committed fires wakes this process's dispatcher at once (other
    // processes hear the NOTIFY).
    if (dispatcher) scheduler?.on("committed", () => dispatcher.wake());
    await scheduler?.start();
    logger.info({ url, engine: store.engine, mode: config.deploymentMode }, "routined listening");
    // It sleeps at most 30 s between cycles.
    if (dispatcher) services.ops.loops.dispatcher = { lastCycleAt: () => dispatcherCycleAt, staleAfterMs: 60_000 };
    await dispatcher?.start();
    return {
      app,
      store,
      services,
      url,
      async stop() {
        // All at once: stop accepting requests (those in flight are answered, their fire batches
        // commit), stop claiming due triggers (a batch being fired commits), stop claiming heartbeat
        // runs; deliveries get the shutdown timeout to finish, the rest are retried by any process
        // after their lease. Then the database closes, which releases the data-directory lock.
        // A request in flight when closing began leaves its keep-alive connection open once answered
        // (fastify closes only the connections idle at that moment): close those as they go idle.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        const step = async (name: string, p: Promise<unknown> | undefined) => {
          await p;
          logger.debug(`${name} stopped`);
        };
        await Promise.all([
          step("http", app.close()),
          step("scheduler", scheduler?.stop()),
          step("dispatcher", dispatcher?.stop({ abandonAfterMs: config.shutdownTimeoutSec * 1000 })),
        ]);
        clearInterval(sweep);
        await httpAdapter.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

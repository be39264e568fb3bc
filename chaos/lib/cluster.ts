/** Several routined processes on one PostgreSQL database; any of them may be killed and is started again. */
import crypto from "node:crypto";
import type { ChaosDatabase } from "./postgres";
import { type ServerProcess, startServerProcess } from "./server-process";
import { secrets } from "./fixture";

/** Settings of every chaos process: loopback, no rate limit in the way, no delivery to agents (see docs/reliability.md). */
export function clusterEnv(db: ChaosDatabase, secretKey: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    ROUTINED_SECRET_KEY: secretKey,
    ROUTINED_LOG_LEVEL: "trace",
    ROUTINED_DB_POOL_SIZE: "5",
    ROUTINED_DISPATCHER: "false",
    ROUTINED_SCHEDULER_GRACE_SEC: "5",
    ROUTINED_WEBHOOK_RATE_PER_TRIGGER: "1000000",
    ROUTINED_WEBHOOK_RATE_PER_IP: "1000000",
  };
}

export class Cluster {
  readonly servers: ServerProcess[] = [];
  killed = 0;
  private next = 0;
  private readonly env: Record<string, string>;

  constructor(readonly db: ChaosDatabase, readonly size: number) {
    const secretKey = crypto.randomBytes(32).toString("hex");
    secrets.add(secretKey);
    this.env = clusterEnv(db, secretKey);
  }

  async start(): Promise<void> {
    this.servers.push(...(await Promise.all(Array.from({ length: this.size }, (_, i) => startServerProcess(`pg-${i}`, this.env)))));
  }

  /** A live server's URL, round robin. */
  url(): string {
    const live = this.servers.filter((s) => s.alive());
    // none alive (only while restarts are pending): a URL nothing listens on, answered as a failed connection
    if (!live.length) return "http://127.0.0.1:9";
    return live[this.next++ % live.length]!.url;
  }

  /** The index of a process that may be killed: alive, and not the last one alive (waits for restarts if so). */
  async victim(): Promise<number> {
    let live = this.servers.flatMap((s, i) => (s.alive() ? [i] : []));
    if (live.length < 2) {
      await this.settled();
      live = this.servers.flatMap((s, i) => (s.alive() ? [i] : []));
    }
    return live[Math.floor(Math.random() * live.length)]!;
  }

  private restarting: Promise<unknown>[] = [];

  /** kill -9 of server `index`; a new process starts in its place in the background (see `settled`). */
  async killAndRestart(index: number): Promise<void> {
    const victim = this.servers[index]!;
    await victim.kill9();
    this.killed++;
    const restarted = startServerProcess(`${victim.name}'`, this.env).then((server) => {
      this.servers[index] = server;
    });
    restarted.catch(() => {}); // reported by `settled`
    this.restarting.push(restarted);
  }

  /** Waits for the processes being restarted. */
  async settled(): Promise<void> {
    await Promise.all(this.restarting);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.filter((s) => s.alive()).map((s) => s.terminate()));
  }
}

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
    if (!live.length) throw new Error("no live server");
    return live[this.next++ % live.length]!.url;
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

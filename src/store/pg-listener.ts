/**
 * The LISTEN connection of a PostgreSQL store: one dedicated connection per process carries every channel.
 * When it is lost (the backend was terminated, the server restarted, the network dropped) it reconnects with
 * backoff (50 ms doubling to 0.5 s, so it is back within a second of the database) and LISTENs again. A NOTIFY
 * sent while it was down is gone, so on reconnect every subscriber is called once with an empty payload:
 * "something may have changed, look now".
 */
import pg from "pg";

export type NotifyHandler = (payload: string) => void;

export interface ListenerEvents {
  /** The connection was lost (logged once per loss, not per retry). */
  onLost?(cause: string): void;
  /** The connection is back and LISTENs on every channel again. */
  onRestored?(downMs: number): void;
}

/** The `application_name` of the LISTEN connection, so operators (and tests) can find it in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "routined-listener";

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 500;

export function createPgListener(connectionString: string, events: ListenerEvents = {}) {
  const subscribers = new Map<string, Set<NotifyHandler>>();
  let client: pg.Client | undefined;
  let closed = false;
  let downSince: number | undefined;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  /** Every change of the connection or of its LISTENs runs in order, one at a time. */
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => {});
    return next;
  };

  const listenSql = (channel: string) => `LISTEN ${pg.escapeIdentifier(channel)}`;

  function lost(c: pg.Client, cause: string): void {
    if (client !== c) return; // an old connection's late event
    client = undefined;
    c.end().catch(() => {});
    if (closed) return;
    downSince ??= Date.now();
    events.onLost?.(cause);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void serially(connect).catch(() => {
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        scheduleReconnect();
      });
    }, retryMs);
    retryTimer.unref?.();
  }

  async function connect(): Promise<void> {
    if (closed || client) return;
    const c = new pg.Client({ connectionString, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    c.on("error", (err: Error & { code?: string }) => lost(c, err.code ?? "connection error"));
    c.on("end", () => lost(c, "connection ended"));
    c.on("notification", (msg) => {
      for (const handler of subscribers.get(msg.channel) ?? []) handler(msg.payload ?? "");
    });
    try {
      await c.connect();
      for (const channel of subscribers.keys()) await c.query(listenSql(channel));
    } catch (err) {
      c.removeAllListeners("end");
      c.on("error", () => {});
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    retryMs = FIRST_RETRY_MS;
    if (downSince !== undefined) {
      const downMs = Date.now() - downSince;
      downSince = undefined;
      events.onRestored?.(downMs);
      for (const handlers of subscribers.values()) for (const handler of handlers) handler("");
    }
  }

  return {
    /** Whether the connection is up and LISTENing (readiness reports it). */
    up: (): boolean => client !== undefined,
    /**
     * Subscribes `handler` to `channel`. The first call connects and throws if the database cannot be
     * reached; once connected, a later loss only delays delivery until the reconnect.
     */
    async listen(channel: string, handler: NotifyHandler): Promise<() => Promise<void>> {
      const first = !subscribers.has(channel);
      const handlers = subscribers.get(channel) ?? new Set();
      handlers.add(handler);
      subscribers.set(channel, handlers);
      try {
        await serially(async () => {
          if (!client && downSince === undefined) await connect();
          // A connection lost meanwhile LISTENs on this channel when it reconnects.
          else if (client && first) await client.query(listenSql(channel)).catch((err) => { if (client) throw err; });
        });
      } catch (err) {
        handlers.delete(handler);
        if (handlers.size === 0) subscribers.delete(channel);
        throw err;
      }
      return async () => {
        handlers.delete(handler);
        if (handlers.size || subscribers.get(channel) !== handlers) return;
        subscribers.delete(channel);
        await serially(async () => {
          await client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
        });
      };
    },
    async close(): Promise<void> {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await serially(async () => {
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
      });
    },
  };
}

export type PgListener = ReturnType<typeof createPgListener>;

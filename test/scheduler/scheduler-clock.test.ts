/**
 * The scheduler loop on injected timers, an injected monotonic clock and a database clock the test moves: what
 * it reads, and when it claims. Every round trip to the "database" takes `rttMs` of the process's time; the
 * database reads its clock at `readAt` of that trip (0.5: the middle), after waiting `readWaitMs` for a connection.
 * Nothing sleeps.
 */
import { describe, expect, it } from "vitest";
import { createScheduler } from "../../src/scheduler/scheduler";
import type { TickResult } from "../../src/services/scheduling";

const START = Date.parse("2026-12-02T03:00:00.000Z");

function world(o: { rttMs?: number; readAt?: number; timerEarlyMs?: number; readWaitMs?: number } = {}) {
  const rtt = o.rttMs ?? 4;
  const readAt = o.readAt ?? 0.5;
  let mono = 1_000; // the process's monotonic clock
  let offset = START - mono; // database clock = mono + offset
  const dbTime = () => mono + offset;
  const pending: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const timers = {
    setTimeout: ((fn: () => void, ms: number) => {
      const id = ++ids;
      pending.push({ at: mono + Math.max(1, ms - (o.timerEarlyMs ?? 0)), fn, id });
      return id as unknown as NodeJS.Timeout;
    }) as unknown as typeof setTimeout,
    clearTimeout: ((id: number) => {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    }) as unknown as typeof clearTimeout,
  };
  /** What the loop asked the database, in order. */
  const calls: string[] = [];
  const due: number[] = [];
  /** Each fire: its due time and the database time when its claim ran. */
  const fired: { due: number; at: number }[] = [];
  let wake: (() => void) | undefined;
  let duringEarliestDue: (() => void) | undefined;
  const scheduling = {
    async now() {
      calls.push("now");
      mono += (o.readWaitMs ?? 0) + rtt * readAt; // waiting for a pool connection, then on its way
      const read = new Date(Math.floor(dbTime()));
      mono += rtt * (1 - readAt);
      return read;
    },
    async earliestDue() {
      calls.push("earliestDue");
      const earliest = due.length ? new Date(Math.min(...due)) : null;
      duringEarliestDue?.(); // after the database answered
      duringEarliestDue = undefined;
      return earliest;
    },
    /** As the scheduling service: `at`, capped at the transaction's now() when asked. */
    async runDue(at: Date, _batchSize?: number, opts: { notAfterDatabaseClock?: boolean } = {}): Promise<TickResult> {
      calls.push("runDue");
      mono += rtt / 2; // BEGIN reaches the database: the transaction's now()
      const upTo = opts.notAfterDatabaseClock ? Math.min(at.getTime(), dbTime()) : at.getTime();
      const ready = due.filter((d) => d <= upTo);
      for (const d of ready) {
        fired.push({ due: d, at: dbTime() });
        due.splice(due.indexOf(d), 1);
      }
      mono += rtt * 2; // claim, read, write, commit
      return { triggers: ready.length, fired: ready.length, dropped: 0, more: false };
    },
    async onTriggersChanged(w: () => void) {
      wake = w;
      return async () => {};
    },
  };
  const scheduler = createScheduler({ scheduling, log: { error() {}, warn() {}, info() {}, debug() {} }, timers, monotonic: () => mono });
  const sleeps: number[] = [];
  scheduler.on("sleep", (ms) => sleeps.push(ms));
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    scheduler,
    calls,
    due,
    fired,
    sleeps,
    dbTime,
    /** The database clock jumps by `ms` against the process's clock. */
    drift: (ms: number) => (offset += ms),
    notify: async () => (wake!(), settle()),
    /** While the loop asks for the earliest due time (on its way to sleep), just after the answer: `change` commits, its NOTIFY arrives. */
    changeDuringSleepReading: (change: () => void) => (duringEarliestDue = () => (change(), wake!())),
    /** Runs the timers due up to `ms` from now on the process's clock, letting each cycle finish. */
    async advance(ms: number) {
      const until = mono + ms;
      for (;;) {
        await settle();
        const next = pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        pending.splice(pending.indexOf(next), 1);
        mono = Math.max(mono, next.at);
        next.fn();
      }
      mono = Math.max(mono, until);
    },
  };
}

describe("scheduler clock", () => {
  it("a wake-up claims at once: the database clock is read before sleeping, not before the claim", async () => {
    const w = world();
    w.due.push(START + 10_000);
    await w.scheduler.start();
    await w.advance(1);
    expect(w.calls).toEqual(["now", "runDue", "earliestDue", "now"]); // the first claim has no reading to go on
    w.calls.length = 0;
    await w.advance(11_000);
    expect(w.fired).toHaveLength(1);
    expect(w.calls.slice(0, 3)).toEqual(["runDue", "earliestDue", "now"]);
    // Woken at the due time by the database clock, counted from when the reading's answer arrived: claimed within
    // one round trip (the reading's way back, the BEGIN's way there; reading on waking took 2 round trips more).
    expect(w.fired[0]!.at - w.fired[0]!.due).toBeGreaterThanOrEqual(0);
    expect(w.fired[0]!.at - w.fired[0]!.due).toBeLessThanOrEqual(4);
    await w.scheduler.stop();
  });

  it("a drifted offset is corrected by the next reading: the next occurrence fires on time", async () => {
    const w = world();
    w.due.push(START + 10_000, START + 30_000);
    await w.scheduler.start();
    await w.advance(1);
    w.drift(5_000); // the database clock is 5 s further ahead than the scheduler's last reading said
    await w.advance(10_000);
    // This sleep was counted on the old reading: the first occurrence is 5 s late, unavoidably.
    expect(w.fired.map((f) => f.due)).toEqual([START + 10_000]);
    await w.advance(15_000);
    expect(w.fired).toHaveLength(2);
    const late = w.fired[1]!.at - w.fired[1]!.due;
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThanOrEqual(4);
    await w.scheduler.stop();
  });

  it("a reading slow to reach the database (waiting for a connection) does not make the wake-up early", async () => {
    // The clock reading waits 16 ms for a pool connection: the middle of its round trip is 8 ms before the database read its clock.
    const w = world({ readWaitMs: 16 });
    w.due.push(START + 10_000);
    await w.scheduler.start();
    await w.advance(1);
    w.calls.length = 0;
    await w.advance(11_000);
    expect(w.fired).toHaveLength(1);
    expect(w.fired[0]!.at).toBeGreaterThanOrEqual(START + 10_000);
    expect(w.calls).toEqual(["runDue", "earliestDue", "now"]); // one claim: not an early empty one, then another
    await w.scheduler.stop();
  });

  it("a claim whose extrapolated clock ran behind looks again at once with a fresh reading, not after the contended 50 ms", async () => {
    const w = world();
    await w.scheduler.start();
    await w.advance(1);
    w.drift(5_000);
    // A trigger changed (NOTIFY) and is due by the database clock, not by the scheduler's stale estimate.
    w.due.push(w.dbTime() - 1_000);
    w.calls.length = 0;
    await w.notify();
    await w.advance(40);
    expect(w.fired).toHaveLength(1);
    expect(w.calls).toEqual(["runDue", "earliestDue", "now", "runDue", "earliestDue", "now"]);
    expect(w.sleeps).not.toContain(50);
    await w.scheduler.stop();
  });

  it("nothing fires before it is due: not on a clock that fell back, a reading placed too early, nor a timer that fires early", async () => {
    // The database reads its clock at the very end of each round trip (so the mid-trip estimate runs ahead),
    // and every timer fires 3 ms early.
    const w = world({ readAt: 1, timerEarlyMs: 3 });
    for (let i = 1; i <= 5; i++) w.due.push(START + i * 1_000);
    await w.scheduler.start();
    await w.advance(2_500);
    w.drift(-200); // the database clock falls 200 ms back against the process's
    await w.advance(10_000);
    expect(w.fired.map((f) => f.due)).toEqual([1, 2, 3, 4, 5].map((i) => START + i * 1_000));
    for (const f of w.fired) {
      expect(f.at).toBeGreaterThanOrEqual(f.due);
      expect(f.at - f.due).toBeLessThanOrEqual(5);
    }
    await w.scheduler.stop();
  });

  it("a NOTIFY heard while the loop reads the clock to sleep is not lost to that sleep", async () => {
    const w = world();
    await w.scheduler.start();
    w.changeDuringSleepReading(() => w.due.push(w.dbTime() - 1));
    await w.advance(40); // the first cycle: nothing due, it reads the clock to sleep 60 s, and hears the NOTIFY
    expect(w.fired).toHaveLength(1);
    await w.scheduler.stop();
  });
});

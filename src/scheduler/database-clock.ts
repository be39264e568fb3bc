/**
 * The database clock between reads. The scheduler reads the database's `now()` only when it is about to
 * sleep; each reading notes where it sits on this process's monotonic clock, and on waking the scheduler
 * extrapolates from it instead of paying a `select now()` round trip before its claim. The database clock stays
 * the clock: every reading replaces the last, so a drift between the two clocks lasts at most one sleep.
 *
 * The database read its clock somewhere between sending the query and the answer arriving; a reading is placed
 * at the middle of that round trip (`estimate`, which may be ahead of the database by up to half the round trip)
 * and also bounded from below by the moment the answer arrived (`surelyReached`, never ahead). The claim itself
 * never takes a time ahead of the database's own `now()` (see `SchedulingService.runDue`), so an estimate that is
 * a little ahead cannot fire anything early.
 */
export interface DatabaseClock {
  /** Reads the database clock (one round trip) and keeps the reading. */
  read(): Promise<Date>;
  /** The database clock now (epoch ms, fractional), extrapolated from the last reading; undefined before the first. */
  estimate(): number | undefined;
  /** A time (epoch ms) the database clock has surely reached now: the last reading plus the time since its answer arrived. */
  surelyReached(): number | undefined;
}

export function createDatabaseClock(read: () => Promise<Date>, monotonic: () => number = () => performance.now()): DatabaseClock {
  let reading: { dbMs: number; sent: number; arrived: number } | undefined;
  return {
    async read() {
      const sent = monotonic();
      const db = await read();
      reading = { dbMs: db.getTime(), sent, arrived: monotonic() };
      return db;
    },
    estimate() {
      if (!reading) return undefined;
      const middle = (reading.sent + reading.arrived) / 2;
      return reading.dbMs + (monotonic() - middle);
    },
    surelyReached() {
      if (!reading) return undefined;
      return reading.dbMs + (monotonic() - reading.arrived);
    },
  };
}

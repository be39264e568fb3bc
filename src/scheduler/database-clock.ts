/**
 * The database clock between reads. The scheduler reads the database's `now()` only when it is about to
 * sleep; each reading notes the moment its answer arrived on this process's monotonic clock, and on waking the
 * scheduler extrapolates from it instead of paying a `select now()` round trip before its claim. The database
 * clock stays the clock: every reading replaces the last, so a drift between the two clocks lasts one sleep.
 *
 * The database read its clock somewhere between the query being sent and its answer arriving. Placing the
 * reading at the answer's arrival keeps the estimate from running ahead of the database: it is behind by the
 * answer's way back (a fraction of a millisecond on a quiet machine). The middle of the round trip would be
 * closer on average, but the round trip includes waiting for a pool connection, which made the estimate run
 * several milliseconds ahead under load: a wake-up then claimed too early, found nothing and went round again.
 */
export interface DatabaseClock {
  /** Reads the database clock (one round trip) and keeps the reading. */
  read(): Promise<Date>;
  /** The database clock now (epoch ms, fractional), extrapolated from the last reading; undefined before the first. */
  estimate(): number | undefined;
}

export function createDatabaseClock(read: () => Promise<Date>, monotonic: () => number = () => performance.now()): DatabaseClock {
  let reading: { dbMs: number; arrived: number } | undefined;
  return {
    async read() {
      const db = await read();
      reading = { dbMs: db.getTime(), arrived: monotonic() };
      return db;
    },
    estimate: () => (reading ? reading.dbMs + (monotonic() - reading.arrived) : undefined),
  };
}

/** Fails the PostgreSQL test run loudly when the server is not reachable: never a silent skip. */
import pg from "pg";
import { PG_ADMIN_URL } from "./engine";

export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    throw new Error(
      `PostgreSQL tests need a server at ${PG_ADMIN_URL} (user postgres, trust auth); ` +
        `start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start. ` +
        `Cause: ${(err as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

import pg from "pg";
import { PG_ADMIN_URL } from "./engine";

/** Runs one statement as the PostgreSQL superuser (create, drop or cut off a test's own database). */
export async function pgAdmin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

import type { Engine } from "../../src/store/db";

/** Which database this test project runs on; set per vitest project. */
export const ENGINE: Engine = process.env.ROUTINED_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
export const PG_ADMIN_URL = process.env.ROUTINED_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

import { configDefaults, defineConfig } from "vitest/config";

/** Tests that touch the database run twice: on embedded PGlite and on a real PostgreSQL server. */
const databaseTests = [
  "test/store/**/*.test.ts",
  "test/services/**/*.test.ts",
  "test/http/**/*.test.ts",
  "test/scheduler/**/*.test.ts",
  "test/dispatch/**/*.test.ts",
  "test/e2e/**/*.test.ts",
  "test/firing/**/*.test.ts",
];

/** Tests that need no database, though they sit beside database tests of their layer (test/ mirrors src/). */
const unitTests = [
  "test/domain/**/*.test.ts",
  "test/lib/**/*.test.ts",
  "test/ui/**/*.test.ts",
  "test/firing/plan.test.ts",
  "test/http/database-unavailable.test.ts",
  "test/scheduler/scheduler-clock.test.ts",
];
const notUnit = [...configDefaults.exclude, ...unitTests.filter((t) => !t.includes("*"))];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    projects: [
      { test: { name: "unit", include: unitTests } },
      {
        test: {
          name: "pglite",
          // embedded tests exercise the PGlite data directory itself
          // cli: the binary against a real server (and its data directory): once, on PGlite
          include: [...databaseTests, "test/embedded/**/*.test.ts", "test/cli/**/*.test.ts"],
          exclude: notUnit,
          env: { ROUTINED_TEST_ENGINE: "pglite" },
          // Workers keep PGlite's compiled WebAssembly and a migrated image between files.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "postgres",
          // cluster tests need several processes on one server, the chaos suite a cluster, test/postgres a server
          // to cut off: PostgreSQL only
          include: [...databaseTests, "test/cluster/**/*.test.ts", "test/chaos/**/*.test.ts", "test/postgres/**/*.test.ts"],
          exclude: notUnit,
          env: { ROUTINED_TEST_ENGINE: "postgres" },
          globalSetup: ["test/helpers/postgres-global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // drives Chromium (Debian's, else the packaged one) against the real server (PGlite): once, not per engine
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/build-ui.ts"],
          env: { ROUTINED_TEST_ENGINE: "pglite" },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

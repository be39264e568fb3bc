import { defineConfig } from "vitest/config";

/** Tests that touch the database run twice: on embedded PGlite and on a real PostgreSQL server. */
const databaseTests = [
  "test/store/**/*.test.ts",
  "test/services/**/*.test.ts",
  "test/http/**/*.test.ts",
  "test/scheduler/**/*.test.ts",
  "test/dispatch/**/*.test.ts",
  "test/e2e/**/*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    projects: [
      { test: { name: "unit", include: ["test/domain/**/*.test.ts", "test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "pglite",
          // embedded tests exercise the PGlite data directory itself
          // cli: the binary against a real server (and its data directory): once, on PGlite
          include: [...databaseTests, "test/embedded/**/*.test.ts", "test/cli/**/*.test.ts"],
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
          // cluster tests need several processes on one server, test/postgres a server to cut off: PostgreSQL only
          include: [...databaseTests, "test/cluster/**/*.test.ts", "test/postgres/**/*.test.ts"],
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

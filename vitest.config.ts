import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

/**
 * Database tests run twice, on embedded PGlite and on PostgreSQL
 * (TEST_DATABASE_URL, a fresh database per file, dropped after); unit tests
 * once; the adversarial suite (tests/adversarial) on PostgreSQL.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["tests/unit/**/*.test.ts", "packages/*/test/**/*.test.ts"], testTimeout: 60_000 } },
      {
        resolve: { alias },
        test: { name: "pglite", include: ["tests/db/**/*.test.ts"], env: { TEST_DB: "pglite" }, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias },
        test: { name: "postgres", include: ["tests/db/**/*.test.ts"], env: { TEST_DB: "postgres" }, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        // The whole product attacked on PostgreSQL; one file at a time so crash and load figures are not skewed by each other.
        resolve: { alias },
        test: {
          name: "adversarial",
          include: ["tests/adversarial/**/*.test.ts"],
          env: { TEST_DB: "postgres" },
          globalSetup: ["tests/adversarial/summary.ts"],
          // next-auth imports "next/server" without an extension, which only a bundler resolves.
          server: { deps: { inline: ["next-auth"] } },
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

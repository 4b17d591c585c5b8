import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

/**
 * Three projects: database tests run twice, on embedded PGlite and on
 * PostgreSQL (TEST_DATABASE_URL, a fresh database per file, dropped after);
 * the rest once.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], testTimeout: 60_000 } },
      {
        resolve: { alias },
        test: { name: "pglite", include: ["tests/db/**/*.test.ts"], env: { TEST_DB: "pglite" }, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias },
        test: { name: "postgres", include: ["tests/db/**/*.test.ts"], env: { TEST_DB: "postgres" }, testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
});

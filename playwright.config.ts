import crypto from "node:crypto";
import { defineConfig, devices } from "@playwright/test";
import { E2E_BASE_URL, E2E_DATA_DIR, E2E_DATABASE_URL, E2E_PORT } from "./e2e/support/env";
import { E2E_SMTP_URL } from "./e2e/support/smtp";

const baseURL = E2E_BASE_URL;

/**
 * End-to-end tests against the production server (server.ts on the build made once by `npm test`)
 * on a PostgreSQL database created for the run and dropped after it (why not PGlite:
 * e2e/support/env.ts), driving Debian's Chromium: Playwright's own browser download does not
 * work on these machines.
 *
 * Isolated: the setup project signs each demo role in once (e2e/auth.setup.ts); a spec that
 * changes state does it on an organization of its own (e2e/support/fixtures.ts), so tests run
 * in parallel and in any order (`npx playwright test --shuffle`).
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"] },
  ],
  webServer: {
    command: `node --import tsx scripts/e2e-database.ts create && exec node --import tsx server.ts`,
    // /api/health answers only after migrations finished.
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // Mail goes to the SMTP sink that e2e/global-setup.ts runs in the test runner.
    // WEBHOOK_ALLOW_PRIVATE: e2e/webhooks.spec.ts delivers to a receiver on 127.0.0.1.
    // The tests stand in for a proxy on loopback: their X-Forwarded-For is the trusted hop's (lib/http/client-address.ts).
    env: {
      TRUST_PROXY: "loopback",
      WEBHOOK_ALLOW_PRIVATE: "true",
      DATA_DIR: E2E_DATA_DIR,
      PORT: String(E2E_PORT),
      APP_URL: baseURL,
      DATABASE_URL: E2E_DATABASE_URL,
      AUTH_SECRET: process.env.E2E_AUTH_SECRET ?? crypto.randomBytes(33).toString("base64url"),
      SMTP_URL: E2E_SMTP_URL,
    },
  },
});

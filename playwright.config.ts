import { defineConfig, devices } from "@playwright/test";
import { E2E_SMTP_URL } from "./e2e/support/smtp";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

/**
 * End-to-end tests against the production server (server.ts on the build made once by `npm test`)
 * on a fresh embedded database, driving Debian's Chromium: Playwright's own
 * browser download does not work on these machines.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
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
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `rm -rf .data/e2e && exec node --import tsx server.ts`,
    // /api/health answers only after migrations and the demo seed finished.
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // Mail goes to the SMTP sink that e2e/support-console.spec.ts runs in the test process.
    // WEBHOOK_ALLOW_PRIVATE: e2e/webhooks.spec.ts delivers to a receiver on 127.0.0.1.
    // The tests stand in for a proxy on loopback: their X-Forwarded-For is the trusted hop's (lib/http/client-address.ts).
    env: { TRUST_PROXY: "loopback", DATA_DIR: ".data/e2e", PORT: String(PORT), APP_URL: baseURL, DATABASE_URL: "", SMTP_URL: E2E_SMTP_URL, WEBHOOK_ALLOW_PRIVATE: "true" },
  },
});

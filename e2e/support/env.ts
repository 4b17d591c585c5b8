/**
 * Where the e2e run lives, computed the same way in the Playwright runner, its
 * workers and the web server's start script (all read the same variables).
 *
 * The server under test runs on a real PostgreSQL database created for the run
 * (dropped after it), not on embedded PGlite: PGlite lives inside the server's
 * process and takes a lock on its directory, so the test process could not
 * open it to give each spec an organization of its own. On PostgreSQL the test
 * process seeds with the app's own schema and functions (e2e/support/seed.ts),
 * and the server's caches learn of every change through the same LISTEN/NOTIFY
 * trigger that keeps several app instances in step.
 */
import path from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** The server PostgreSQL tests use; the run's database is created on it. */
export const E2E_ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://127.0.0.1:5432/test";
/** One database per port: two runs on one port cannot overlap, since the server could not listen. */
export const E2E_DATABASE_NAME = `zdr_e2e_${E2E_PORT}`;
export const E2E_DATABASE_URL = (() => {
  const u = new URL(E2E_ADMIN_DATABASE_URL);
  u.pathname = `/${E2E_DATABASE_NAME}`;
  return u.toString();
})();
/** The server's DATA_DIR (its auth secret); the SMTP sink's mailbox file lives here too. */
export const E2E_DATA_DIR = path.join(".data", `e2e-${E2E_PORT}`);
export const E2E_MAILBOX = path.join(E2E_DATA_DIR, "mailbox.jsonl");
/** Storage states of the demo roles, written by e2e/auth.setup.ts (gitignored). */
export const E2E_AUTH_DIR = path.join("e2e", ".auth");

import { E2E_PORT } from "./env";

/** The SMTP sink of the e2e run listens here (started by e2e/global-setup.ts); the server under test gets it as SMTP_URL. */
export const E2E_SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? E2E_PORT + 1000);
export const E2E_SMTP_URL = `smtp://127.0.0.1:${E2E_SMTP_PORT}`;

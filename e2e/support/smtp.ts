/** The SMTP sink of the e2e run listens here; the server under test gets it as SMTP_URL. */
export const E2E_SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 1000);
export const E2E_SMTP_URL = `smtp://127.0.0.1:${E2E_SMTP_PORT}`;

/**
 * Runs once in the Playwright runner, after the web server is up: the run's
 * SMTP sink, which appends every message it receives to a mailbox file that
 * any worker can read (e2e/support/mailbox.ts). Its teardown closes the sink
 * and drops the run's database (scripts/e2e-database.ts created it).
 */
import fs from "node:fs";
import { startSmtpSink } from "../tests/helpers/smtp-sink";
import { dropE2eDatabase } from "../scripts/e2e-database";
import { E2E_DATA_DIR, E2E_MAILBOX } from "./support/env";
import { E2E_SMTP_PORT } from "./support/smtp";

export default async function globalSetup() {
  fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
  fs.writeFileSync(E2E_MAILBOX, "");
  const sink = await startSmtpSink({ port: E2E_SMTP_PORT });
  sink.onMessage((m) => fs.appendFileSync(E2E_MAILBOX, JSON.stringify(m) + "\n"));
  return async () => {
    await sink.close();
    if (!process.env.E2E_KEEP_DATABASE) await dropE2eDatabase();
  };
}

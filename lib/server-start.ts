/** The Node server's start: validate the environment, prepare the database, then deliver the outbox. */
import { env } from "@/lib/env";
import { bootDatabase } from "@/lib/db/boot";
import { startOutboxWorker } from "@/lib/notify/worker";
import { defaultTransport } from "@/lib/notify/transport";
import { logger } from "@/lib/log";

const log = logger("server");

try {
  env();
  const report = await bootDatabase();
  log.info({ event: "database_ready", seeded: report.seeded, ms: report.ms }, `database ready: ${report.database}${report.seeded ? ", demo world seeded" : ""}`);
  const transport = defaultTransport();
  startOutboxWorker({ transport });
  log.info({ event: "outbox_started" }, `outbox worker delivering to ${transport.describe}`);
} catch (err) {
  // One clear sentence, then stop: serving without a database helps no one.
  log.fatal({ event: "start_failed" }, `cannot start: ${(err as Error).message}`);
  process.exit(1);
}

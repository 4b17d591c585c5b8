/** The Node server's start: validate the environment, prepare the database, then deliver the outbox. */
import { env } from "@/lib/env";
import { bootDatabase } from "@/lib/boot";
import { startOutboxWorker } from "@/lib/notify/worker";
import { defaultTransport } from "@/lib/notify/transport";

try {
  env();
  const report = await bootDatabase();
  console.log(`[zdr] database ready: ${report.database}${report.seeded ? ", demo world seeded" : ""} (${report.ms} ms)`);
  const transport = defaultTransport();
  startOutboxWorker({ transport });
  console.log(`[zdr] outbox worker delivering to ${transport.describe}`);
} catch (err) {
  // One clear sentence, then stop: serving without a database helps no one.
  console.error(`[zdr] cannot start: ${(err as Error).message}`);
  process.exit(1);
}

/** The Node server's start: validate the environment, then prepare the database. */
import { env } from "@/lib/env";
import { bootDatabase } from "@/lib/db/boot";

try {
  env();
  const report = await bootDatabase();
  console.log(`[zdr] database ready: ${report.database}${report.seeded ? ", demo world seeded" : ""} (${report.ms} ms)`);
} catch (err) {
  // One clear sentence, then stop: serving without a database helps no one.
  console.error(`[zdr] cannot start: ${(err as Error).message}`);
  process.exit(1);
}

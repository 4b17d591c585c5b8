/** The Node server's start: validate the environment, prepare the database, then deliver the outbox. */
import { env } from "@/lib/env";
import { bootDatabase } from "@/lib/boot";
import { startOutboxWorker } from "@/lib/notify/worker";
// Registers how the outbox delivers webhook messages.
import "@/lib/webhooks/delivery";
import { defaultTransport } from "@/lib/notify/transport";
import { startRemovalRunner, stopRemovalRunner } from "@/lib/removal/runner";
import { startStatementIssuer, stopStatementIssuer } from "@/lib/statements/issuer";
import { logger } from "@/lib/log";
import { getDbHandle } from "@/lib/db";
import { cacheListener } from "@/lib/db/listen";
import { serveEmbeddedSocket } from "@/lib/db/socket";
import { onShutdown } from "@/lib/lifecycle";
import path from "node:path";
import { usageStore } from "@/lib/usage/store";

const log = logger("server");

try {
  env();
  const report = await bootDatabase();
  log.info(
    { event: "database_ready", seeded: report.seeded, ms: report.ms },
    `database ready: ${report.database}${report.seeded ? ", demo world seeded" : ""}`,
  );
  const handle = getDbHandle();
  // The change listener is up before the first request: readiness (and the caches) trust nothing before it.
  await cacheListener(handle).ready;
  if (handle.kind === "pglite" && handle.pglite) {
    // The command-line tools reach the embedded database through its owner (lib/db/socket.ts).
    const socket = await serveEmbeddedSocket(handle.pglite, path.join(env().DATA_DIR, "db"));
    onShutdown(socket.stop);
    log.info({ event: "socket_ready" }, "embedded database served to the command-line tools on a local socket");
  }
  const transport = defaultTransport();
  startOutboxWorker({ transport });
  log.info({ event: "outbox_started" }, `outbox worker delivering to ${transport.describe}`);
  // Removal jobs (approved requests, usage retention purges) resume where the store left them.
  startRemovalRunner();
  onShutdown(stopRemovalRunner);
  // Last month's signed retention statements, once the month is over (then hourly).
  startStatementIssuer();
  onShutdown(stopStatementIssuer);
  // The ClickHouse relay also runs after each ingest; this retries what waited while ClickHouse was away.
  const store = await usageStore();
  if (store.kind === "clickhouse") {
    const relay = setInterval(() => {
      store.deliverPending().catch(() => log.warn({ event: "usage_relay_waiting" }, "usage store unreachable: accepted events wait in PostgreSQL"));
    }, 2000);
    relay.unref();
    onShutdown(async () => clearInterval(relay));
  }
} catch (err) {
  // One clear sentence, then stop: serving without a database helps no one.
  log.fatal({ event: "start_failed" }, `cannot start: ${(err as Error).message}`);
  process.exit(1);
}

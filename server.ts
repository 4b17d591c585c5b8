/**
 * The production server: Next.js behind one node:http server that answers the
 * fleet's retention-policy lookup itself (lib/api/fast-path.ts) and hands
 * every other request to Next. Run by `npm start`, the e2e tests and the bench:
 *
 *   node --import tsx server.ts          # production (needs `next build`)
 *   node --import tsx server.ts --dev    # development, like `next dev`
 *
 * Next migrates (and on the embedded default seeds) the database from
 * instrumentation.ts while it prepares, before this server listens.
 */
import http from "node:http";
import { parseEnv, EnvError } from "@/lib/env";

const dev = process.argv.includes("--dev");
// React and Next pick their production builds from NODE_ENV when first loaded: set it before importing them.
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";

let env;
try {
  env = parseEnv();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : String(err));
  process.exit(1);
}

const { default: next } = await import("next");
const { serveFastPath } = await import("@/lib/api/fast-path");
const app = next({ dev, hostname: "localhost", port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  if (serveFastPath(req, res)) return;
  void handle(req, res);
});
server.on("upgrade", (req, socket, head) => void app.getUpgradeHandler()(req, socket, head));
// On every interface, as `next start` does.
server.listen(env.PORT, () => console.log(`[zdr] ${dev ? "development" : "production"} server listening on port ${env.PORT}`));

// As `next start`: stop on SIGINT and SIGTERM (through process.exit, so exit hooks run; the outbox's leases expire on their own).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}
